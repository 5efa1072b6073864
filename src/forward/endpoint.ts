/**
 * The `forward-endpoint` and `forward-headers` inputs: checks and parsing, pure, so that the start
 * step (which names the input on error) and the tests share them. Nothing leaves loopback in the
 * clear: a remote endpoint must be https.
 */
import { MIN_MASKED_LENGTH } from '../beacon/redact.js';

/** Paths of the OTLP/HTTP signals, appended to the base URL (OTLP specification, "OTLP/HTTP"). */
export const SIGNAL_PATH = { logs: '/v1/logs', metrics: '/v1/metrics' } as const;
export type ForwardSignal = keyof typeof SIGNAL_PATH;

/** 127.0.0.0/8, ::1 and localhost: the only hosts plain http may reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

export type Checked<T> = { value: T } | { problem: string };

/**
 * The endpoint as a base URL without a trailing slash, or why it cannot be used. The value is
 * repeated in the problem only when it holds no credentials.
 */
export function checkForwardEndpoint(text: string): Checked<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `must be an OTLP/HTTP base URL such as https://otel.example.com:4318, got "${text}"` };
  }
  if (url.username || url.password) return { problem: 'must not hold credentials: pass them in forward-headers (from secrets) instead' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `must be an https URL, got "${text}"` };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { problem: `must use https unless it is a loopback address (http://127.0.0.1, http://[::1], http://localhost), got "${text}"` };
  }
  if (url.search || url.hash) return { problem: `must not have a query or fragment, got "${text}"` };
  const base = url.href.replace(/\/+$/, '');
  const signalPath = Object.values(SIGNAL_PATH).find((p) => url.pathname.replace(/\/+$/, '').endsWith(p));
  if (signalPath) return { problem: `is the base URL: leave out "${signalPath}" (the action appends /v1/logs and /v1/metrics), got "${text}"` };
  return { value: base };
}

/** The URL one signal is posted to. */
export function signalUrl(endpoint: string, signal: ForwardSignal): string {
  return endpoint.replace(/\/+$/, '') + SIGNAL_PATH[signal];
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Set by the exporter itself: a user value would break the request.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'te', 'upgrade', 'expect']);
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * `name=value` lines (values usually from secrets). Problems name the line and the header, never
 * the value. An empty value is refused: an unset secret expands to "".
 */
export function parseForwardHeaders(text: string): Checked<Record<string, string>> {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    if (at <= 0) return { problem: `line ${i + 1} is not name=value` };
    const name = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (!HEADER_NAME.test(name)) return { problem: `line ${i + 1}: "${name.slice(0, 64)}" is not a valid header name` };
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) return { problem: `line ${i + 1}: "${name}" is set by the action and cannot be given` };
    if (seen.has(lower)) return { problem: `line ${i + 1}: "${name}" is given twice` };
    if (value === '') return { problem: `line ${i + 1}: the value of "${name}" is empty (is the secret set?)` };
    if (CONTROL.test(value)) return { problem: `line ${i + 1}: the value of "${name}" holds control characters` };
    seen.add(lower);
    headers[name] = value;
  }
  return { value: headers };
}

/** What the end of the job may spend on forwarding, at most (collector flush and token metrics). */
export const DEFAULT_FORWARD_SHUTDOWN_LIMIT_MS = 10_000;

/** `<scheme> <credential>` (RFC 9110 auth-scheme, then the credential): Bearer, Basic, token, ApiKey, ... */
const SCHEME_AND_CREDENTIAL = /^[A-Za-z][!#$%&'*+.^_`|~0-9A-Za-z-]*[ \t]+(\S(?:.*\S)?)$/;

/**
 * What to mask in the step log for one `forward-headers` value: the value, and for a value such
 * as `Bearer <token>` the credential alone too, which is what a receiver or a tool would print.
 */
export function maskedPartsOfHeader(value: string): string[] {
  const credential = SCHEME_AND_CREDENTIAL.exec(value)?.[1];
  return credential !== undefined && credential.length >= MIN_MASKED_LENGTH ? [value, credential] : [value];
}

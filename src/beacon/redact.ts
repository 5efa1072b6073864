/**
 * Secret redaction for every string we write: the collector's rules (this file) and the run's
 * exact secret values (`setMaskedValues`). Two cheap checks let nearly every string through
 * untouched; the rest goes through one combined pass. This runs on the collector's hot path, so it
 * keeps to patterns: the post step scans the runtime log again with secretlint's full rule set
 * (src/finish/runtime-log/secret-scan.ts), a second net for the artifact. Forwarded events only
 * ever get this file's redaction, so it catches every kind SECURITY.md lists by itself.
 */

export const REDACTED = '[REDACTED]';

// Private key blocks are redacted first and whole, up to their END line or, cut short (Codex keeps
// 2 KiB of output), to the end of the string: they span lines, quotes and JSON escapes (`\n`).
const KEY_BLOCK = /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g;

// A value after a secret-named key: quoted (the quotes kept, spaces and escapes inside), as an
// escaped quote (JSON inside a JSON string), or bare up to a delimiter.
const valueGroup = (name: string) => String.raw`(?<${name}>\$\{\{[^}\n]*\}\}|"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|\\"(?:[^"\\\n]|\\[^"\n])*(?:\\")?|(?![{\[])[^\s"'&,;})\]\\]+)`;
// Names that say "secret" (matched case-insensitively, so camelCase `accessToken`, `clientSecret` too).
const SECRET_NAME = String.raw`(?:api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|key|token|secret|password|passwd|pwd|credentials?|authorization|auth|signature)`;

// Each alternative captures what to keep (a prefix such as `password=`) in a named group;
// the rest of the match is the secret.
const PATTERNS: string[] = [
  // `Authorization: Bearer xyz`, `Bearer xyz`, `Basic xyz`
  String.raw`(?<scheme>\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*`,
  // `token <value>` only when the value looks like one (long), not "token counting"
  String.raw`(?<tokenWord>\btoken\s+)(?=[A-Za-z0-9_\-.]*\d)[A-Za-z0-9_\-.]{20,}`,
  // name=value, name: value, name => value, for names ending in key, token, secret, password...
  // (quotes allowed around the name, so JSON and YAML text are covered too)
  String.raw`(?<assign>\b[A-Za-z0-9_.\-]*${SECRET_NAME}\\?["']?[ \t]*(?:[:=]|=>)[ \t]*)(?!\[REDACTED\])(?:(?:Bearer|Basic|token)\s+)?${valueGroup('value')}`,
  // A secret-named snake_case word and its value on a command line: `aws configure set
  // aws_secret_access_key <value>` (a long value with a digit: not "secret_key is missing")
  String.raw`(?<spaced>\b(?:[A-Za-z0-9]*_)?(?:secret_access_key|session_token|client_secret|api_key|access_token|auth_token|refresh_token|private_key|secret_key)\s+)(?=[A-Za-z0-9/+=_\-.~]*\d)[A-Za-z0-9/+=_\-.~]{16,}`,
  // Command-line options: `--password hunter2`, `--client-secret "a b"`, `--token xyz`
  String.raw`(?<flag>(?:^|\s)--(?:[A-Za-z0-9]+-)*(?:password|passwd|token|secret|key|credentials?)\s+)(?!-)${valueGroup('flagValue')}`,
  // Credentials in URLs: `postgres://user:pass@host`, `https://x-access-token:ghs_...@github.com`
  String.raw`(?<url>\b[A-Za-z][A-Za-z0-9+.\-]{1,30}://)[^\s/@"'<>:]*:[^\s/@"'<>]*(?=@)`,
  // Slack incoming webhooks: the path is the secret
  String.raw`(?<hook>\bhooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_\-]+`,
  // Azure SAS signatures (`...&sig=...`), also AWS presigned URLs' `X-Amz-Signature` via `signature=` above
  String.raw`(?<sas>[?&;]sig=)[A-Za-z0-9%+/=]{16,}`,
  // JSON Web Tokens (header and payload are base64url JSON: `eyJ`)
  String.raw`\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*`,
  // OpenAI-style keys (sk-..., sk-proj-..., sk-ant-...)
  String.raw`\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}`,
  // GitHub tokens
  String.raw`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}`,
  String.raw`\bgithub_pat_[A-Za-z0-9_]{20,}`,
  // npm access tokens
  String.raw`\bnpm_[A-Za-z0-9]{36}\b`,
  // AWS access key ids
  String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
  // Google API keys
  String.raw`\bAIza[A-Za-z0-9_\-]{35}`,
  // Slack tokens (bot, user, app, refresh...)
  String.raw`\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]{10,}`,
  // Azure AD client secrets (`abc8Q~...`)
  String.raw`(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])`,
];

const SECRET = new RegExp(PATTERNS.join('|'), 'gi');
// A secret-named key's value that is no secret: `key=true`, `token: null`, `timeout_key=30`, a
// variable that names the secret rather than holding it (`$TOKEN`, `${{ secrets.X }}`, `%KEY%`).
const NOT_A_SECRET = /^(?:["']|\\")?(?:true|false|null|none|nil|undefined|yes|no|on|off|\d{1,6}|string|number|boolean|bool|int|str|any|unknown|object|bytes|\$\{\{[^}]*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%|\*+|)(?:["']|\\")?$/i;

// Two cheap checks come first: each passes every string SECRET (or KEY_BLOCK) matches, and most
// strings fail one. Words first (the fastest scan; most strings have none)...
const MAYBE_SECRET = /key|token|secret|pass|pwd|auth|cred|bearer|basic|sig|sk-|gh[pousr]_|github_pat_|npm_|AKIA|ASIA|AIza|xox|xapp|eyJ|Q~|PRIVATE|:\/\/|slack\.com/i;
// ...then what each alternative cannot match without (a `:`, `=` or `=>` after a secret-ish
// name, found by looking behind each; a URL with a user and a password...). "Original token
// count: 108", in every Codex tool output, has the word but none of these.
const LIKELY_SECRET = new RegExp(
  [
    // Each alternative starts at a character that is rare in ordinary output (`:`, `=`, `@`, `~`,
    // `_`, `-`), then looks behind or ahead: letters at the start would make the scan slow.
    String.raw`[:=](?<=(?:key|token|secret|passw(?:or)?d|pwd|credentials?|auth(?:orization)?|signature)\\?["']?[ \t]*[:=])`,
    String.raw`=(?<=[?&;]sig=)`,
    String.raw`@(?<=:\/\/[^\s/@"'<>:]*:[^\s/@"'<>]*@)`,
    String.raw`~(?<=\dQ~)`,
    String.raw`_(?:(?<=(?:npm|gh[pousr]|github_pat)_)|(?=(?:key|token|secret)\s+[A-Za-z0-9/+=_\-.~]{16}))`,
    String.raw`-(?:(?<=(?:sk|xox[a-z]|xapp)-)|(?<=--)[A-Za-z0-9-]*(?:password|passwd|token|secret|key|credentials?)\s+[^\s-]|(?=----BEGIN))`,
    String.raw`\b(?:Bearer\s+[A-Za-z0-9\-._~+/]{8}|Basic\s+[A-Za-z0-9\-._~+/]{8}|token\s+[A-Za-z0-9_\-.]{20}|(?:AKIA|ASIA)[A-Z0-9]{16}|AIza|eyJ[A-Za-z0-9_\-]{8,}\.|hooks\.slack\.com\/)`,
  ].join('|'),
  'i',
);

/** The run's own secret values (`setMaskedValues`). */
let maskedValues: RegExp | undefined;

/**
 * Values redacted wherever they appear, whatever their shape (as the runner masks registered
 * secrets in the job log): the secret-named environment variables the start step saw and the
 * forward headers (./masked-values.ts). Replaces the previous list; [] turns it off.
 */
export function setMaskedValues(values: readonly string[]): void {
  maskedValues = maskedValuesPattern(values);
}

/**
 * One pattern for the values long enough to mask, as they are and as they look escaped in JSON
 * or a URL, longest first; undefined when there is none.
 */
export function maskedValuesPattern(values: readonly string[]): RegExp | undefined {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_MASKED_LENGTH) continue;
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(encodeURIComponent(value));
  }
  // The escaped forms are never shorter than the value.
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
}

/** Shorter values are not masked: a `*_KEY=true` must not blank every "true" we write. */
export const MIN_MASKED_LENGTH = 8;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function redactSecrets(text: string): string {
  // No masked value is shorter than MIN_MASKED_LENGTH: most strings need no look.
  if (maskedValues && text.length >= MIN_MASKED_LENGTH) {
    maskedValues.lastIndex = 0;
    if (maskedValues.test(text)) text = text.replace(maskedValues, REDACTED);
  }
  if (!MAYBE_SECRET.test(text) || !LIKELY_SECRET.test(text)) return text;
  return redactPatterns(text);
}

/** redactSecrets without the cheap checks: what it must always equal (tests compare the two). */
export function redactSecretsUnfiltered(text: string): string {
  if (maskedValues) text = text.replace(maskedValues, REDACTED);
  return redactPatterns(text);
}

function redactPatterns(text: string): string {
  const withoutKeys = text.includes('-----BEGIN') ? text.replace(KEY_BLOCK, REDACTED) : text;
  return withoutKeys.replace(SECRET, (match, ...args) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const keep = groups.scheme ?? groups.tokenWord ?? groups.assign ?? groups.spaced ?? groups.flag ?? groups.url ?? groups.hook ?? groups.sas ?? '';
    const value = groups.value ?? groups.flagValue;
    if (value === undefined) return keep + REDACTED;
    if (NOT_A_SECRET.test(value)) return match;
    // A quoted value keeps its quotes: `password: "[REDACTED]"`.
    const open = /^(?:\\"|["'])/.exec(value)?.[0] ?? '';
    const close = open && value.length > open.length && value.endsWith(open) ? open : '';
    return match.slice(0, match.length - value.length) + open + REDACTED + close;
  });
}

// An object key that names a secret (`{"password": "..."}`, `{"accessToken": "..."}`): its string
// value is redacted whole. snake, kebab and dotted names, and camelCase ones.
const CAMEL_SECRET_KEY_NAME = /[a-z0-9](?:ApiKey|Secret|Password|Passwd|Token|Credentials?|Authorization|PrivateKey|AccessKey|SecretKey)$/;
const SNAKE_SECRET_KEY_NAME = /(?:^|[_.\-])(?:api[_-]?key|secret|password|passwd|pwd|token|credentials?|authorization|private[_-]?key|access[_-]?key|secret[_-]?key)$/i;

/** Whether an object key names a secret (its string value is then redacted whole). */
function isSecretKeyName(key: string): boolean {
  return SNAKE_SECRET_KEY_NAME.test(key) || CAMEL_SECRET_KEY_NAME.test(key);
}

/** Redacts every string inside a JSON-like value, in place; returns the value. */
// Deeper than anything the decoders keep (64 AnyValue levels) plus the event's own nesting.
const MAX_REDACT_DEPTH = 128;

export function redactDeep<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object') return value;
  // Never leave a deeper value unchecked: what lies past the limit is replaced.
  if (depth > MAX_REDACT_DEPTH) return REDACTED as T;
  // Stores only what changed: nearly every string comes back as it was.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const r = typeof v === 'string' ? redactSecrets(v) : redactDeep(v, depth + 1);
      if (r !== v) value[i] = r;
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const r = typeof v === 'string' ? (v && isSecretKeyName(key) && !NOT_A_SECRET.test(v) ? REDACTED : redactSecrets(v)) : redactDeep(v, depth + 1);
    if (r !== v) obj[key] = r;
  }
  return value;
}

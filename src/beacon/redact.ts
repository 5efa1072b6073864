/**
 * Secret redaction for every string we write (the schema page's "Size and secrets", plus GitHub
 * and AWS tokens). One combined pass per string: this runs on the collector's hot path.
 */

export const REDACTED = '[REDACTED]';

// Each alternative captures what to keep (a prefix such as `password=`) in a named group;
// the rest of the match is the secret.
const PATTERNS: string[] = [
  // `Authorization: Bearer xyz`, `Bearer xyz`, `Basic xyz`
  String.raw`(?<scheme>\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*`,
  // `token <value>` only when the value looks like one (long), not "token counting"
  String.raw`(?<tokenWord>\btoken\s+)(?=[A-Za-z0-9_\-.]*\d)[A-Za-z0-9_\-.]{20,}`,
  // name=value / name: value, names ending in key, token, secret, password... (quotes allowed
  // around the name and the value, so JSON text is covered too)
  String.raw`(?<assign>\b[A-Za-z0-9_.\-]*(?:api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|key|token|secret|password|passwd|pwd|credentials?|authorization|auth)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])(?:(?:Bearer|Basic|token)\s+)?[^\s"'&,;}\]]+`,
  // OpenAI-style keys (sk-..., sk-proj-...)
  String.raw`\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}`,
  // GitHub tokens
  String.raw`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}`,
  String.raw`\bgithub_pat_[A-Za-z0-9_]{20,}`,
  // AWS access key ids
  String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
  // Slack tokens, private key blocks
  String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
  String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`,
];

const SECRET = new RegExp(PATTERNS.join('|'), 'gi');
// Two cheap checks come first: each passes every string SECRET matches, and most strings fail one.
// Words first (the fastest scan; most strings have none)...
const MAYBE_SECRET = /key|token|secret|pass|pwd|auth|cred|bearer|basic|sk-|gh[pousr]_|github_pat_|AKIA|ASIA|xox|PRIVATE/i;
// ...then what each alternative of PATTERNS cannot match without (a `:` or `=` after a secret-ish
// name, found by looking behind each `:`/`=`). "Original token count: 108", in every Codex tool
// output, has the word but none of these.
const LIKELY_SECRET = new RegExp(
  [
    String.raw`(?<=(?:key|token|secret|passw(?:or)?d|pwd|credentials?|auth(?:orization)?)["']?\s*)[:=]`,
    String.raw`\b(?:Bearer\s+[A-Za-z0-9\-._~+/]{8}|Basic\s+[A-Za-z0-9\-._~+/]{8}|token\s+[A-Za-z0-9_\-.]{20}|sk-|gh[pousr]_|github_pat_|(?:AKIA|ASIA)[A-Z0-9]{16}|xox[abprs]-)`,
    String.raw`-----BEGIN `,
  ].join('|'),
  'i',
);

export function redactSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text) || !LIKELY_SECRET.test(text)) return text;
  return redactSecretsUnfiltered(text);
}

/** redactSecrets without the cheap checks: what it must always equal (tests compare the two). */
export function redactSecretsUnfiltered(text: string): string {
  return text.replace(SECRET, (...args) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const keep = groups.scheme ?? groups.tokenWord ?? groups.assign ?? '';
    return keep + REDACTED;
  });
}

// An object key that names a secret (`{"password": "..."}`): its string value is redacted whole.
const SECRET_KEY_NAME = /(?:^|[_.\-])(?:api[_-]?key|secret|password|passwd|pwd|token|credentials?|authorization|private[_-]?key)$/i;

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
    const r = typeof v === 'string' ? (v && SECRET_KEY_NAME.test(key) ? REDACTED : redactSecrets(v)) : redactDeep(v, depth + 1);
    if (r !== v) obj[key] = r;
  }
  return value;
}

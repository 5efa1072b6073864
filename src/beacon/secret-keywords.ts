/**
 * The cheap half of the second net for secrets (finish/runtime-log/secret-scan.ts runs the other
 * half, secretlint): which strings of a record may hold a secret that secretlint's recommended
 * preset reports, or one of the run's own secret values. The collector runs it on every line it
 * writes and notes the lines it flags (collector/suspect-lines.ts), so that the post step scans
 * only those; the post step runs it itself on a capture without those notes. No secretlint here:
 * the collector must stay small and fast.
 */

import type { Json } from './json-object.js';
import { MIN_MASKED_LENGTH, REDACTED } from './redact.js';

/**
 * What every secret a rule reports contains, as one of:
 * - `prefix` + `before`: a prefix ending in `_`, `-` or `.` (not after a letter), then at least 16
 *   characters of the secret;
 * - `behind` + `at`: text that ends in the character (class) `at`;
 * - `pattern`: anything else.
 * Each but `pattern` is looked for behind a rare character (`_ - . @ : =`), so that the scan skips
 * ahead fast: an alternative that starts with a letter would make it stop at every letter.
 */
export type Keyword = { prefix: string; before: '_' | '-' | '.' } | { behind: string; at: string } | { pattern: string };

/**
 * For each rule of the preset, its keywords: tight enough that ordinary text (the word "account",
 * a `self_test`) seldom passes. The test of this file fails when the preset gains or loses a rule.
 */
export const PRESET_KEYWORDS: Record<string, Keyword[]> = {
  // The secret access key after its name (key ids are the collector's: the preset scans them only on request).
  '@secretlint/secretlint-rule-aws': [{ behind: String.raw`(?:CCESS|ccess)_?(?:KEY|[Kk]ey)["']?\s*(?::|=>|=)`, at: '[:=>]' }],
  // Only for .json and .p12 files: never fires here; its key is the privatekey rule's.
  '@secretlint/secretlint-rule-gcp': [{ behind: 'PRIVATE KEY(?: BLOCK)?-', at: '-' }],
  '@secretlint/secretlint-rule-npm': [{ prefix: 'npm', before: '_' }, { behind: '_authToken=', at: '=' }, { behind: ':x-oauth-basic@', at: '@' }],
  '@secretlint/secretlint-rule-slack': [
    { behind: String.raw`\bx(?:ox[a-z]|app)-`, at: '-' },
    { behind: String.raw`[Hh][Oo]{2}[Kk][Ss]\.[Ss][Ll][Aa][Cc][Kk]\.`, at: String.raw`\.` },
  ],
  // `scheme://user:password@`: at most 513 characters between `://` and `@`, none a slash or a space.
  '@secretlint/secretlint-rule-basicauth': [{ behind: String.raw`:\/\/[^\s/]{3,600}@`, at: '@' }],
  '@secretlint/secretlint-rule-openai': [{ prefix: 'sk', before: '-' }],
  '@secretlint/secretlint-rule-anthropic': [{ prefix: 'sk', before: '-' }],
  '@secretlint/secretlint-rule-groq': [{ prefix: 'gsk', before: '_' }],
  '@secretlint/secretlint-rule-huggingface': [{ prefix: 'hf', before: '_' }],
  '@secretlint/secretlint-rule-linear': [{ prefix: 'lin_api', before: '_' }],
  '@secretlint/secretlint-rule-notion': [{ prefix: 'ntn', before: '_' }],
  '@secretlint/secretlint-rule-privatekey': [{ behind: 'PRIVATE KEY(?: BLOCK)?-', at: '-' }],
  '@secretlint/secretlint-rule-sendgrid': [{ behind: String.raw`(?<![A-Za-z])SG\.`, at: String.raw`\.` }],
  '@secretlint/secretlint-rule-shopify': [{ prefix: 'shp(?:pa|ca|at|ss)', before: '_' }],
  '@secretlint/secretlint-rule-stripe': [{ prefix: '[sr]k_(?:live|test)', before: '_' }],
  '@secretlint/secretlint-rule-github': [{ prefix: 'gh[pousr]|github_pat', before: '_' }],
  '@secretlint/secretlint-rule-gitlab': [{ prefix: 'glpat', before: '-' }],
  '@secretlint/secretlint-rule-grafana': [{ prefix: 'glc|glsa', before: '_' }],
  '@secretlint/secretlint-rule-1password': [{ prefix: 'ops', before: '_' }],
  // Reported only with a user and a password: `mongodb+srv://u:p@`, `mysql://...@`, `postgres://...@`.
  '@secretlint/secretlint-rule-database-connection-string': [{ behind: String.raw`:\/\/[^\s/]{3,600}@`, at: '@' }],
  '@secretlint/secretlint-rule-hashicorp-vault': [{ prefix: 'hv[sbr]', before: '.' }],
  '@secretlint/secretlint-rule-vercel': [{ prefix: 'vc[pciark]', before: '_' }],
  '@secretlint/secretlint-rule-databricks': [{ pattern: 'dapi[a-fA-F0-9]{32}' }],
  '@secretlint/secretlint-rule-docker': [{ prefix: 'dckr_pat', before: '_' }],
  '@secretlint/secretlint-rule-figma': [{ prefix: 'figd', before: '_' }],
  '@secretlint/secretlint-rule-cloudflare': [{ prefix: 'cf(?:k|ut|at)', before: '_' }],
  '@secretlint/secretlint-rule-tailscale': [{ prefix: 'tskey', before: '-' }],
};

/** One pattern of all the keywords, an alternative per rare character. */
function keywordsPattern(keywords: readonly Keyword[]): RegExp {
  const prefixes = new Map<string, Set<string>>();
  const behinds = new Map<string, Set<string>>();
  const patterns = new Set<string>();
  const add = (map: Map<string, Set<string>>, key: string, value: string) => map.set(key, (map.get(key) ?? new Set()).add(value));
  for (const keyword of keywords) {
    if ('pattern' in keyword) patterns.add(keyword.pattern);
    else if ('prefix' in keyword) add(prefixes, keyword.before === '.' ? String.raw`\.` : keyword.before, keyword.prefix);
    else add(behinds, keyword.at, keyword.behind);
  }
  const alternatives = [
    ...[...prefixes].map(([c, list]) => String.raw`${c}(?<=(?<![A-Za-z])(?:${[...list].join('|')})${c})[\w+/=\-]{16}`),
    ...[...behinds].map(([c, list]) => `${c}(?<=${[...list].join('|')})`),
    ...patterns,
  ];
  return new RegExp(alternatives.join('|'));
}

export const KEYWORDS = keywordsPattern(Object.values(PRESET_KEYWORDS).flat());

/**
 * Each rule's own keywords: a text that holds none of a rule's keywords gives that rule nothing to
 * report, so the full scan runs only the rules whose keywords the text holds.
 */
export const RULE_KEYWORDS: ReadonlyMap<string, RegExp> = new Map(Object.entries(PRESET_KEYWORDS).map(([rule, keywords]) => [rule, keywordsPattern(keywords)]));

/** Fields of an event that are ours (envelope, attribution, normalized usage): never scanned. */
export const OUR_FIELDS = new Set(['timestamp', 'vendor', 'product', 'schema_version', 'event', 'severity', 'endpoint', 'harness', 'origin', 'run', 'repository', 'branch', 'gen_ai', 'field_truncated']);
/** Shorter strings hold no secret any rule of the preset reports (the shortest: a 12-digit AWS account id with its name). */
const MIN_KEYWORD_LENGTH = 16;
const MAX_DEPTH = 128;


/** What `checkRecordStrings` saw in an event: MASKED and SUSPECT may both be set. */
export const CLEAN = 0;
/** A value of the run's own secrets was there (and is masked now, when masking in place). */
export const MASKED = 1;
/** A string holds a keyword of the preset: secretlint decides. */
export const SUSPECT = 2;

/**
 * Every string of the event that the record brought (not OUR_FIELDS), checked for the run's secret
 * values (`masks`, from beacon/redact.ts's maskedValuesPattern) and the preset's keywords.
 * `maskInPlace`: replace the values found by `[REDACTED]` in the event itself.
 */
export function checkRecordStrings(event: Json, masks: RegExp | undefined, maskInPlace: boolean): number {
  let verdict = CLEAN;
  for (const key in event) if (!OUR_FIELDS.has(key)) verdict |= checkValue(event, key, masks, maskInPlace, 0);
  return verdict;
}

function checkValue(parent: Json, key: string, masks: RegExp | undefined, maskInPlace: boolean, depth: number): number {
  const value = parent[key];
  if (typeof value === 'string') {
    if (value.length < MIN_MASKED_LENGTH) return CLEAN;
    let verdict = CLEAN;
    let text = value;
    if (masks) {
      masks.lastIndex = 0;
      if (masks.test(value)) {
        verdict = MASKED;
        if (maskInPlace) parent[key] = text = value.replace(masks, REDACTED);
      }
    }
    return text.length >= MIN_KEYWORD_LENGTH && KEYWORDS.test(text) ? verdict | SUSPECT : verdict;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return CLEAN;
  let verdict = CLEAN;
  for (const inner in value) verdict |= checkValue(value, inner, masks, maskInPlace, depth + 1);
  return verdict;
}

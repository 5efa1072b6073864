import { maskedValuesPattern, MIN_MASKED_LENGTH, REDACTED } from '../../beacon/redact.js';

/**
 * The post step's second net for secrets: what the runtime log holds of what tools did is scanned
 * with secretlint's recommended rule set (@secretlint/secretlint-rule-preset-recommend, the
 * ecosystem's maintained rules) and the run's exact secret values, and whatever they find is
 * replaced by `[REDACTED]`. The collector already redacted every string with its own rules
 * (beacon/redact.ts); this catches what those rules do not know (Stripe, GitLab, Shopify... keys).
 *
 * It must cost next to nothing when there is nothing to find: secretlint's rules cost about four
 * times a JSON.parse of the same text, and one `lintSource` call half a millisecond. So a string
 * goes to secretlint only when it holds one of the keywords below, what every secret the preset's
 * rule reports contains (as gitleaks keys its rules); secretlint itself is loaded on the first
 * such string. No file name is given, so the npm rule also looks for `.npmrc` and package.json
 * credentials. Only the strings a record brought are scanned: the envelope and the run's
 * attribution are ours.
 */

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
function keywordsPattern(): RegExp {
  const prefixes = new Map<string, Set<string>>();
  const behinds = new Map<string, Set<string>>();
  const patterns = new Set<string>();
  const add = (map: Map<string, Set<string>>, key: string, value: string) => map.set(key, (map.get(key) ?? new Set()).add(value));
  for (const keyword of Object.values(PRESET_KEYWORDS).flat()) {
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

/**
 * Rules of the preset left out: `secretlint-disable` comments in scanned text would switch
 * reporting off, and the text is what a tool printed, anyone's to write.
 */
export const LEFT_OUT_RULES = new Set(['@secretlint/secretlint-rule-filter-comments']);

const KEYWORDS = keywordsPattern();

/** Fields of an event that are ours (envelope, attribution, normalized usage): never scanned. */
const OUR_FIELDS = new Set(['timestamp', 'vendor', 'product', 'schema_version', 'event', 'severity', 'endpoint', 'harness', 'origin', 'run', 'repository', 'branch', 'gen_ai', 'field_truncated']);
/** Shorter strings hold no secret any rule of the preset reports (the shortest: a 12-digit AWS account id with its name). */
const MIN_KEYWORD_LENGTH = 16;
const MAX_DEPTH = 128;

type Json = Record<string, any>;

/** What `check` saw in an event: MASKED and SUSPECT may both be set. */
export const CLEAN = 0;
/** A value of the run's own secrets was there, and is masked now. */
export const MASKED = 1;
/** A string holds a keyword of the preset: `redact` decides. */
export const SUSPECT = 2;

/** A secretlint report: where, and the values its rule names (the secret among them). */
export interface Finding {
  range: readonly [number, number];
  data?: Record<string, unknown>;
}
type Lint = (content: string) => Promise<Finding[]>;

let loadedLint: Promise<Lint> | undefined;

/** secretlint's lintSource with the preset (all rules but LEFT_OUT_RULES), loaded once. */
function lint(): Promise<Lint> {
  return (loadedLint ??= (async () => {
    const [{ lintSource }, { rules }] = await Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend')]);
    const config = {
      rules: rules
        .filter((rule) => !LEFT_OUT_RULES.has(rule.meta.id))
        .map((rule) => ({ id: rule.meta.id, rule })),
    };
    return async (content: string) => {
      const result = await lintSource({ source: { filePath: '', content, ext: '.txt', contentType: 'text' }, options: { config: config as never, noPhysicFilePath: true } });
      return result.messages as unknown as Finding[];
    };
  })());
}

/** What secretlint's preset (as the scan runs it) reports in a text. */
export async function secretlintFindings(content: string): Promise<Finding[]> {
  return (await lint())(content);
}

/** What a finding says is the secret: the values its rule reported, else its range. */
function secretsOf(content: string, finding: Finding): string[] {
  const values = Object.values(finding.data ?? {}).filter((v): v is string => typeof v === 'string' && v.length >= MIN_MASKED_LENGTH && content.includes(v));
  return values.length > 0 ? values : [content.slice(finding.range[0], finding.range[1])];
}

export class SecretScanner {
  private readonly masks: RegExp | undefined;
  /** Strings secretlint was run on, secrets it found and replaced, runs that failed. */
  readonly stats = { scanned: 0, found: 0, failed: 0 };
  /** Strings changed so far (`redact` compares before and after). */
  private changes = 0;

  /** `maskValues`: the run's exact secret values (beacon/masked-values.ts), replaced wherever found. */
  constructor(maskValues: readonly string[] = []) {
    this.masks = maskedValuesPattern(maskValues);
  }

  /**
   * Synchronous and cheap: masks the run's secret values in place (MASKED when one was there), and
   * says SUSPECT when a string holds a keyword of the preset (then `redact` decides).
   */
  check(event: Json): number {
    let verdict = CLEAN;
    for (const key in event) if (!OUR_FIELDS.has(key)) verdict |= this.checkValue(event, key, 0);
    return verdict;
  }

  private checkValue(parent: Json, key: string, depth: number): number {
    const value = parent[key];
    if (typeof value === 'string') {
      if (value.length < MIN_MASKED_LENGTH) return CLEAN;
      const masked = this.masks ? this.mask(value) : value;
      const verdict = masked.length >= MIN_KEYWORD_LENGTH && KEYWORDS.test(masked) ? SUSPECT : CLEAN;
      if (masked === value) return verdict;
      parent[key] = masked;
      return verdict | MASKED;
    }
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return CLEAN;
    let verdict = CLEAN;
    for (const inner in value) verdict |= this.checkValue(value, inner, depth + 1);
    return verdict;
  }

  private mask(text: string): string {
    if (!this.masks || text.length < MIN_MASKED_LENGTH) return text;
    this.masks.lastIndex = 0;
    return this.masks.test(text) ? text.replace(this.masks, REDACTED) : text;
  }

  /**
   * Every string of the event that the record brought, masked and, when it holds a keyword,
   * scanned with the full rule set; what is found is replaced in place. Returns whether anything changed.
   */
  async redact(event: Json): Promise<boolean> {
    const before = this.changes;
    for (const key of Object.keys(event)) {
      if (OUR_FIELDS.has(key)) continue;
      const value = event[key];
      const redacted = await this.redactValue(value);
      if (redacted !== value) event[key] = redacted;
    }
    return this.changes > before;
  }

  /** Masks and scans one string (returns it, changed or not). */
  async redactText(text: string): Promise<string> {
    const masked = this.mask(text);
    if (!KEYWORDS.test(masked)) {
      if (masked !== text) this.changes += 1;
      return masked;
    }
    let findings: Finding[];
    try {
      findings = await secretlintFindings(masked);
    } catch {
      // The rules could not run (never seen): the collector's redaction stands; the post step goes on.
      this.stats.failed += 1;
      if (masked !== text) this.changes += 1;
      return masked;
    }
    this.stats.scanned += 1;
    let out = masked;
    const secrets = [...new Set(findings.flatMap((f) => secretsOf(masked, f)))].filter((s) => !s.includes(REDACTED)).sort((a, b) => b.length - a.length);
    for (const secret of secrets) {
      if (!out.includes(secret)) continue;
      out = out.split(secret).join(REDACTED);
      this.stats.found += 1;
    }
    if (out !== text) this.changes += 1;
    return out;
  }

  /** Every string inside a JSON-like value, in place (the usage file); returns the value. */
  async redactValue<T>(value: T, depth = 0): Promise<T> {
    if (typeof value === 'string') return (value.length < MIN_MASKED_LENGTH ? value : await this.redactText(value)) as T;
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    const obj = value as Json;
    for (const key of Object.keys(obj)) {
      const before = obj[key];
      const after = await this.redactValue(before, depth + 1);
      if (after !== before) obj[key] = after;
    }
    return value;
  }
}

import { maskedValuesPattern, MIN_MASKED_LENGTH, REDACTED } from '../../beacon/redact.js';
import { checkRecordStrings, KEYWORDS, OUR_FIELDS, RULE_KEYWORDS } from '../../beacon/secret-keywords.js';

export { CLEAN, MASKED, PRESET_KEYWORDS, SUSPECT } from '../../beacon/secret-keywords.js';

/**
 * The post step's second net for secrets: what the runtime log holds of what tools did is scanned
 * with secretlint's recommended rule set (@secretlint/secretlint-rule-preset-recommend, the
 * ecosystem's maintained rules) and the run's exact secret values, and whatever they find is
 * replaced by `[REDACTED]`. The collector already redacted every string with its own rules
 * (beacon/redact.ts); this catches what those rules do not know (Stripe, GitLab, Shopify... keys).
 *
 * It must cost next to nothing when there is nothing to find: secretlint's rules cost about four
 * times a JSON.parse of the same text, and one `lintSource` call half a millisecond. So a string
 * goes to secretlint only when it holds one of the keywords of beacon/secret-keywords.ts, what
 * every secret the preset's rules report contains (as gitleaks keys its rules); secretlint itself is loaded on the first
 * such string. No file name is given, so the npm rule also looks for `.npmrc` and package.json
 * credentials. Only the strings a record brought are scanned: the envelope and the run's
 * attribution are ours.
 */

/**
 * Rules of the preset left out: `secretlint-disable` comments in scanned text would switch
 * reporting off, and the text is what a tool printed, anyone's to write.
 */
export const LEFT_OUT_RULES = new Set(['@secretlint/secretlint-rule-filter-comments']);

type Json = Record<string, any>;
const MAX_DEPTH = 128;

/** A secretlint report: where, and the values its rule names (the secret among them). */
export interface Finding {
  range: readonly [number, number];
  data?: Record<string, unknown>;
}
type Lint = (content: string, ruleIds?: readonly string[]) => Promise<Finding[]>;

let loadedLint: Promise<Lint> | undefined;

/**
 * secretlint's lintSource with the preset (all rules but LEFT_OUT_RULES), loaded once; given
 * `ruleIds`, with those rules only (a config per set of rules, made once).
 */
function lint(): Promise<Lint> {
  return (loadedLint ??= (async () => {
    const [{ lintSource }, { rules }] = await Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend')]);
    const kept = rules.filter((rule) => !LEFT_OUT_RULES.has(rule.meta.id));
    const configs = new Map<string, unknown>();
    const configFor = (ruleIds: readonly string[] | undefined) => {
      const key = ruleIds ? ruleIds.join(' ') : '*';
      let config = configs.get(key);
      if (!config) {
        const wanted = ruleIds && new Set(ruleIds);
        config = { rules: kept.filter((rule) => !wanted || wanted.has(rule.meta.id)).map((rule) => ({ id: rule.meta.id, rule })) };
        configs.set(key, config);
      }
      return config;
    };
    return async (content: string, ruleIds?: readonly string[]) => {
      const result = await lintSource({ source: { filePath: '', content, ext: '.txt', contentType: 'text' }, options: { config: configFor(ruleIds) as never, noPhysicFilePath: true } });
      return result.messages as unknown as Finding[];
    };
  })());
}

/** What secretlint's preset (as the scan runs it) reports in a text: every rule, or `ruleIds` only. */
export async function secretlintFindings(content: string, ruleIds?: readonly string[]): Promise<Finding[]> {
  return (await lint())(content, ruleIds);
}

/**
 * The rules that could report something in a text: those whose keywords it holds. Running only
 * these costs about a thirteenth of the whole preset (0.02 against 0.26 ms a string).
 */
export function rulesFor(text: string): string[] {
  const ids: string[] = [];
  for (const [id, keywords] of RULE_KEYWORDS) if (keywords.test(text)) ids.push(id);
  return ids;
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
    return checkRecordStrings(event, this.masks, true);
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
      findings = await secretlintFindings(masked, rulesFor(masked));
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

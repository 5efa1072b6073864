import { codexRules } from './codex/rules.js';
import { genericRules } from './generic.js';
import type { HarnessRules } from './harness.js';

/** The harnesses we know, most specific first. A second harness (Claude Code) is one more entry. */
const KNOWN: HarnessRules[] = [codexRules];

export function rulesFor(serviceName: string): HarnessRules {
  return KNOWN.find((rules) => rules.claims(serviceName)) ?? genericRules(serviceName);
}

export type { HarnessRules, MapOptions, RecordContext } from './harness.js';

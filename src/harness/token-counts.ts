import { addCount } from '../beacon/integers.js';
import type { RawTokenCounts } from './sessions.js';

/** The fields of RawTokenCounts. */
export const COUNT_FIELDS = ['input', 'cachedInput', 'output', 'reasoningOutput'] as const;

/** The token types of the metric (`gen_ai.token.type`) that are counted, and the field of each. */
export const FIELD_OF_TOKEN_TYPE: Readonly<Record<string, keyof RawTokenCounts>> = {
  input: 'input',
  cached_input: 'cachedInput',
  output: 'output',
  reasoning_output: 'reasoningOutput',
};

export function emptyCounts(): RawTokenCounts {
  return { input: 0, cachedInput: 0, output: 0, reasoningOutput: 0 };
}

/** Adds `more` into `into`, field by field, each held at 2^53-1 (a sum past it is neither exact nor writable); returns `into`. */
export function addCounts(into: RawTokenCounts, more: RawTokenCounts): RawTokenCounts {
  for (const field of COUNT_FIELDS) into[field] = addCount(into[field], more[field]);
  return into;
}

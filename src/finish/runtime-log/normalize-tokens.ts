import type { TokenUsage } from '../../beacon/event.js';
import { isCount } from '../../beacon/integers.js';
import { isObject } from '../../beacon/json-object.js';

/**
 * Token usage normalization (schema page "Token usage"): pure functions, no I/O.
 *
 * The collector writes one `token.usage` event per data point of `codex.turn.token_usage` with an
 * empty `gen_ai.usage` and the raw value in `raw.metric_value`. Here each point becomes an amount
 * (delta: the value; cumulative: the difference from the series' previous point), and the amount
 * is placed by token type, with `input` made disjoint from `cached_input` of the same turn.
 */

export type Temporality = 'Delta' | 'Cumulative';

/** What normalization needs to know about one token data point. */
export interface TokenPoint {
  tokenType: string;
  /** `raw.metric_value`: the histogram sum of the point, a whole number from 0 to 2^53-1. */
  value: number;
  temporality: Temporality;
  /**
   * Metric name, every attribute (token_type included), model, the resource (the process) and the
   * series start: one cumulative series.
   */
  seriesKey: string;
  /** Export, resource, timestamp, metric name, model and every attribute but token_type: one turn of one export. */
  turnKey: string;
}

/** The token event fields a point is read from (a parsed capture line). */
export interface TokenEventLike {
  timestamp?: unknown;
  model?: unknown;
  gen_ai?: unknown;
  raw?: unknown;
}

/**
 * Keys an object's entries in sorted order, so that two attribute sets that differ only in
 * key order give the same key.
 */
function stableEntries(attributes: Record<string, unknown>, skip?: string): [string, unknown][] {
  return Object.keys(attributes)
    .filter((key) => key !== skip)
    .sort()
    .map((key) => [key, attributes[key]]);
}


/**
 * The token point of a parsed `token.usage` event, or `undefined` when its `raw` does not hold a
 * usable value, a whole number from 0 to 2^53-1 (the event then gets no usage, and its series
 * neither advances nor resets: a missing value is never a reset).
 */
export function tokenPointOf(event: TokenEventLike): TokenPoint | undefined {
  const raw = event.raw;
  if (!isObject(raw)) return undefined;
  const value = raw.metric_value;
  if (!isCount(value)) return undefined;
  const attributes = isObject(raw.attributes) ? raw.attributes : {};
  const genAi = isObject(event.gen_ai) ? event.gen_ai : {};
  const declaredType = isObject(genAi.token) && typeof genAi.token.type === 'string' ? genAi.token.type : undefined;
  const tokenType = declaredType ?? (typeof attributes.token_type === 'string' ? attributes.token_type : 'unknown');
  const metricName = typeof raw.metric_name === 'string' ? raw.metric_name : '';
  const model = typeof event.model === 'string' ? event.model : '';
  const startTime = typeof raw.metric_start_time === 'string' ? raw.metric_start_time : '';
  const resource = typeof raw.resource_id === 'string' ? raw.resource_id : '';
  const exportSeq = typeof raw.export_seq === 'number' ? raw.export_seq : null;
  const timestamp = typeof event.timestamp === 'string' ? event.timestamp : '';
  return {
    tokenType,
    value,
    temporality: raw.metric_temporality === 'Cumulative' ? 'Cumulative' : 'Delta',
    seriesKey: JSON.stringify([metricName, model, tokenType, stableEntries(attributes, 'token_type'), resource, startTime]),
    turnKey: JSON.stringify([exportSeq, resource, timestamp, metricName, model, stableEntries(attributes, 'token_type')]),
  };
}

/**
 * The last value of each cumulative series seen so far, across exports. Bounded: past `maxSeries`
 * the least recently updated series is forgotten (its next point would then count fully, which
 * only a log with an absurd number of series can reach).
 */
export class CumulativeSeries {
  private readonly last = new Map<string, number>();

  constructor(private readonly maxSeries = 50_000) {}

  /** The amount a cumulative point adds: growth since the previous point, or all of it after a reset. */
  amount(seriesKey: string, value: number): number {
    const previous = this.last.get(seriesKey);
    // Re-insert so that Map order is least recently updated first.
    this.last.delete(seriesKey);
    this.last.set(seriesKey, value);
    if (this.last.size > this.maxSeries) this.last.delete(this.last.keys().next().value!);
    if (previous === undefined) return value; // the first point of a series counts fully
    if (value < previous) return value; // a drop is a reset: the series restarted from zero
    return value - previous;
  }

  get size(): number {
    return this.last.size;
  }
}

/** Amount of one point: delta points are amounts already, cumulative points are differenced. */
export function amountOf(point: TokenPoint, series: CumulativeSeries): number {
  const amount = point.temporality === 'Cumulative' ? series.amount(point.seriesKey, point.value) : point.value;
  // Token counts are whole and never negative (a point's value is a count: so is its difference).
  return isCount(amount) ? amount : 0;
}

/**
 * The usage object of one point, given its amount. `input` arrives already reduced by the
 * cached input of its turn (see `usageForExport`). Types without a usage field get `{}`.
 */
export function usageOf(tokenType: string, amount: number): TokenUsage {
  switch (tokenType) {
    case 'input':
      return { input_tokens: amount };
    case 'cached_input':
      return { cache_read: { input_tokens: amount } };
    case 'output':
      return { output_tokens: amount };
    case 'reasoning_output':
      return { reasoning: { output_tokens: amount } };
    default:
      // `total` (the server's own figure, may disagree), `cache_write_input` and unknown types:
      // the value stays in raw.metric_value only.
      return {};
  }
}

/** One export request's points, normalized: each point's usage, and its amount before input was made disjoint. */
export interface NormalizedExport {
  usages: TokenUsage[];
  amounts: number[];
}

/**
 * The usage of every point of one export request, in the given order. Cumulative points are
 * differenced against `series` (which this updates); then each turn's `input` amount is reduced
 * by the `cached_input` amount of the same turn, never below 0, so input and cache are disjoint.
 */
export function normalizeExport(points: readonly TokenPoint[], series: CumulativeSeries): NormalizedExport {
  const amounts = points.map((point) => amountOf(point, series));
  const cachedByTurn = new Map<string, number>();
  points.forEach((point, i) => {
    if (point.tokenType === 'cached_input') cachedByTurn.set(point.turnKey, (cachedByTurn.get(point.turnKey) ?? 0) + amounts[i]!);
  });
  const usages = points.map((point, i) => {
    let amount = amounts[i]!;
    if (point.tokenType === 'input') {
      const cached = cachedByTurn.get(point.turnKey) ?? 0;
      const disjoint = Math.max(0, amount - cached);
      // Should a turn hold two input points, the cache is subtracted once in total.
      cachedByTurn.set(point.turnKey, cached - (amount - disjoint));
      amount = disjoint;
    }
    return usageOf(point.tokenType, amount);
  });
  return { usages, amounts };
}

/** `normalizeExport`'s usages alone. */
export function usageForExport(points: readonly TokenPoint[], series: CumulativeSeries): TokenUsage[] {
  return normalizeExport(points, series).usages;
}

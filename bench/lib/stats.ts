/** Medians, spreads and ratios of repeated measurements, and the result format every row emits. */
import fs from 'node:fs';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Interquartile range (linear interpolation between the closest ranks). */
  q1: number;
  q3: number;
  n: number;
  values: number[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function summarize(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 0.5),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    q1: percentile(sorted, 0.25),
    q3: percentile(sorted, 0.75),
    n: sorted.length,
    values: [...values],
  };
}

/** Ratios of paired runs (subject[i] / baseline[i]), so that the noise of one moment cancels. */
export function pairedRatios(subject: readonly number[], baseline: readonly number[]): number[] {
  return subject.map((value, i) => value / baseline[i]!);
}

export interface Target {
  /** As the brief states it, e.g. "≤ 3x". */
  text: string;
  met: boolean;
}

/** One line of a row: a subject measured against a baseline, both in `unit`. */
export interface Measure {
  label: string;
  unit: string;
  subject: Spread;
  baselineLabel?: string;
  baseline?: Spread;
  /** Paired subject/baseline ratios (or whatever `ratioLabel` says). */
  ratio?: Spread;
  ratioLabel?: string;
  target?: Target;
}

export interface RowResult {
  id: string;
  title: string;
  measures: Measure[];
  /** What was run, sizes, and anything a reader needs to trust the numbers. */
  notes: string[];
  details?: Record<string, unknown>;
}

/** Hands a result to bench/run.mjs (appended to the JSON array in the file it names), or prints it when run alone. */
export function emit(result: RowResult): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (!file) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const results = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RowResult[]) : [];
  results.push(result);
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
}

export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

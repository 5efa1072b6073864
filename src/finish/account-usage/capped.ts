import { capString } from '../../beacon/limits.js';

/**
 * Collections whose size does not grow with the log: past their cap, what does not fit is
 * counted (under OTHER_KEY) or left out, never kept.
 */

/** Group key for values past a map's cap. */
export const OTHER_KEY = '(other)';

/** A Map with at most `cap` keys; later keys fall into OTHER_KEY. */
export class CappedMap<V extends object> {
  readonly map = new Map<string, V>();
  constructor(
    private readonly cap: number,
    private readonly create: () => V,
  ) {}

  get(key: string): V {
    let value = this.map.get(key);
    if (value === undefined) {
      if (this.map.size >= this.cap) key = OTHER_KEY;
      value = this.map.get(key);
      if (value === undefined) {
        value = this.create();
        this.map.set(key, value);
      }
    }
    return value;
  }

  /** Own-property object (Object.fromEntries), so a key such as `__proto__` stays a plain key. */
  toObject(): Record<string, V> {
    return Object.fromEntries([...this.map].map(([key, value]) => [key, { ...value }]));
  }
}

export class CappedCounter {
  private readonly counts: CappedMap<{ n: number }>;
  constructor(cap: number) {
    this.counts = new CappedMap(cap, () => ({ n: 0 }));
  }
  add(key: string, by = 1): void {
    this.counts.get(key).n += by;
  }
  toObject(): Record<string, number> {
    return Object.fromEntries([...this.counts.map].map(([k, v]) => [k, v.n]));
  }
}

/** Distinct short strings, first `cap` kept in arrival order. */
export class DistinctList {
  readonly values = new Set<string>();
  constructor(
    private readonly cap: number,
    private readonly maxChars: number,
  ) {}
  add(value: unknown): void {
    if (typeof value !== 'string' || value === '' || this.values.size >= this.cap) return;
    this.values.add(capString(value, this.maxChars));
  }
}

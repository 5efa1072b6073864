// isoUtc must give exactly what Date#toISOString gives, which it replaces in the collector.
import { describe, expect, test } from 'vitest';
import { isoUtc } from '../src/beacon/utc-time.js';
import { Prng } from './support/otlp/prng.js';

const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** What Date gives: the string, or its error's message. */
function viaDate(ms: number): string {
  try {
    return new Date(ms).toISOString();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
function viaIsoUtc(ms: number): string {
  try {
    return isoUtc(ms);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('isoUtc', () => {
  test('known instants', () => {
    expect(isoUtc(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoUtc(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoUtc(1763900000123)).toBe('2025-11-23T12:13:20.123Z');
    expect(isoUtc(951782400000)).toBe('2000-02-29T00:00:00.000Z');
    expect(isoUtc(FIRST_MS)).toBe('0000-01-01T00:00:00.000Z');
    expect(isoUtc(LAST_MS)).toBe('9999-12-31T23:59:59.999Z');
    // Outside 0000–9999, Date's extended years.
    expect(isoUtc(FIRST_MS - 1)).toBe('-000001-12-31T23:59:59.999Z');
    expect(isoUtc(LAST_MS + 1)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => isoUtc(Number.NaN)).toThrow(RangeError);
  });

  test('edges: day, month, leap and range boundaries, fractions, -0, limits of Date', () => {
    const edges: number[] = [0, -0, 0.9, -0.9, 1.5, -1.5, 999.999, -999.999, Number.NaN, Infinity, -Infinity, 8.64e15, -8.64e15, 8.64e15 + 1, -8.64e15 - 1];
    for (const iso of ['1900-02-28T23:59:59.999Z', '1900-03-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2100-03-01T00:00:00.000Z', '1600-02-29T12:00:00.000Z', '0004-02-29T00:00:00.000Z', '0999-12-31T23:59:59.999Z', '1000-01-01T00:00:00.000Z', '1969-12-31T23:59:59.000Z', '9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '0000-02-29T00:00:00.000Z']) {
      const ms = Date.parse(iso);
      edges.push(ms - 1, ms, ms + 1, ms + 0.5, ms - 0.5);
    }
    for (const ms of edges) expect(viaIsoUtc(ms), String(ms)).toBe(viaDate(ms));
  });

  test('200,000 random times across and beyond years 0000–9999, whole and fractional', () => {
    const rng = new Prng(20261124);
    let inRange = 0;
    for (let i = 0; i < 200_000; i++) {
      const wide = rng.bool(0.1);
      let ms = wide ? (rng.next() * 2 - 1) * 8.7e15 : FIRST_MS - 1e11 + rng.next() * (LAST_MS - FIRST_MS + 2e11);
      if (rng.bool(0.7)) ms = Math.round(ms);
      if (ms >= FIRST_MS && ms <= LAST_MS) inRange++;
      const expected = viaDate(ms);
      if (viaIsoUtc(ms) !== expected) expect(viaIsoUtc(ms), String(ms)).toBe(expected);
    }
    expect(inRange).toBeGreaterThan(170_000);
  });
});

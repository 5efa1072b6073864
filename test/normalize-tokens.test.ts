import { describe, expect, it } from 'vitest';
import { newEvent } from '../src/beacon/envelope.js';
import type { BeaconEvent, TokenRaw, TokenUsage } from '../src/beacon/event.js';
import { CumulativeSeries, amountOf, tokenPointOf, usageForExport, usageOf } from '../src/finish/runtime-log/normalize-tokens.js';

/** A token event as the collector writes it (schema page "Token usage"), usage still empty. */
interface PointSpec {
  type: string;
  value: number;
  seq: number;
  timestamp?: string;
  model?: string;
  temporality?: 'Delta' | 'Cumulative';
  start?: string;
  attributes?: Record<string, string>;
  /** `raw.resource_id`: the process (resource) that sent the point. */
  resource?: string;
}

function tokenEvent(spec: PointSpec): BeaconEvent {
  const model = spec.model ?? 'gpt-5.5';
  const event = newEvent({ endpoint: { hostname: 'runner', os: 'linux' } }, { timestamp: spec.timestamp ?? '2026-11-23T20:33:56.241Z', action: 'token.usage', category: 'metric', harness: 'codex_cli' });
  event.message = 'codex.turn.token_usage';
  event.model = model;
  event.gen_ai = { token: { type: spec.type }, usage: {} };
  const raw: TokenRaw = {
    otel_signal: 'metrics',
    metric_name: 'codex.turn.token_usage',
    metric_type: 'Histogram',
    metric_temporality: spec.temporality ?? 'Delta',
    metric_count: 1,
    metric_value: spec.value,
    attributes: { 'app.version': '0.169.0', model, originator: 'codex_exec', session_source: 'exec', ...spec.attributes, token_type: spec.type },
    export_seq: spec.seq,
    metric_start_time: spec.start ?? '2026-11-23T20:33:56.104Z',
    ...(spec.resource ? { resource_id: spec.resource } : {}),
  };
  event.raw = raw as unknown as Record<string, unknown>;
  return event;
}

/** Normalizes exports in order with one series state, as process-log does. */
function normalizeExports(exports: PointSpec[][]): TokenUsage[][] {
  const series = new CumulativeSeries();
  return exports.map((specs) => usageForExport(specs.map((spec) => tokenPointOf(tokenEvent(spec))!), series));
}

/** True when the usage object holds at least one field (the readers' "event that carries usage"). */
const carriesUsage = (usage: TokenUsage) => Object.keys(usage).length > 0;

/** Disjoint sums over every usage object. */
function sums(usages: TokenUsage[]) {
  const total = { input: 0, cached: 0, output: 0, reasoning: 0, withUsage: 0 };
  for (const u of usages) {
    total.input += u.input_tokens ?? 0;
    total.cached += u.cache_read?.input_tokens ?? 0;
    total.output += u.output_tokens ?? 0;
    total.reasoning += u.reasoning?.output_tokens ?? 0;
    if (carriesUsage(u)) total.withUsage += 1;
  }
  return total;
}

/** The six points of the fixtures' turn (fixtures/README.md): one export, delta. */
function fixtureTurn(seq: number, extra: Partial<PointSpec> = {}): PointSpec[] {
  return [
    { type: 'reasoning_output', value: 30, seq, ...extra },
    { type: 'cached_input', value: 2150, seq, ...extra },
    { type: 'cache_write_input', value: 0, seq, ...extra },
    { type: 'output', value: 80, seq, ...extra },
    { type: 'total', value: 2680, seq, ...extra },
    { type: 'input', value: 2600, seq, ...extra },
  ];
}

describe('usageOf places the amount by token type', () => {
  it('uses the nested TokenUsage fields and leaves other types empty', () => {
    expect(usageOf('input', 7)).toEqual({ input_tokens: 7 });
    expect(usageOf('cached_input', 7)).toEqual({ cache_read: { input_tokens: 7 } });
    expect(usageOf('output', 7)).toEqual({ output_tokens: 7 });
    expect(usageOf('reasoning_output', 7)).toEqual({ reasoning: { output_tokens: 7 } });
    expect(usageOf('total', 7)).toEqual({});
    expect(usageOf('cache_write_input', 7)).toEqual({});
    expect(usageOf('tool', 7)).toEqual({});
  });

  it('never writes cost_usd', () => {
    for (const type of ['input', 'cached_input', 'output', 'reasoning_output', 'total']) expect(JSON.stringify(usageOf(type, 5))).not.toContain('cost');
  });
});

describe('usageForExport with delta temporality', () => {
  it('turns the fixtures turn into the disjoint totals 450 / 2150 / 80 / 30', () => {
    const [usages] = normalizeExports([fixtureTurn(1)]);
    expect(usages).toEqual([
      { reasoning: { output_tokens: 30 } },
      { cache_read: { input_tokens: 2150 } },
      {},
      { output_tokens: 80 },
      {},
      { input_tokens: 450 },
    ]);
    expect(sums(usages!)).toEqual({ input: 450, cached: 2150, output: 80, reasoning: 30, withUsage: 4 });
  });

  it('sums the points of successive exports', () => {
    const later = '2026-11-23T20:35:00.000Z';
    const usages = normalizeExports([
      fixtureTurn(3),
      [
        { type: 'input', value: 1000, seq: 5, timestamp: later },
        { type: 'cached_input', value: 600, seq: 5, timestamp: later },
        { type: 'output', value: 40, seq: 5, timestamp: later },
      ],
    ]).flat();
    expect(sums(usages)).toEqual({ input: 450 + 400, cached: 2150 + 600, output: 120, reasoning: 30, withUsage: 7 });
  });

  it('pairs each turn of one export with its own cached input', () => {
    const [usages] = normalizeExports([
      [
        { type: 'input', value: 1000, seq: 1, timestamp: '2026-11-23T20:33:56.000Z' },
        { type: 'cached_input', value: 900, seq: 1, timestamp: '2026-11-23T20:33:56.000Z' },
        { type: 'input', value: 500, seq: 1, timestamp: '2026-11-23T20:34:30.000Z' },
        { type: 'cached_input', value: 0, seq: 1, timestamp: '2026-11-23T20:34:30.000Z' },
      ],
    ]);
    // One export-wide pairing would give 1500 - 900 = 600 in one place; per turn it is 100 and 500.
    expect(usages!.map((u) => u.input_tokens)).toEqual([100, undefined, 500, undefined]);
  });

  it('does not pair points of different exports, even with the same timestamp', () => {
    const usages = normalizeExports([[{ type: 'input', value: 2600, seq: 1 }], [{ type: 'cached_input', value: 2150, seq: 2 }]]).flat();
    expect(usages).toEqual([{ input_tokens: 2600 }, { cache_read: { input_tokens: 2150 } }]);
  });

  it('handles two turns aggregated into one histogram point (several turns per export)', () => {
    // Codex's delta histogram sums the turns of one interval: 2600+1400 input, 2150+1150 cached.
    const [usages] = normalizeExports([
      [
        { type: 'input', value: 4000, seq: 9 },
        { type: 'cached_input', value: 3300, seq: 9 },
      ],
    ]);
    expect(usages).toEqual([{ input_tokens: 700 }, { cache_read: { input_tokens: 3300 } }]);
  });

  it('keeps two models apart', () => {
    const [usages] = normalizeExports([
      [
        { type: 'input', value: 2600, seq: 1, model: 'gpt-5.5' },
        { type: 'input', value: 300, seq: 1, model: 'gpt-5-mini' },
        { type: 'cached_input', value: 100, seq: 1, model: 'gpt-5-mini' },
        { type: 'cached_input', value: 2150, seq: 1, model: 'gpt-5.5' },
      ],
    ]);
    expect(usages).toEqual([{ input_tokens: 450 }, { input_tokens: 200 }, { cache_read: { input_tokens: 100 } }, { cache_read: { input_tokens: 2150 } }]);
  });

  it('clamps input at 0 when cached input is larger, and keeps all of the cached input', () => {
    const [usages] = normalizeExports([
      [
        { type: 'input', value: 100, seq: 1 },
        { type: 'cached_input', value: 150, seq: 1 },
      ],
    ]);
    expect(usages).toEqual([{ input_tokens: 0 }, { cache_read: { input_tokens: 150 } }]);
  });

  it('leaves unknown token types empty and out of the pairing', () => {
    const [usages] = normalizeExports([
      [
        { type: 'input', value: 100, seq: 1 },
        { type: 'tool', value: 60, seq: 1 },
        { type: 'cache_write_input', value: 70, seq: 1 },
        { type: 'total', value: 100, seq: 1 },
      ],
    ]);
    expect(usages).toEqual([{ input_tokens: 100 }, {}, {}, {}]);
  });

  it('gives the same usage per point whatever the order of the points in the export', () => {
    const turn = fixtureTurn(1);
    const expected = new Map(turn.map((spec, i) => [spec.type, normalizeExports([turn])[0]![i]]));
    let orders = 0;
    const permute = (rest: PointSpec[], chosen: PointSpec[]) => {
      if (rest.length === 0) {
        orders += 1;
        const [usages] = normalizeExports([chosen]);
        chosen.forEach((spec, i) => expect(usages![i]).toEqual(expected.get(spec.type)));
        return;
      }
      rest.forEach((spec, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...chosen, spec]));
    };
    permute(turn, []);
    expect(orders).toBe(720);
  });
});

describe('usageForExport with cumulative temporality', () => {
  const cumulative = { temporality: 'Cumulative' as const };

  it('takes the growth of a series from one export to the next', () => {
    const usages = normalizeExports([
      [{ type: 'output', value: 100, seq: 1, ...cumulative }],
      [{ type: 'output', value: 250, seq: 2, ...cumulative }],
      [{ type: 'output', value: 400, seq: 3, ...cumulative }],
    ]).flat();
    expect(usages.map((u) => u.output_tokens)).toEqual([100, 150, 150]);
  });

  it('reads a drop as a reset: the new value is the amount', () => {
    const usages = normalizeExports([
      [{ type: 'output', value: 100, seq: 1, ...cumulative }],
      [{ type: 'output', value: 250, seq: 2, ...cumulative }],
      [{ type: 'output', value: 40, seq: 3, ...cumulative }],
      [{ type: 'output', value: 90, seq: 4, ...cumulative }],
    ]).flat();
    expect(usages.map((u) => u.output_tokens)).toEqual([100, 150, 40, 50]);
  });

  it('counts a repeated value (an export with no new turn) as nothing', () => {
    const usages = normalizeExports([fixtureTurn(1, cumulative), fixtureTurn(2, cumulative)]);
    expect(sums(usages[0]!)).toEqual({ input: 450, cached: 2150, output: 80, reasoning: 30, withUsage: 4 });
    expect(sums(usages[1]!)).toEqual({ input: 0, cached: 0, output: 0, reasoning: 0, withUsage: 4 });
  });

  it('pairs input with cached input on the differences, not on the running totals', () => {
    const usages = normalizeExports([
      [
        { type: 'input', value: 2600, seq: 1, ...cumulative },
        { type: 'cached_input', value: 2150, seq: 1, ...cumulative },
      ],
      [
        { type: 'input', value: 5000, seq: 2, timestamp: '2026-11-23T20:35:00Z', ...cumulative },
        { type: 'cached_input', value: 4000, seq: 2, timestamp: '2026-11-23T20:35:00Z', ...cumulative },
      ],
    ]);
    // (5000 - 2600) - (4000 - 2150) = 550; pairing the totals would give 1000.
    expect(usages[1]).toEqual([{ input_tokens: 550 }, { cache_read: { input_tokens: 1850 } }]);
    expect(sums(usages.flat())).toMatchObject({ input: 1000, cached: 4000 });
  });

  it('keeps the series of two Codex processes apart by their start time', () => {
    const a = { ...cumulative, start: '2026-11-23T20:00:00Z' };
    const b = { ...cumulative, start: '2026-11-23T20:10:00Z' };
    const usages = normalizeExports([
      [{ type: 'output', value: 2600, seq: 1, ...a }],
      [{ type: 'output', value: 1000, seq: 2, ...b }],
      [{ type: 'output', value: 3000, seq: 3, ...a }],
      [{ type: 'output', value: 1500, seq: 4, ...b }],
    ]).flat();
    // One shared series would read 2600, reset to 1000, +2000, reset to 1500.
    expect(usages.map((u) => u.output_tokens)).toEqual([2600, 1000, 400, 500]);
  });

  it('keeps the series of two Codex processes apart by their resource, even with the same start time', () => {
    const a = { ...cumulative, resource: '0123456789abcdef' };
    const b = { ...cumulative, resource: 'fedcba9876543210' };
    const usages = normalizeExports([
      [{ type: 'output', value: 100, seq: 1, ...a }],
      [{ type: 'output', value: 40, seq: 2, ...b }],
      [{ type: 'output', value: 150, seq: 3, ...a }],
      [{ type: 'output', value: 90, seq: 4, ...b }],
    ]).flat();
    // One shared series would read 100, reset to 40, +110, reset to 90: 340 for 240 spent.
    expect(usages.map((u) => u.output_tokens)).toEqual([100, 40, 50, 50]);
    const [pa, pb] = [tokenPointOf(tokenEvent({ type: 'input', value: 1, seq: 1, ...a }))!, tokenPointOf(tokenEvent({ type: 'cached_input', value: 1, seq: 1, ...b }))!];
    expect(pa.turnKey).not.toBe(pb.turnKey);
  });

  it('never reads a point without a usable value as a reset: 100, missing, 150 is 150', () => {
    const series = new CumulativeSeries();
    const values: unknown[] = [100, undefined, 150];
    const amounts = values.map((value) => {
      const event = tokenEvent({ type: 'output', value: 0, seq: 1, ...cumulative });
      (event.raw as Record<string, unknown>).metric_value = value;
      const point = tokenPointOf(event);
      return point ? amountOf(point, series) : undefined;
    });
    expect(amounts).toEqual([100, undefined, 50]);
  });

  it('keeps the series of two models apart', () => {
    const usages = normalizeExports([
      [
        { type: 'output', value: 100, seq: 1, model: 'gpt-5.5', ...cumulative },
        { type: 'output', value: 10, seq: 1, model: 'gpt-5-mini', ...cumulative },
      ],
      [
        { type: 'output', value: 160, seq: 2, model: 'gpt-5.5', ...cumulative },
        { type: 'output', value: 30, seq: 2, model: 'gpt-5-mini', ...cumulative },
      ],
    ]).flat();
    expect(usages.map((u) => u.output_tokens)).toEqual([100, 10, 60, 20]);
  });

  it('never differences delta points, even of one series', () => {
    const usages = normalizeExports([
      [{ type: 'output', value: 100, seq: 1 }],
      [{ type: 'output', value: 100, seq: 2 }],
    ]).flat();
    expect(usages.map((u) => u.output_tokens)).toEqual([100, 100]);
  });
});

describe('tokenPointOf and the series state', () => {
  it('reads the type, value and temporality of a collector token event', () => {
    const point = tokenPointOf(tokenEvent({ type: 'cached_input', value: 2150, seq: 4, temporality: 'Cumulative' }));
    expect(point).toMatchObject({ tokenType: 'cached_input', value: 2150, temporality: 'Cumulative' });
  });

  it('gives the same series and turn keys whatever the order of the attributes', () => {
    const one = tokenEvent({ type: 'input', value: 1, seq: 1, attributes: { x: '1', y: '2' } });
    const two = tokenEvent({ type: 'input', value: 1, seq: 1 });
    (two.raw as Record<string, unknown>).attributes = { token_type: 'input', y: '2', x: '1', session_source: 'exec', originator: 'codex_exec', model: 'gpt-5.5', 'app.version': '0.169.0' };
    expect(tokenPointOf(two)!.seriesKey).toBe(tokenPointOf(one)!.seriesKey);
    expect(tokenPointOf(two)!.turnKey).toBe(tokenPointOf(one)!.turnKey);
  });

  it('separates turns that differ in any attribute but token_type', () => {
    const a = tokenPointOf(tokenEvent({ type: 'input', value: 1, seq: 1, attributes: { session_source: 'exec' } }))!;
    const b = tokenPointOf(tokenEvent({ type: 'cached_input', value: 1, seq: 1, attributes: { session_source: 'exec' } }))!;
    const c = tokenPointOf(tokenEvent({ type: 'cached_input', value: 1, seq: 1, attributes: { session_source: 'cli' } }))!;
    expect(a.turnKey).toBe(b.turnKey);
    expect(a.turnKey).not.toBe(c.turnKey);
    expect(a.seriesKey).not.toBe(b.seriesKey);
  });

  it('returns undefined when raw holds no numeric value', () => {
    const event = tokenEvent({ type: 'input', value: 1, seq: 1 });
    (event.raw as Record<string, unknown>).metric_value = '12';
    expect(tokenPointOf(event)).toBeUndefined();
    expect(tokenPointOf({ raw: [] })).toBeUndefined();
    expect(tokenPointOf({})).toBeUndefined();
  });

  it('takes only whole numbers from 0 to 2^53-1: no rounding, no flooring', () => {
    for (const value of [-5, -1, 1.5, 2 ** 53, 2 ** 63, 1e300, NaN, Infinity]) expect(tokenPointOf(tokenEvent({ type: 'output', value, seq: 1 })), String(value)).toBeUndefined();
    for (const value of [0, 1, 2 ** 53 - 1]) expect(amountOf(tokenPointOf(tokenEvent({ type: 'output', value, seq: 1 }))!, new CumulativeSeries())).toBe(value);
  });

  it('forgets the least recently updated series past its cap', () => {
    const series = new CumulativeSeries(2);
    expect(series.amount('a', 10)).toBe(10);
    expect(series.amount('b', 10)).toBe(10);
    expect(series.amount('a', 15)).toBe(5); // a is now the most recent
    expect(series.amount('c', 10)).toBe(10); // evicts b
    expect(series.size).toBe(2);
    expect(series.amount('a', 20)).toBe(5);
    expect(series.amount('b', 30)).toBe(30); // b was forgotten: counts fully
  });
});

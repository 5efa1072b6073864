/** The real Codex 0.169.0 captures, and the facts the tests read out of a decoded request. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExportLogsServiceRequest, ExportMetricsServiceRequest, KeyValue } from '../../../src/collector/otlp/types.js';

import { FIXTURES } from '../fixtures-path.js';
export { FIXTURES };

export function fixture(capture: string, file: string): Buffer {
  return readFileSync(path.join(FIXTURES, capture, file));
}

function stringAttribute(attributes: KeyValue[] | undefined, key: string): string | undefined {
  return attributes?.find((kv) => kv.key === key)?.value?.stringValue;
}

/** `event.name` of every log record in arrival order (undefined for a record without one). */
export function eventNames(requests: ExportLogsServiceRequest[]): (string | undefined)[] {
  const names: (string | undefined)[] = [];
  for (const request of requests) {
    for (const rl of request.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) for (const record of sl.logRecords ?? []) names.push(stringAttribute(record.attributes, 'event.name'));
    }
  }
  return names;
}

export function countBy(values: (string | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v ?? '(none)'] = (counts[v ?? '(none)'] ?? 0) + 1;
  return counts;
}

/** `codex.turn.token_usage` histogram sums per token_type, and the temporalities seen. */
export function tokenUsage(request: ExportMetricsServiceRequest): { sums: Record<string, number>; temporalities: unknown[] } {
  const sums: Record<string, number> = {};
  const temporalities: unknown[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        if (metric.name !== 'codex.turn.token_usage' || !metric.histogram) continue;
        temporalities.push(metric.histogram.aggregationTemporality);
        for (const point of metric.histogram.dataPoints ?? []) {
          const type = stringAttribute(point.attributes, 'token_type') ?? '(none)';
          sums[type] = (sums[type] ?? 0) + (point.sum ?? NaN);
        }
      }
    }
  }
  return { sums, temporalities };
}

/** As fixtures/README.md states them. */
export const EXPECTED_EVENT_COUNTS = {
  'codex.conversation_starts': 1,
  'codex.startup_phase': 2,
  'codex.user_prompt': 1,
  'codex.api_request': 2,
  'codex.sse_event': 11,
  'codex.turn_ttft': 1,
  'codex.tool_decision': 1,
  'codex.tool_result': 1,
  '(none)': 1,
};

export const EXPECTED_TOKEN_SUMS = { input: 2600, cached_input: 2150, output: 80, reasoning_output: 30, total: 2680, cache_write_input: 0 };

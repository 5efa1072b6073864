import { ACTION } from '../beacon/event.js';
import { newEvent } from '../beacon/envelope.js';
import { anyValueToJs, attributesToObject, nanosToIso } from '../collector/otlp/values.js';
import { dataPointsOf, logRaw, logTimestamp, spanEvent, stripPromptAttributes } from './common.js';
import type { HarnessRules } from './harness.js';

/**
 * Records from services we have no rules for: kept as generic events, harness named after the
 * service, so nothing that reached the collector is silently lost.
 */
export function genericRules(serviceName: string): HarnessRules {
  const harness = serviceName || 'unknown';
  return {
    harnessName: harness,
    claims: () => true,
    mapLogRecord(record, ctx) {
      const attributes = attributesToObject(record.attributes);
      if (!ctx.options.logUserPrompt) stripPromptAttributes(attributes);
      const event = newEvent(ctx.attribution, { timestamp: logTimestamp(record, attributes, ctx), action: ACTION.otherLog, category: 'log', harness });
      const body = record.body === undefined || record.body === null ? undefined : anyValueToJs(record.body);
      const name = attributes['event.name'] ?? record.eventName;
      event.message = typeof body === 'string' && body ? body : typeof name === 'string' ? name : '';
      const raw = logRaw(record, attributes);
      if (body !== undefined) raw.body = body;
      event.raw = raw;
      return { events: [event] };
    },
    mapMetric(metric, ctx) {
      const { type, temporality, points } = dataPointsOf(metric);
      return {
        events: points.map(({ point, value, count }) => {
          const event = newEvent(ctx.attribution, { timestamp: nanosToIso(point.timeUnixNano) ?? ctx.receivedAt, action: ACTION.otherMetric, category: 'metric', harness });
          event.message = metric.name ?? '';
          event.raw = {
            otel_signal: 'metrics',
            metric_name: metric.name ?? '',
            metric_type: type,
            metric_temporality: temporality,
            metric_count: count,
            // Left out when the point has none (a histogram without sum) or not a double.
            ...(value !== undefined ? { metric_value: value } : {}),
            attributes: attributesToObject(point.attributes),
          };
          return event;
        }),
      };
    },
    mapSpan(span, ctx) {
      return { events: [spanEvent(span, ctx, harness)] };
    },
  };
}

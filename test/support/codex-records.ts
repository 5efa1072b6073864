import { bytesOf, encodeMessage, field } from './otlp/proto-encode.js';

/**
 * OTLP logs requests shaped like Codex 0.169.0's (fixtures/codex-0.169.0: resource `service.name`
 * codex_exec, the event name in the `event.name` attribute, string-valued attributes), with the
 * attribute values a test needs: secrets in a tool's arguments and output, prompts, nested values.
 */

type Json = Record<string, unknown>;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

export interface CodexRecordSpec {
  eventName: 'codex.tool_result' | 'codex.tool_decision' | 'codex.user_prompt' | 'codex.conversation_starts';
  attributes: Record<string, string>;
  conversationId?: string;
  model?: string;
}

export function codexLogRecord(spec: CodexRecordSpec): Json {
  return {
    timeUnixNano: '0',
    observedTimeUnixNano: '1795984435610000000',
    severityNumber: 9,
    severityText: 'INFO',
    eventName: 'event otel/src/events/session_telemetry.rs:1200',
    attributes: [
      str('event.name', spec.eventName),
      str('event.timestamp', '2026-11-23T20:33:55.610Z'),
      str('conversation.id', spec.conversationId ?? '019ab2f7-0c3e-7d52-a1f1-2f7c3b5e9d10'),
      str('app.version', '0.169.0'),
      str('model', spec.model ?? 'gpt-5.5'),
      ...Object.entries(spec.attributes).map(([k, v]) => str(k, v)),
    ],
  };
}

const RESOURCE = { attributes: [str('service.name', 'codex_exec'), str('service.version', '0.169.0'), str('env', 'ci')] };
const SCOPE = { name: 'codex_otel', version: '0.169.0' };

export function logsRequest(records: Json[]): Json {
  return { resourceLogs: [{ resource: RESOURCE, scopeLogs: [{ scope: SCOPE, logRecords: records }] }] };
}

export function logsRequestBody(records: Json[], encoding: 'json' | 'protobuf'): Buffer {
  const request = logsRequest(records);
  return encoding === 'json' ? Buffer.from(JSON.stringify(request)) : Buffer.from(encodeMessage('ExportLogsServiceRequest', request));
}

/** A tool_result record with one more attribute whose AnyValue is given already encoded (protobuf). */
export function logsRequestWithRawAttribute(record: Json, key: string, anyValue: Uint8Array): Buffer {
  // Protobuf fields may come in any order: the extra attribute (LogRecord field 6) is appended.
  const logRecord = bytesOf(encodeMessage('LogRecord', record), field.len(6, bytesOf(field.string(1, key), field.len(2, anyValue))));
  const scopeLogs = bytesOf(encodeMessage('ScopeLogs', { scope: SCOPE }), field.len(2, logRecord));
  const resourceLogs = bytesOf(encodeMessage('ResourceLogs', { resource: RESOURCE }), field.len(2, scopeLogs));
  return Buffer.from(field.len(1, resourceLogs));
}

/** The same in OTLP/JSON, the AnyValue given as JSON text. */
export function logsRequestWithRawAttributeJson(record: Json, key: string, anyValueJson: string): Buffer {
  const marker = '"__RAW_ATTRIBUTE__"';
  const withMarker = { ...record, attributes: [...(record.attributes as Json[]), { key, value: '__RAW_ATTRIBUTE__' }] };
  const text = JSON.stringify(logsRequest([withMarker]));
  return Buffer.from(text.replace(marker, () => anyValueJson));
}

/** A traces request with one Codex span carrying `attributes` (string values). */
export function spanRequestBody(name: string, attributes: Record<string, string>, encoding: 'json' | 'protobuf'): Buffer {
  const request = {
    resourceSpans: [
      {
        resource: RESOURCE,
        scopeSpans: [
          {
            scope: SCOPE,
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name,
                kind: 1,
                startTimeUnixNano: '1795984435610000000',
                endTimeUnixNano: '1795984436610000000',
                attributes: Object.entries(attributes).map(([k, v]) => str(k, v)),
              },
            ],
          },
        ],
      },
    ],
  };
  return encoding === 'json' ? Buffer.from(JSON.stringify(request)) : Buffer.from(encodeMessage('ExportTraceServiceRequest', request));
}

/** Logs from a service we have no rules for (kept as generic events). */
export function otherServiceLogsBody(attributes: Record<string, string>, body: string): Buffer {
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'other-agent')] },
        scopeLogs: [{ scope: { name: 'other' }, logRecords: [{ observedTimeUnixNano: '1795984435610000000', severityText: 'INFO', body: { stringValue: body }, attributes: Object.entries(attributes).map(([k, v]) => str(k, v)) }] }],
      },
    ],
  };
  return Buffer.from(JSON.stringify(request));
}

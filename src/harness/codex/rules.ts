import { ACTION, type BeaconEvent, type TokenRaw } from '../../beacon/event.js';
import { newEvent } from '../../beacon/envelope.js';
import { isCount } from '../../beacon/integers.js';
import type { HistogramDataPoint, LogRecord, Metric, Span } from '../../collector/otlp/types.js';
import { attributesToObject, getAttribute, nanosToIso, toNumber } from '../../collector/otlp/values.js';
import { describeValue, logRaw, logTimestamp, metricDataOf, resourceIdOf, spanEvent } from '../common.js';
import type { HarnessRules, Mapped, RecordContext } from '../harness.js';
import { CODEX_HARNESS_NAME, CODEX_TOKEN_METRIC } from './name.js';

/**
 * The OpenAI Codex CLI: what we keep of its telemetry and how it maps to Beacon events
 * (schema page "Codex log events that are kept", "Token usage"; codex-telemetry.md).
 */


const LOG_NOT_KEPT = 'codex_log_not_kept';
const METRIC_NOT_KEPT = 'codex_metric_not_kept';
const SPAN_NOT_REQUESTED = 'codex_span_not_requested';

const DENIED_DECISIONS = new Set(['deny', 'denied', 'abort', 'rejected']);

type LogRule = (record: LogRecord, attributes: Record<string, unknown>, ctx: RecordContext) => BeaconEvent;

/** The kept log events, keyed by the record's `event.name` attribute (not the OTLP eventName). */
const LOG_RULES: Record<string, LogRule> = {
  'codex.conversation_starts': (record, attributes, ctx) => {
    const event = codexLogEvent(record, attributes, ctx, ACTION.sessionStarted, 'session');
    event.message = 'Codex session started';
    return event;
  },
  'codex.user_prompt': (record, attributes, ctx) => {
    const prompt = attributes.prompt; // read before codexLogEvent takes it out of raw
    const event = codexLogEvent(record, attributes, ctx, ACTION.promptSubmitted, 'prompt');
    event.message = 'Codex prompt submitted';
    // Codex sends "[REDACTED]" itself when its own log_user_prompt is off.
    if (ctx.options.logUserPrompt && typeof prompt === 'string' && prompt !== '[REDACTED]') {
      event.prompt = { text: prompt };
    }
    return event;
  },
  'codex.tool_decision': (record, attributes, ctx) => {
    const decision = String(attributes.decision ?? '');
    const denied = DENIED_DECISIONS.has(decision.toLowerCase());
    const event = codexLogEvent(record, attributes, ctx, denied ? ACTION.approvalDenied : ACTION.approvalRequested, 'approval');
    event.message = 'Codex tool decision';
    if (denied) event.severity = 'low';
    event.approval = { required: true, decision };
    if (attributes.source !== undefined) event.approval.reason = String(attributes.source);
    if (attributes.tool_name !== undefined) event.tool = { name: String(attributes.tool_name) };
    return event;
  },
  'codex.tool_result': (record, attributes, ctx) => {
    const toolName = String(attributes.tool_name ?? '');
    const args = typeof attributes.arguments === 'string' ? attributes.arguments : undefined;
    const commandLine = shellCommandOf(toolName, args);
    const event = codexLogEvent(record, attributes, ctx, commandLine !== undefined ? ACTION.commandExecuted : ACTION.toolInvoked, commandLine !== undefined ? 'command' : 'tool');
    event.message = toolName;
    event.tool = { name: toolName };
    if (args !== undefined) event.tool.command = args;
    const success = parseBool(attributes.success);
    if (success === false) event.severity = 'low';
    if (commandLine !== undefined) {
      event.command = { command: commandLine };
      const exitCode = exitCodeOf(attributes.output);
      if (exitCode !== undefined) event.command.exit_code = exitCode;
      const duration = parseInteger(attributes.duration_ms);
      if (duration !== undefined) event.command.duration_ms = duration;
      if (success !== undefined) event.command.success = success;
    }
    return event;
  },
};

function codexLogEvent(record: LogRecord, attributes: Record<string, unknown>, ctx: RecordContext, action: string, category: string): BeaconEvent {
  const event = newEvent(ctx.attribution, { timestamp: logTimestamp(record, attributes, ctx), action, category, harness: CODEX_HARNESS_NAME });
  const conversation = attributes['conversation.id'];
  if (typeof conversation === 'string' && conversation) event.session = { id: conversation };
  if (typeof attributes.model === 'string' && attributes.model) event.model = attributes.model;
  // The prompt lives in `prompt.text` (when allowed) and never in raw.
  delete attributes.prompt;
  event.raw = logRaw(record, attributes);
  return event;
}

/** The command line of a shell-like tool call: the `shell` tool, or JSON arguments with a string `cmd`. */
export function shellCommandOf(toolName: string, args: string | undefined): string | undefined {
  let parsed: unknown;
  try {
    parsed = args === undefined ? undefined : JSON.parse(args);
  } catch {
    parsed = undefined;
  }
  const obj = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  if (typeof obj?.cmd === 'string') return obj.cmd;
  if (toolName === 'shell' || toolName === 'local_shell') {
    const command = obj?.command;
    if (Array.isArray(command)) return command.map(String).join(' ');
    if (typeof command === 'string') return command;
    return args ?? '';
  }
  return undefined;
}

/** Codex's exec output starts with "Process exited with code N". */
function exitCodeOf(output: unknown): number | undefined {
  if (typeof output !== 'string') return undefined;
  const match = /Process exited with code (-?\d+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}

function parseBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function parseInteger(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.round(n) : undefined;
}

const REFUSED = `${CODEX_TOKEN_METRIC} data point refused`;

/**
 * Token usage comes only from a histogram named codex.turn.token_usage whose data point has a
 * `sum` that is a whole number from 0 to 2^53-1 (a JSON number: not a string, not a boolean).
 * Every other point under that name is refused (OTLP partial success, with why): never counted.
 */
function mapTokenMetric(metric: Metric, ctx: RecordContext): Mapped {
  const { type, temporality, points } = metricDataOf(metric);
  if (type !== 'Histogram') {
    if (points.length === 0) return { events: [] };
    return { events: [], rejected: points.length, error: `${REFUSED}: a ${type}, not a histogram (token usage is a histogram's sum)` };
  }
  const events: BeaconEvent[] = [];
  let error: string | undefined;
  let resourceId: string | undefined;
  for (const point of points as readonly HistogramDataPoint[]) {
    const sum: unknown = point.sum;
    if (!isCount(sum)) {
      error ??= sum === undefined ? `${REFUSED}: sum is missing` : `${REFUSED}: sum ${describeValue(sum)} is not a whole number from 0 to 2^53-1`;
      continue;
    }
    const attributes = attributesToObject(point.attributes);
    const tokenType = String(attributes.token_type ?? 'unknown');
    const event = newEvent(ctx.attribution, {
      timestamp: nanosToIso(point.timeUnixNano) ?? ctx.receivedAt,
      action: ACTION.tokenUsage,
      category: 'metric',
      harness: CODEX_HARNESS_NAME,
    });
    event.message = CODEX_TOKEN_METRIC;
    if (typeof attributes.model === 'string' && attributes.model) event.model = attributes.model;
    // The post step fills `usage` (input minus cached, cumulative differences): see normalize-tokens.
    event.gen_ai = { token: { type: tokenType }, usage: {} };
    const raw: TokenRaw = {
      otel_signal: 'metrics',
      metric_name: CODEX_TOKEN_METRIC,
      metric_type: 'Histogram',
      metric_temporality: temporality === 'Cumulative' ? 'Cumulative' : 'Delta',
      // A count past 2^53-1 is left out when the line is written (beacon/integers.ts).
      metric_count: toNumber(point.count) ?? 0,
      metric_value: sum,
      attributes,
      export_seq: ctx.exportSeq,
      resource_id: (resourceId ??= resourceIdOf(ctx.resource)),
    };
    const start = nanosToIso(point.startTimeUnixNano);
    if (start) raw.metric_start_time = start;
    event.raw = raw as unknown as Record<string, unknown>;
    events.push(event);
  }
  const rejected = points.length - events.length;
  return rejected > 0 ? { events, rejected, error } : { events };
}

export const codexRules: HarnessRules = {
  harnessName: CODEX_HARNESS_NAME,
  // `codex_exec`, `codex_github_action`, `codex_cli_rs`, ...
  claims: (serviceName) => serviceName.toLowerCase().includes('codex'),
  mapLogRecord(record, ctx): Mapped {
    // Look the name up before converting attributes: most records are dropped.
    const eventName = String(getAttribute(record.attributes, 'event.name') ?? '');
    // hasOwn: an event named "toString" must not find Object.prototype's.
    const rule = Object.hasOwn(LOG_RULES, eventName) ? LOG_RULES[eventName] : undefined;
    if (!rule) return { dropped: LOG_NOT_KEPT };
    return { events: [rule(record, attributesToObject(record.attributes), ctx)] };
  },
  mapMetric(metric, ctx): Mapped {
    if (metric.name !== CODEX_TOKEN_METRIC) return { dropped: METRIC_NOT_KEPT };
    return mapTokenMetric(metric, ctx);
  },
  // Must agree with mapLogRecord / mapMetric above: test/skip-filter.test.ts compares both paths.
  logDropReason: (eventName) => (Object.hasOwn(LOG_RULES, eventName) ? undefined : LOG_NOT_KEPT),
  metricDropReason: (metricName) => (metricName === CODEX_TOKEN_METRIC ? undefined : METRIC_NOT_KEPT),
  spanDropReason: (options) => (options.includeSpans ? undefined : SPAN_NOT_REQUESTED),
  mapSpan(span: Span, ctx): Mapped {
    if (!ctx.options.includeSpans) return { dropped: SPAN_NOT_REQUESTED };
    return { events: [spanEvent(span, ctx, CODEX_HARNESS_NAME)] };
  },
};

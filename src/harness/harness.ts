import type { Attribution, BeaconEvent } from '../beacon/event.js';
import type { LogRecord, Metric, Span } from '../collector/otlp/types.js';

/**
 * The rules for one agent harness: which records matter and how they become Beacon events.
 * Everything harness-specific lives behind this interface (see `./codex/rules.ts`), so supporting a
 * second harness is one new module registered in `./index.ts`.
 */
export interface HarnessRules {
  /** `harness.name` in the events, e.g. `codex_cli`. */
  readonly harnessName: string;
  /** Whether this harness produced a resource with this `service.name`. */
  claims(serviceName: string): boolean;
  mapLogRecord(record: LogRecord, ctx: RecordContext): Mapped;
  /** One event per kept data point. */
  mapMetric(metric: Metric, ctx: RecordContext): Mapped;
  mapSpan(span: Span, ctx: RecordContext): Mapped;
  /**
   * Pre-decode filter (optional): the reason `mapLogRecord` would drop every record whose
   * `event.name` attribute is this string, or undefined when such a record may be kept. Decoders
   * skip a dropped record's contents unread: most of Codex's records are dropped.
   */
  logDropReason?(eventName: string): string | undefined;
  /** The same for `mapMetric`, by metric name. */
  metricDropReason?(metricName: string): string | undefined;
  /** The same for `mapSpan`: the reason it drops every span under these options, if it does. */
  spanDropReason?(options: MapOptions): string | undefined;
}

/**
 * What a rule decided: events to write (and how many of the record's data points could not be
 * used, with why the first of them was refused: reported to the sender as OTLP partial success),
 * or why the record was dropped.
 */
export type Mapped = { events: BeaconEvent[]; rejected?: number; error?: string; dropped?: undefined } | { events?: undefined; dropped: string };

export interface MapOptions {
  logUserPrompt: boolean;
  includeSpans: boolean;
}

export interface RecordContext {
  attribution: Attribution;
  options: MapOptions;
  /** `service.name` of the record's resource. */
  serviceName: string;
  /** The resource's attributes as plain values. */
  resource: Record<string, unknown>;
  /** Sequence number of the export request, for pairing a turn's token points later. */
  exportSeq: number;
  /** Receive time, the fallback timestamp. */
  receivedAt: string;
}

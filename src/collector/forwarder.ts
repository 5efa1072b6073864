/**
 * The collector's sink that forwards kept events to the organization's OTLP/HTTP endpoint as log
 * records. `accept()` only puts references in a bounded queue (Codex waits for the collector's
 * answers, so nothing slow may happen there); encoding and sending run in the background, one
 * request at a time, in batches of up to `batchMaxRecords` events or after `batchDelayMs`.
 * When the queue is full, new events are dropped and counted (as the OpenTelemetry SDK's batch
 * processor does: what is queued is older and already waiting). At shutdown, what is left is sent
 * within a time limit, then dropped and counted.
 */
import type { Attribution, BeaconEvent } from '../beacon/event.js';
import type { ForwardConfig, ForwardStats } from '../handoff/collector-config.js';
import type { EventSink } from './server.js';
import { errorText, OtlpHttpExporter, type DropReason } from '../forward/exporter.js';
import { isForwardedAsLog, logRecordOf } from '../forward/log-records.js';
import { msToUnixNanos, resourceAttributes, SCOPE } from '../forward/otlp-json.js';
import { FORWARDER_DEFAULTS, type ForwarderOptions } from '../forward/settings.js';

/** Records encoded between two yields to the event loop. */
const ENCODE_SLICE = 64;

export function emptyForwardStats(): ForwardStats {
  return { recordsQueued: 0, batchesSent: 0, recordsSent: 0, batchesRetried: 0, retries: 0, batchesDropped: 0, recordsDropped: {} };
}

export class EventForwarder implements EventSink {
  readonly stats = emptyForwardStats();
  private readonly options: ForwarderOptions;
  private readonly exporter: OtlpHttpExporter;
  private readonly resources = new Map<string, string>();
  private queue: BeaconEvent[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private pumping: Promise<void> | undefined;
  private closing = false;
  private shutdownDeadline = Infinity;
  private readonly abort = new AbortController();

  constructor(
    config: ForwardConfig,
    private readonly attribution: Attribution,
    options: Partial<ForwarderOptions> = {},
    private readonly log: (message: string) => void = () => {},
  ) {
    this.options = { ...FORWARDER_DEFAULTS, ...options };
    this.exporter = new OtlpHttpExporter(config.endpoint, config.headers, this.options);
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  accept(events: readonly BeaconEvent[]): void {
    try {
      for (const event of events) {
        if (!isForwardedAsLog(event)) continue;
        if (this.closing || this.queued >= this.options.queueLimit) {
          this.drop('queue_full', 1);
          continue;
        }
        this.queue.push(event);
        this.stats.recordsQueued += 1;
      }
      this.schedule();
    } catch (error) {
      // Never fail the request: its events are on disk already, and a retry by Codex would duplicate them.
      this.log(`forwarding: could not queue events: ${(error as Error).message}`);
    }
  }

  /**
   * Sends what is still queued within `limitMs`, then drops and counts the rest; returns the
   * final counters. Later events are refused.
   */
  async close(limitMs: number): Promise<ForwardStats> {
    const started = Date.now();
    this.closing = true;
    this.shutdownDeadline = started + limitMs;
    const limit = setTimeout(() => this.abort.abort(), limitMs);
    try {
      while (!this.abort.signal.aborted && (this.queued > 0 || this.pumping)) {
        this.kick();
        await this.pumping;
      }
    } finally {
      clearTimeout(limit);
      clearTimeout(this.timer);
      if (this.immediate) clearImmediate(this.immediate);
    }
    const left = this.queued;
    if (left > 0) {
      this.drop('shutdown_limit', left);
      this.stats.lastError ??= { message: `${left} events were still queued when the time limit of ${limitMs} ms was reached` };
    }
    this.queue = [];
    this.head = 0;
    this.exporter.close();
    this.stats.flushMs = Date.now() - started;
    this.log(`forwarding: ${this.stats.recordsSent} of ${this.stats.recordsQueued} events sent in ${this.stats.batchesSent} batches, ${this.stats.retries} retries, dropped ${JSON.stringify(this.stats.recordsDropped)}; flush took ${this.stats.flushMs} ms`);
    return this.stats;
  }

  /** Starts sending now when a batch is full (or at shutdown), else within the batch delay. */
  private schedule(): void {
    if (this.pumping || this.queued === 0) return;
    if (this.closing || this.queued >= this.options.batchMaxRecords) {
      // Not in this call: accept() runs while Codex waits for its answer.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.kick();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, this.options.batchDelayMs);
    }
  }

  private kick(): void {
    if (this.pumping || this.queued === 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pumping = this.pump()
      .catch((error: unknown) => this.log(`forwarding: unexpected error: ${(error as Error).stack ?? String(error)}`))
      .finally(() => {
        this.pumping = undefined;
        if (!this.abort.signal.aborted) this.schedule();
      });
  }

  private async pump(): Promise<void> {
    while (this.queued > 0 && !this.abort.signal.aborted) {
      await this.sendBatch();
      // Leftovers smaller than a batch wait for the batch delay, unless we are shutting down.
      if (!this.closing && this.queued < this.options.batchMaxRecords) break;
    }
  }

  private async sendBatch(): Promise<void> {
    const observed = msToUnixNanos(Date.now());
    const byService = new Map<string, string[]>();
    let bytes = 0;
    let count = 0;
    while (this.queued > 0 && count < this.options.batchMaxRecords && bytes < this.options.batchMaxBytes) {
      const event = this.queue[this.head]!;
      this.head += 1;
      const record = JSON.stringify(logRecordOf(event, observed));
      const service = event.harness.name;
      let records = byService.get(service);
      if (!records) byService.set(service, (records = []));
      records.push(record);
      bytes += record.length;
      count += 1;
      // Let Codex's requests in between: encoding a large batch in one go would hold them up.
      if (count % ENCODE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.compact();
    const body = this.logsBody(byService);

    const started = Date.now();
    const outcome = await this.exporter.export('logs', body, {
      deadline: () => Math.min(started + this.options.retryBudgetMs, this.shutdownDeadline),
      deadlineReason: () => (this.shutdownDeadline <= started + this.options.retryBudgetMs ? 'shutdown_limit' : 'retries_exhausted'),
      abort: this.abort.signal,
    });
    if (outcome.attempts > 1) {
      this.stats.batchesRetried += 1;
      this.stats.retries += outcome.attempts - 1;
    }
    if (outcome.ok) {
      this.stats.batchesSent += 1;
      this.stats.recordsSent += count - Math.min(count, outcome.rejectedRecords);
      if (outcome.rejectedRecords > 0) {
        this.drop('rejected', Math.min(count, outcome.rejectedRecords));
        this.stats.lastError = outcome.error;
      }
      return;
    }
    this.stats.batchesDropped += 1;
    this.drop(outcome.reason ?? 'rejected', count);
    this.stats.lastError = outcome.error;
    this.log(`forwarding: a batch of ${count} events was dropped (${outcome.reason})${outcome.error ? `: ${errorText(outcome.error)}` : ''}`);
  }

  private logsBody(byService: Map<string, string[]>): string {
    const resourceLogs: string[] = [];
    for (const [service, records] of byService) {
      let resource = this.resources.get(service);
      if (!resource) this.resources.set(service, (resource = JSON.stringify({ attributes: resourceAttributes(this.attribution, service) })));
      resourceLogs.push(`{"resource":${resource},"scopeLogs":[{"scope":${JSON.stringify(SCOPE)},"logRecords":[${records.join(',')}]}]}`);
    }
    return `{"resourceLogs":[${resourceLogs.join(',')}]}`;
  }

  /** Drops the sent part of the queue's array now and then, so that it does not grow forever. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private drop(reason: DropReason | 'queue_full', count: number): void {
    this.stats.recordsDropped[reason] = (this.stats.recordsDropped[reason] ?? 0) + count;
  }
}

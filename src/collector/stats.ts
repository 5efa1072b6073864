import fs from 'node:fs';
import type { CollectorStats, SignalStats } from '../handoff/collector-config.js';
import { isoUtc } from '../beacon/utc-time.js';
import type { Encoding, Signal } from './otlp/types.js';

function emptySignal(): SignalStats {
  return { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 };
}

/** Counters the post step reports; written once at exit (atomically: tmp file + rename). */
export class StatsRecorder {
  readonly stats: CollectorStats = {
    startedAt: isoUtc(Date.now()),
    signals: { logs: emptySignal(), metrics: emptySignal(), traces: emptySignal() },
    eventsWritten: 0,
    dropped: {},
    rejected: {},
    writeErrors: 0,
  };

  request(signal: Signal, encoding: Encoding, bytes: number): void {
    const s = this.stats.signals[signal];
    s.requests += 1;
    s.bytes += bytes;
    s.byEncoding[encoding] = (s.byEncoding[encoding] ?? 0) + 1;
  }

  records(signal: Signal, received: number, kept: number, dropped: Record<string, number>, rejectedRecords: number): void {
    const s = this.stats.signals[signal];
    s.recordsReceived += received;
    s.recordsKept += kept;
    this.stats.eventsWritten += kept;
    for (const [reason, count] of Object.entries(dropped)) this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + count;
    if (rejectedRecords > 0) this.stats.dropped.rejected_record = (this.stats.dropped.rejected_record ?? 0) + rejectedRecords;
  }

  rejectedRequest(status: number, message: string): void {
    this.stats.rejected[String(status)] = (this.stats.rejected[String(status)] ?? 0) + 1;
    this.stats.firstError ??= `${status}: ${message}`;
  }

  writeError(message: string): void {
    this.stats.writeErrors += 1;
    this.stats.firstError ??= `write: ${message}`;
  }

  writeTo(path: string, stopReason: string): void {
    this.stats.stoppedAt = isoUtc(Date.now());
    this.stats.stopReason = stopReason;
    const tmp = `${path}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.stats, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, path);
  }
}

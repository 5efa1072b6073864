import type { Attribution } from '../beacon/event.js';

/**
 * What the start step hands the collector: a JSON file in the private working folder, mode 0600,
 * whose path is the collector's only argument (the secret never appears in argv or env).
 */
export interface CollectorConfig {
  /** Required in the `x-beacon-secret` header of every request, shutdown included. */
  secret: string;
  /** Port to bind on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Where the kept events go, one JSON line each. */
  capturePath: string;
  /** Written at exit: request and record counts (`CollectorStats`). */
  statsPath: string;
  /** Written once listening: `{ port, pid }`. */
  readyPath: string;
  harness: string;
  includeSpans: boolean;
  logUserPrompt: boolean;
  maxBodyBytes: number;
  /** The collector exits by itself after this long, so it can never outlive a job by much. */
  maxLifetimeMs: number;
  attribution: Attribution;
}

export const SECRET_HEADER = 'x-beacon-secret';
export const HEALTH_PATH = '/health';
export const SHUTDOWN_PATH = '/shutdown';

export interface ReadyFile {
  port: number;
  pid: number;
}

export interface SignalStats {
  requests: number;
  bytes: number;
  byEncoding: Record<string, number>;
  recordsReceived: number;
  recordsKept: number;
}

export interface CollectorStats {
  startedAt: string;
  stoppedAt?: string;
  stopReason?: string;
  signals: Record<'logs' | 'metrics' | 'traces', SignalStats>;
  eventsWritten: number;
  dropped: Record<string, number>;
  rejected: Record<string, number>;
  firstError?: string;
  writeErrors: number;
}

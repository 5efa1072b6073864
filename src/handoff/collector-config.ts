import type { Attribution } from '../beacon/event.js';

/**
 * What the start step hands the collector: a JSON file in the private working folder, mode 0600,
 * whose path is the collector's only argument (the secret never appears in argv or env).
 */
export interface CollectorConfig {
  /** Required in the `x-beacon-secret` header of every request, shutdown included. */
  secret: string;
  /**
   * Port to bind on 127.0.0.1 (0 picks a free one) when the collector runs alone (tests, bench).
   * Under the start step it binds nothing: it serves the socket the step bound and handed over.
   */
  port: number;
  /** Where the kept events go, one JSON line each. */
  capturePath: string;
  /** Written at exit: request and record counts (`CollectorStats`). */
  statsPath: string;
  /** `{ port, pid }`: written by the start step at the hand-over, or by a lone collector once listening. */
  readyPath: string;
  harness: string;
  includeSpans: boolean;
  logUserPrompt: boolean;
  maxBodyBytes: number;
  /** The collector exits by itself after this long, so it can never outlive a job by much. */
  maxLifetimeMs: number;
  attribution: Attribution;
  /** Set only when the `forward-endpoint` input is: where kept events also go (OTLP/HTTP). */
  forward?: ForwardConfig;
}

/** Forwarding to the organization's OpenTelemetry pipeline (inputs `forward-*`). */
export interface ForwardConfig {
  /** OTLP/HTTP base URL (https, or http on loopback); `/v1/logs` and `/v1/metrics` are appended. */
  endpoint: string;
  /** Sent with every request (`forward-headers`; secrets, masked in the step log). */
  headers: Record<string, string>;
  /** `forward-required`: a loss fails the post step instead of warning. */
  required: boolean;
  /**
   * Time the end of the job may spend on forwarding: the collector flushes its queue within a
   * share of it, the post step's token metrics get the rest.
   */
  shutdownLimitMs: number;
}

export const SECRET_HEADER = 'x-beacon-secret';
/** The stats file's `stopReason` of a collector that died before it served: `failed to start: <error>`. */
export const BOOT_FAILURE = 'failed to start';
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
  /** Forwarding of the kept events as OTLP logs; present when forwarding was configured. */
  forward?: ForwardStats;
}

/** What happened to the forwarded records of one signal. */
export interface ForwardStats {
  /** Records taken into the queue. */
  recordsQueued: number;
  /** Requests the receiver accepted, and the records in them (minus any it rejected). */
  batchesSent: number;
  recordsSent: number;
  /** Batches that needed more than one attempt, and the repeated attempts in all. */
  batchesRetried: number;
  /** Attempts repeated after a retryable answer (429, 502, 503, 504) or a network error. */
  retries: number;
  /** Batches given up (their records are counted in recordsDropped). */
  batchesDropped: number;
  /** Records lost, by reason: `queue_full`, `rejected`, `retries_exhausted`, `shutdown_limit`. */
  recordsDropped: Record<string, number>;
  /** The last failure, for the summary (never holds header values). */
  lastError?: string;
  /** How long the flush at shutdown took. */
  flushMs?: number;
}

import type { Attribution } from '../beacon/event.js';

/**
 * What the start step hands the collector: a JSON file in the private working folder, mode 0600,
 * opened by the start step and inherited as a descriptor (or sent over IPC), so that the
 * collector's command line shows no path into the folder (collector-command-line.ts). Neither
 * secret ever appears in argv or env. The post step removes the file once it is done.
 */
export interface CollectorConfig {
  /**
   * The telemetry secret, in Codex's config.toml (so readable by every tool Codex runs): required
   * in the `x-beacon-secret` header of the export requests, and good for nothing else.
   */
  secret: string;
  /**
   * The control secret, in this file only: required in the `x-beacon-control` header of the
   * shutdown and health requests. Never in CODEX_HOME, so the agent cannot stop its own record.
   */
  controlSecret: string;
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
  /**
   * The run's own secret values (secret-named environment variables the start step saw, the
   * forward headers), masked wherever they appear in what the collector and the post step write
   * (beacon/masked-values.ts). Only in this 0600 file, never on a command line.
   */
  maskValues?: string[];
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
export const CONTROL_HEADER = 'x-beacon-control';
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
  lastError?: ForwardError;
  /** How long the flush at shutdown took. */
  flushMs?: number;
}

/**
 * A forwarding failure: our own words, and apart from them the text that came from outside (a
 * receiver's error answer or partial-success message, a network or TLS error naming the peer),
 * which the summary shows only inside a code span. Either may be missing, not both.
 */
export interface ForwardError {
  message?: string;
  outside?: string;
}

/** Forwarding settings shared by the collector's event forwarder and the post step's token metrics. */

export interface ForwarderOptions {
  queueLimit: number;
  batchMaxRecords: number;
  /** A batch stops growing past this many bytes of JSON (one event is at most 64 KiB). */
  batchMaxBytes: number;
  batchDelayMs: number;
  /** How long one batch is retried while the job runs, before it is dropped. */
  retryBudgetMs: number;
  requestTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const FORWARDER_DEFAULTS: ForwarderOptions = {
  queueLimit: 10_000,
  batchMaxRecords: 512,
  batchMaxBytes: 4 * 1024 * 1024,
  batchDelayMs: 1_000,
  retryBudgetMs: 30_000,
  requestTimeoutMs: 10_000,
  initialBackoffMs: 250,
  maxBackoffMs: 5_000,
};

/** The collector's share of `ForwardConfig.shutdownLimitMs`; the post step's token metrics get the rest. */
export const COLLECTOR_FLUSH_SHARE = 0.8;

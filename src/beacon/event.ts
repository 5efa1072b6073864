/**
 * Beacon runtime events, schema 1.0: the contract of every line we write
 * (see the project's shared `beacon-runtime-schema.md`). Readers ignore unknown keys but reject a
 * known key of the wrong type, so every field here has exactly the type the readers expect.
 */

export const SCHEMA_VERSION = '1.0';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type EndpointOs = 'linux' | 'darwin' | 'windows';
export type Origin = 'local' | 'cloud' | 'ci';

/** The CI run that produced the events. All strings but `ephemeral`. */
export interface CiRun {
  provider: string;
  run_id?: string;
  run_attempt?: string;
  workflow?: string;
  job?: string;
  event_name?: string;
  commit?: string;
  repository?: string;
  branch?: string;
  actor?: string;
  pr?: string;
  pr_number?: string;
  ephemeral: true;
}

/** Where the events come from; the same for every event of a run. */
export interface Attribution {
  endpoint: { hostname: string; os: EndpointOs };
  origin?: Origin;
  run?: CiRun;
  /** `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY`: a group key in reports. */
  repository?: string;
  branch?: string;
}

/**
 * Token usage, disjoint: input excludes cached input, output includes reasoning.
 * Nested as the readers address them (`gen_ai.usage.cache_read.input_tokens`).
 */
export interface TokenUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read?: { input_tokens: number };
  cache_creation?: { input_tokens: number };
  reasoning?: { output_tokens: number };
}

export interface BeaconEvent {
  timestamp: string;
  vendor: 'beacon';
  product: 'endpoint-agent';
  schema_version: typeof SCHEMA_VERSION;
  event: { kind: 'agent_runtime'; action: string; category: string };
  severity: Severity;
  endpoint: { hostname: string; os: EndpointOs };
  user?: { name?: string };
  harness: { name: string };
  origin?: Origin;
  run?: CiRun;
  session?: { id: string };
  tool?: { name: string; command?: string };
  command?: { command: string; exit_code?: number; duration_ms?: number; success?: boolean };
  approval?: { required: boolean; decision: string; reason?: string };
  prompt?: { text: string };
  gen_ai?: { token?: { type: string }; usage?: TokenUsage };
  trace?: { id?: string; span_id?: string; parent_span_id?: string };
  model?: string;
  repository?: string;
  branch?: string;
  message?: string;
  raw?: Record<string, unknown>;
  field_truncated?: boolean;
}

/** The actions and harness name the reports and the post step key on. */
export const ACTION = {
  sessionStarted: 'session.started',
  promptSubmitted: 'prompt.submitted',
  approvalRequested: 'approval.requested',
  approvalDenied: 'approval.denied',
  commandExecuted: 'command.executed',
  toolInvoked: 'tool.invoked',
  tokenUsage: 'token.usage',
  span: 'span.recorded',
  otherLog: 'otel.log',
  otherMetric: 'otel.metric',
} as const;

/** `raw` of a token event before and after normalization (the schema page's token section). */
export interface TokenRaw {
  otel_signal: 'metrics';
  metric_name: string;
  metric_type: 'Histogram' | 'Sum' | 'Gauge';
  metric_temporality: 'Delta' | 'Cumulative';
  metric_count: number;
  metric_value: number;
  attributes: Record<string, unknown>;
  /** Start of the series (RFC 3339): tells two Codex processes apart for cumulative series. */
  metric_start_time?: string;
  /**
   * A short stable hash of the resource's attributes (the process that sent the point): with the
   * start time, what keeps two processes' cumulative series apart.
   */
  resource_id?: string;
  /** Sequence number of the export request the point came in: pairs `input` with `cached_input`. */
  export_seq: number;
}

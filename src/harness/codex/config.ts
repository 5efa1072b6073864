import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { SECRET_HEADER } from '../../handoff/collector-config.js';

/**
 * Codex's side of the start step: the `[otel]` table of `$CODEX_HOME/config.toml` that sends
 * Codex's logs and metrics (and spans on request) to our collector, merged into the user's own
 * settings. Facts behind each rule: codex-telemetry.md.
 */

export interface OtelSettings {
  /** Base URL of the collector, e.g. `http://127.0.0.1:PORT`. */
  endpoint: string;
  secret: string;
  protocol: 'binary' | 'json';
  environment: string;
  logUserPrompt: boolean;
  includeSpans: boolean;
}

/** The root key and provider table that openai/codex-action adds to the config itself. */
export const CODEX_ACTION_PROVIDER = 'codex-action-responses-proxy';

type Table = Record<string, unknown>;

function otlpHttp(settings: OtelSettings, signalPath: string): Table {
  return {
    'otlp-http': {
      // Codex uses the endpoint exactly as written: it does not append /v1/logs.
      endpoint: `${settings.endpoint}${signalPath}`,
      protocol: settings.protocol,
      headers: { [SECRET_HEADER]: settings.secret },
    },
  };
}

export function otelTable(settings: OtelSettings): Table {
  return {
    environment: settings.environment,
    log_user_prompt: settings.logUserPrompt,
    // Codex's default logs one codex.sse_event per streamed text delta, and we keep none of them.
    // With this off, a 1,100-word answer sends 28 log records (14 kB) instead of 1,110 (438 kB).
    log_sse_deltas: false,
    exporter: otlpHttp(settings, '/v1/logs'),
    // Without it Codex sends its metrics (token usage included) to Statsig, not to us.
    metrics_exporter: otlpHttp(settings, '/v1/metrics'),
    trace_exporter: settings.includeSpans ? otlpHttp(settings, '/v1/traces') : 'none',
  };
}

export interface MergedConfig {
  toml: string;
  warnings: string[];
  notices: string[];
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** `overlay` wins key by key; tables merge recursively. */
function deepMerge(base: Table, overlay: Table): Table {
  const merged: Table = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    merged[key] = isTable(merged[key]) && isTable(value) ? deepMerge(merged[key] as Table, value) : value;
  }
  return merged;
}

/**
 * Our config: every setting of the given sources (an existing CODEX_HOME config, then the
 * user's `codex-config` on top), with `[otel]` replaced by ours.
 */
export function buildCodexConfig(sources: { name: string; text: string }[], settings: OtelSettings): MergedConfig {
  const warnings: string[] = [];
  const notices: string[] = [];
  let config: Table = {};
  for (const source of sources) {
    let parsed: Table;
    try {
      parsed = parseToml(source.text) as Table;
    } catch (error) {
      throw new Error(`${source.name} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
    }
    config = deepMerge(config, parsed);
  }

  if ('otel' in config) notices.push('The merged Codex config had its own [otel] table: it was replaced, so that Codex reports to this action.');
  if (typeof config.model_provider === 'string') {
    warnings.push(
      `The merged Codex config sets model_provider = "${config.model_provider}". openai/codex-action prepends its own model_provider line to config.toml and then fails with a TOML "duplicate key" error: remove model_provider from your config when you run Codex through openai/codex-action.`,
    );
  }
  const providers = config.model_providers;
  if (isTable(providers) && CODEX_ACTION_PROVIDER in providers) {
    delete providers[CODEX_ACTION_PROVIDER];
    if (Object.keys(providers).length === 0) delete config.model_providers;
    notices.push(`Removed [model_providers.${CODEX_ACTION_PROVIDER}] left by an earlier openai/codex-action run: it appends that table itself and fails on a duplicate.`);
  }
  if ('profiles' in config || 'profile' in config) {
    warnings.push('The merged Codex config uses the legacy [profiles] tables or a profile key, which Codex 0.169 rejects as an error: move those settings to the root or to $CODEX_HOME/<name>.config.toml.');
  }

  delete config.otel;
  config.otel = otelTable(settings);
  return { toml: stringifyToml(config) + '\n', warnings, notices };
}

/** `harness.name` of the OpenAI Codex CLI, in its events and its session-file reader. */
export const CODEX_HARNESS_NAME = 'codex_cli';

/** Codex's token metric (codex-telemetry.md "Metrics"), whose usage its session files also hold. */
export const CODEX_TOKEN_METRIC = 'codex.turn.token_usage';

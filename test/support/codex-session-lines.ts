import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Lines of a Codex session file (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-...jsonl`) in the shape
 * the real Codex CLI 0.169.0 wrote them in a run against the fake model (codex-session-files.md):
 * the same keys in the same order, shortened where the value does not matter (instructions, texts).
 */

export const SESSION_ID = '01a24f0d-b4cf-7ef0-a89e-7f8c2252b9e2';
export const TURN_ID = '01a24f0d-b4fa-7571-bbbd-a4ecb83006c0';

/** Token usage in the scenario's short names. */
export interface Usage {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

/** Codex's usage object; a field may be replaced by any JSON text (e.g. `1.5`, `"12"`, `2 ** 60` written out). */
export function usageJson(usage: Usage, rawFields: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    input_tokens: String(usage.input),
    cached_input_tokens: String(usage.cached),
    cache_write_input_tokens: '0',
    output_tokens: String(usage.output),
    reasoning_output_tokens: String(usage.reasoning),
    total_tokens: String(usage.input + usage.output),
    ...rawFields,
  };
  return `{${Object.entries(fields).map(([key, value]) => `"${key}":${value}`).join(',')}}`;
}

function line(timestamp: string, ordinal: number, type: string, payload: string, metadata?: string): string {
  return `{"timestamp":"${timestamp}","ordinal":${ordinal},"type":"${type}","payload":${payload}${metadata ? `,"metadata":${metadata}` : ''}}`;
}

export function sessionMeta(at: string, options: { id?: string; baseInstructions?: string } = {}): string {
  const id = options.id ?? SESSION_ID;
  const payload = {
    account_scoped: true,
    session_id: id,
    id,
    timestamp: at,
    cwd: '/tmp/work/home',
    runtime_workspace_roots: ['/tmp/work/home'],
    originator: 'codex_exec',
    cli_version: '0.169.0',
    source: 'exec',
    thread_source: 'user',
    model_provider: 'fake',
    base_instructions: options.baseInstructions ?? 'You are Codex, a coding agent. [...]',
    history_mode: 'paginated',
    context_window: { window_id: '01a24f0d-b4d9-7201-b970-ac10bd3d6aa3' },
  };
  return line(at, 0, 'session_meta', JSON.stringify(payload));
}

export function taskStarted(at: string, turnId = TURN_ID): string {
  return line(at, 1, 'event_msg', JSON.stringify({ type: 'task_started', turn_id: turnId, root_turn_id: turnId, started_at: 1796622628, model_context_window: 258400, collaboration_mode_kind: 'default' }));
}

export function turnContext(at: string, turnId: string, model: string, extra: Record<string, unknown> = {}): string {
  const payload = {
    turn_id: turnId,
    root_turn_id: turnId,
    disabled_plugin_ids: [],
    cwd: '/tmp/work/home',
    approval_policy: 'never',
    approvals_reviewer: 'user',
    permission_profile: { type: 'disabled' },
    model,
    collaboration_mode: { mode: 'default', settings: { model, reasoning_effort: null, developer_instructions: null } },
    summary: 'none',
    sandbox_policy: { type: 'danger-full-access' },
    ...extra,
  };
  return line(at, 5, 'turn_context', JSON.stringify(payload));
}

/** `thread`: the session's running sum so far, as Codex writes it (by default this response's usage alone: a first response). */
export function usageRecord(at: string, turnId: string, responseId: string, usage: Usage, rawFields: Record<string, string> = {}, thread: Usage = usage): string {
  const counts = usageJson(usage, rawFields);
  const payload = `{"thread_id":"${SESSION_ID}","turn_id":"${turnId}","session_id":"${SESSION_ID}","root_turn_id":"${turnId}","response_id":"${responseId}","usage":${counts},"turn_token_usage":${counts},"thread_token_usage":${thread === usage ? counts : usageJson(thread)}}`;
  return line(at, 10, 'token_usage_record', payload);
}

export function tokenCount(at: string, total: Usage, last: Usage): string {
  const payload = `{"type":"token_count","info":{"total_token_usage":${usageJson(total)},"last_token_usage":${usageJson(last)},"last_usage_includes_reasoning":false,"model_context_window":258400},"rate_limits":{"limit_id":"codex","limit_name":null,"primary":null,"secondary":null,"credits":null,"plan_type":null}}`;
  return line(at, 13, 'event_msg', payload);
}

/** A token_count with no usage yet (`info` null), as Codex writes for rate limits alone. */
export function tokenCountWithoutInfo(at: string): string {
  return line(at, 13, 'event_msg', '{"type":"token_count","info":null,"rate_limits":{"limit_id":"codex","primary":null,"secondary":null}}');
}

/** A tool's output going back to the model: the kind of line that carries megabytes. */
export function functionCallOutput(at: string, output: string): string {
  return line(at, 12, 'response_item', JSON.stringify({ type: 'function_call_output', call_id: 'call_fake_1', output }), '{"turn_id":"01a24f0d-b4fa-7571-bbbd-a4ecb83006c0"}');
}

export function taskComplete(at: string, turnId = TURN_ID): string {
  return line(at, 18, 'event_msg', JSON.stringify({ type: 'task_complete', turn_id: turnId, last_agent_message: 'Done.', duration_ms: 236 }));
}

/** The file's name for a session that started at `at` (UTC here, Codex uses local time). */
export function rolloutName(at: string, id = SESSION_ID): string {
  return `rollout-${at.slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;
}

/**
 * Writes `content` as `<home>/sessions/YYYY/MM/DD/<name>` and sets its mtime (a fixed time, so that
 * `since` decides the same way whatever the clock says). Returns the path.
 */
export async function writeSessionFile(home: string, name: string, content: string | Buffer, mtime: Date): Promise<string> {
  const match = /^rollout-(\d{4})-(\d{2})-(\d{2})/.exec(name);
  const folder = path.join(home, 'sessions', ...(match ? match.slice(1, 4) : ['2026', '12', '07']));
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, name);
  await writeFile(file, content);
  await utimes(file, mtime, mtime);
  return file;
}

import { ACTION, SCHEMA_VERSION } from '../../beacon/event.js';
import { isCount } from '../../beacon/integers.js';
import { isObject } from '../../beacon/json-object.js';

/**
 * The envelope check every line passes before it reaches the runtime log: Beacon 1.0's required
 * fields and exact values, and the types of its known optional keys (a known key of the wrong
 * type makes the readers reject the whole line).
 */

const SEVERITIES = new Set(['info', 'low', 'medium', 'high', 'critical']);
const OSES = new Set(['linux', 'darwin', 'windows']);
const ORIGINS = new Set(['local', 'cloud', 'ci']);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
type Json = Record<string, any>;


const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
// Integers are safe integers: past 2^53-1 a number is neither exact nor always written in plain
// decimal (1e+300), and the readers drop such a line.
const optionalInteger = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isSafeInteger(value));
const countOk = (value: unknown) => value === undefined || isCount(value);

/**
 * Why a parsed line is not a Beacon 1.0 event the readers accept, or undefined. Required fields
 * and exact values, and the types of the known optional keys (a known key of the wrong type makes
 * the readers reject the whole line, so such a line must not reach the runtime log).
 */
export function eventProblem(e: unknown): string | undefined {
  if (!isObject(e)) return 'not a JSON object';
  if (e.vendor !== 'beacon') return 'vendor is not "beacon"';
  if (e.product !== 'endpoint-agent') return 'product is not "endpoint-agent"';
  if (e.schema_version !== SCHEMA_VERSION) return `schema_version is not "${SCHEMA_VERSION}"`;
  if (typeof e.timestamp !== 'string' || !TIMESTAMP.test(e.timestamp)) return 'timestamp is not RFC 3339 UTC';
  const ev = e.event;
  if (!isObject(ev) || ev.kind !== 'agent_runtime' || typeof ev.action !== 'string' || ev.action === '' || typeof ev.category !== 'string') {
    return 'event is not {kind: "agent_runtime", action, category}';
  }
  if (!SEVERITIES.has(e.severity)) return 'severity is not one of info, low, medium, high, critical';
  if (!isObject(e.endpoint) || typeof e.endpoint.hostname !== 'string' || !OSES.has(e.endpoint.os)) return 'endpoint is not {hostname, os}';
  if (!isObject(e.harness) || typeof e.harness.name !== 'string') return 'harness.name is not a string';

  if (e.origin !== undefined && !ORIGINS.has(e.origin)) return 'origin is not local, cloud or ci';
  if (e.user !== undefined && (!isObject(e.user) || !optionalString(e.user.name))) return 'user is not an object';
  if (e.run !== undefined) {
    if (!isObject(e.run)) return 'run is not an object';
    for (const key in e.run) {
      const value = e.run[key];
      const ok = key === 'ephemeral' ? typeof value === 'boolean' : typeof value === 'string';
      if (!ok) return `run.${key} has the wrong type`;
    }
  }
  if (e.session !== undefined && (!isObject(e.session) || typeof e.session.id !== 'string')) return 'session.id is not a string';
  if (e.tool !== undefined && (!isObject(e.tool) || !optionalString(e.tool.name) || !optionalString(e.tool.command))) return 'tool is not {name, command}';
  if (e.command !== undefined) {
    const c = e.command;
    if (!isObject(c) || !optionalString(c.command) || !optionalInteger(c.exit_code) || !optionalInteger(c.duration_ms)) return 'command is not {command, exit_code (int), duration_ms (int)}';
  }
  if (e.approval !== undefined) {
    const a = e.approval;
    if (!isObject(a) || (a.required !== undefined && typeof a.required !== 'boolean') || !optionalString(a.decision) || !optionalString(a.reason)) return 'approval is not {required (bool), decision, reason}';
  }
  if (e.prompt !== undefined && (!isObject(e.prompt) || typeof e.prompt.text !== 'string')) return 'prompt.text is not a string';
  if (e.gen_ai !== undefined) {
    if (!isObject(e.gen_ai)) return 'gen_ai is not an object';
    // Token events get a new usage anyway; any other event's usage must already be right.
    if (e.event.action !== ACTION.tokenUsage && e.gen_ai.usage !== undefined && !usageOk(e.gen_ai.usage)) return 'gen_ai.usage holds a value that is not a whole number from 0 to 2^53-1';
  }
  if (!optionalString(e.model)) return 'model is not a string';
  if (!optionalString(e.repository)) return 'repository is not a string';
  if (!optionalString(e.branch)) return 'branch is not a string';
  if (!optionalString(e.message)) return 'message is not a string';
  if (e.raw !== undefined && !isObject(e.raw)) return 'raw is not an object';
  if (e.field_truncated !== undefined && typeof e.field_truncated !== 'boolean') return 'field_truncated is not a boolean';
  return undefined;
}

function usageOk(usage: unknown): boolean {
  if (!isObject(usage)) return false;
  if (!countOk(usage.input_tokens) || !countOk(usage.output_tokens)) return false;
  for (const [nested, field] of [['cache_read', 'input_tokens'], ['cache_creation', 'input_tokens'], ['reasoning', 'output_tokens']] as const) {
    const value = usage[nested];
    if (value !== undefined && (!isObject(value) || !countOk(value[field]))) return false;
  }
  return usage.cost_usd === undefined || (typeof usage.cost_usd === 'number' && usage.cost_usd >= 0);
}


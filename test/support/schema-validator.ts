import fs from 'node:fs';
import readline from 'node:readline';

/**
 * An independent checker of the runtime log contract (shared `beacon-runtime-schema.md`, schema
 * 1.0), written from the schema page and not from our writer, so tests can hold every log we
 * produce against it. It returns every problem of a line, in plain words.
 */

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const OSES = ['linux', 'darwin', 'windows'];
const ORIGINS = ['local', 'cloud', 'ci'];
const RUN_STRING_KEYS = ['provider', 'run_id', 'run_attempt', 'workflow', 'job', 'event_name', 'commit', 'repository', 'branch', 'actor', 'pr', 'pr_number'];
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNonNegativeInteger = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function isRfc3339Utc(value: string): boolean {
  const m = RFC3339_UTC.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  if (mo! < 1 || mo! > 12 || h! > 23 || mi! > 59 || s! > 60) return false;
  const daysInMonth = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  return d! >= 1 && d! <= daysInMonth;
}

/**
 * Integer-typed fields whose number is written with a fraction or exponent (`1.0`, `1e3`):
 * JSON.parse hides the difference, so this walks the line's text and reports the paths.
 * Only the schema's integer fields count: `command.exit_code`, `command.duration_ms`, and the
 * token counts under `gen_ai.usage` (`cost_usd` excepted). Numbers in `raw` may be anything.
 */
export function nonCanonicalIntegerPaths(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const isIntegerPath = (path: string[]): boolean => {
    const joined = path.join('.');
    if (joined === 'command.exit_code' || joined === 'command.duration_ms') return true;
    return path[0] === 'gen_ai' && path[1] === 'usage' && path.length > 2 && path[path.length - 1] !== 'cost_usd';
  };
  const value = (path: string[]): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = readString();
        ws();
        i++; // colon
        value([...path, key]);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value([...path, '[]']);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      readString();
    } else {
      const start = i;
      while (i < text.length && /[-+0-9.eEa-z]/.test(text[i]!)) i++;
      const literal = text.slice(start, i);
      // Only integral values written like 1.0 or 1e3: a real fraction is already a type error.
      if (/[.eE]/.test(literal) && Number.isInteger(Number(literal)) && isIntegerPath(path)) found.push(path.join('.'));
    }
  };
  value([]);
  return found;
}

/** Cheap pre-check: a line can only have the problem if an integer key is followed by such a number. */
const MAYBE_NON_CANONICAL = /"[a-z_]+"\s*:\s*-?\d+(?:\.\d*|[eE])/;

function checkUsage(usage: unknown, errors: string[]): void {
  if (!isObject(usage)) {
    errors.push('gen_ai.usage is not an object');
    return;
  }
  const walk = (value: unknown, path: string) => {
    if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) walk(v, `${path}.${key}`);
    } else if (path.endsWith('.cost_usd')) {
      if (typeof value !== 'number' || value < 0) errors.push(`${path} is not a non-negative number`);
    } else if (!isNonNegativeInteger(value)) {
      errors.push(`${path} is not a non-negative integer`);
    }
  };
  walk(usage, 'gen_ai.usage');
}

/** Every way `line` (with its trailing newline) breaks the schema; empty when it is a valid event. */
export function validateBeaconLine(line: string): string[] {
  const errors: string[] = [];
  if (!line.endsWith('\n')) errors.push('line does not end with \\n');
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (body.includes('\n')) errors.push('line holds a newline before its end (one event per line)');

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [...errors, 'not valid JSON'];
  }
  if (!isObject(parsed)) return [...errors, 'not a JSON object'];
  const e = parsed;

  if (typeof e.timestamp !== 'string') errors.push('timestamp is missing or not a string');
  else if (!isRfc3339Utc(e.timestamp)) errors.push(`timestamp "${e.timestamp}" is not RFC 3339 UTC`);
  if (e.vendor !== 'beacon') errors.push('vendor is not "beacon"');
  if (e.product !== 'endpoint-agent') errors.push('product is not "endpoint-agent"');
  if (e.schema_version !== '1.0') errors.push('schema_version is not "1.0"');

  if (!isObject(e.event)) errors.push('event is missing or not an object');
  else {
    if (e.event.kind !== 'agent_runtime') errors.push('event.kind is not "agent_runtime"');
    if (typeof e.event.action !== 'string' || e.event.action === '') errors.push('event.action is not a non-empty string');
    if (typeof e.event.category !== 'string') errors.push('event.category is not a string');
  }
  if (!SEVERITIES.includes(e.severity as string)) errors.push('severity is not info, low, medium, high or critical');
  if (!isObject(e.endpoint)) errors.push('endpoint is missing or not an object');
  else {
    if (typeof e.endpoint.hostname !== 'string') errors.push('endpoint.hostname is not a string');
    if (!OSES.includes(e.endpoint.os as string)) errors.push('endpoint.os is not linux, darwin or windows');
  }
  if (!isObject(e.harness)) errors.push('harness is missing or not an object');
  else if (typeof e.harness.name !== 'string') errors.push('harness.name is not a string');

  if (e.user !== undefined) {
    if (!isObject(e.user)) errors.push('user is not an object');
    else {
      if (e.user.name !== undefined && typeof e.user.name !== 'string') errors.push('user.name is not a string');
      if (e.user.uid !== undefined && typeof e.user.uid !== 'string' && !Number.isInteger(e.user.uid)) errors.push('user.uid is not a string or integer');
    }
  }
  if (e.origin !== undefined && !ORIGINS.includes(e.origin as string)) errors.push('origin is not local, cloud or ci');
  if (e.run !== undefined) {
    if (!isObject(e.run)) errors.push('run is not an object');
    else {
      for (const key of RUN_STRING_KEYS) {
        if (e.run[key] !== undefined && typeof e.run[key] !== 'string') errors.push(`run.${key} is not a string`);
      }
      if (e.run.ephemeral !== undefined && typeof e.run.ephemeral !== 'boolean') errors.push('run.ephemeral is not a boolean');
    }
  }
  if (e.session !== undefined) {
    if (!isObject(e.session)) errors.push('session is not an object');
    else if (typeof e.session.id !== 'string') errors.push('session.id is not a string');
  }
  if (e.tool !== undefined) {
    if (!isObject(e.tool)) errors.push('tool is not an object');
    else {
      if (e.tool.name !== undefined && typeof e.tool.name !== 'string') errors.push('tool.name is not a string');
      if (e.tool.command !== undefined && typeof e.tool.command !== 'string') errors.push('tool.command is not a string');
    }
  }
  if (e.command !== undefined) {
    if (!isObject(e.command)) errors.push('command is not an object');
    else {
      if (e.command.command !== undefined && typeof e.command.command !== 'string') errors.push('command.command is not a string');
      for (const key of ['exit_code', 'duration_ms']) {
        const v = e.command[key];
        if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v))) errors.push(`command.${key} is not an integer`);
      }
    }
  }
  if (e.approval !== undefined) {
    if (!isObject(e.approval)) errors.push('approval is not an object');
    else {
      if (e.approval.required !== undefined && typeof e.approval.required !== 'boolean') errors.push('approval.required is not a boolean');
      if (e.approval.decision !== undefined && typeof e.approval.decision !== 'string') errors.push('approval.decision is not a string');
      if (e.approval.reason !== undefined && typeof e.approval.reason !== 'string') errors.push('approval.reason is not a string');
    }
  }
  if (e.prompt !== undefined) {
    if (!isObject(e.prompt)) errors.push('prompt is not an object');
    else if (typeof e.prompt.text !== 'string') errors.push('prompt.text is not a string');
  }
  if (e.gen_ai !== undefined) {
    if (!isObject(e.gen_ai)) errors.push('gen_ai is not an object');
    else {
      if (e.gen_ai.token !== undefined && (!isObject(e.gen_ai.token) || typeof e.gen_ai.token.type !== 'string')) errors.push('gen_ai.token.type is not a string');
      if (e.gen_ai.usage !== undefined) checkUsage(e.gen_ai.usage, errors);
    }
  }
  for (const key of ['model', 'repository', 'branch', 'message']) {
    if (e[key] !== undefined && typeof e[key] !== 'string') errors.push(`${key} is not a string`);
  }
  if (e.raw !== undefined && !isObject(e.raw)) errors.push('raw is not an object');
  if (e.field_truncated !== undefined && typeof e.field_truncated !== 'boolean') errors.push('field_truncated is not a boolean');

  // Token events: the readers key on raw.metric_name; Codex usage never has a cost.
  if (isObject(e.event) && e.event.action === 'token.usage') {
    if (!isObject(e.raw) || typeof e.raw.metric_name !== 'string') errors.push('token event without raw.metric_name');
    if (isObject(e.harness) && e.harness.name === 'codex_cli' && isObject(e.gen_ai) && isObject(e.gen_ai.usage) && 'cost_usd' in e.gen_ai.usage) {
      errors.push('gen_ai.usage.cost_usd is written for Codex');
    }
  }

  if (MAYBE_NON_CANONICAL.test(body)) {
    for (const path of nonCanonicalIntegerPaths(body)) errors.push(`${path} is written with a fraction or exponent (an integer must read like 1, not 1.0)`);
  }
  return errors;
}

export interface LogValidation {
  lines: number;
  errors: { line: number; errors: string[] }[];
}

/** Checks a whole log, streaming it (logs can be large); keeps the first `maxErrors` bad lines. */
export async function validateBeaconLog(path: string, maxErrors = 1000): Promise<LogValidation> {
  const size = fs.statSync(path).size;
  let endsWithNewline = true;
  if (size > 0) {
    const fd = fs.openSync(path, 'r');
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    fs.closeSync(fd);
    endsWithNewline = last[0] === 0x0a;
  }
  const result: LogValidation = { lines: 0, errors: [] };
  const rl = readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity });
  let pending: string | undefined;
  const check = (text: string, hasNewline: boolean) => {
    result.lines += 1;
    const errors = validateBeaconLine(hasNewline ? text + '\n' : text);
    if (errors.length && result.errors.length < maxErrors) result.errors.push({ line: result.lines, errors });
  };
  // readline drops the newline; every line but the file's last had one.
  for await (const text of rl) {
    if (pending !== undefined) check(pending, true);
    pending = text;
  }
  if (pending !== undefined) check(pending, endsWithNewline);
  return result;
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nonCanonicalIntegerPaths, validateBeaconLine, validateBeaconLog } from './support/schema-validator.js';

/** A complete, valid event with every optional key set, as the schema page describes it. */
function fullEvent(): Record<string, any> {
  return {
    timestamp: '2026-06-13T18:00:05Z',
    vendor: 'beacon',
    product: 'endpoint-agent',
    schema_version: '1.0',
    event: { kind: 'agent_runtime', action: 'command.executed', category: 'command' },
    severity: 'info',
    endpoint: { hostname: 'runner-1', os: 'linux' },
    user: { name: 'runner', uid: '1001' },
    harness: { name: 'codex_cli' },
    origin: 'ci',
    run: { provider: 'github_actions', run_id: '42', run_attempt: '1', repository: 'o/r', ephemeral: true },
    session: { id: 'conv-1' },
    tool: { name: 'exec_command', command: '{"cmd":"echo hi"}' },
    command: { command: 'echo hi', exit_code: 0, duration_ms: 159 },
    approval: { required: true, decision: 'approved', reason: 'Config' },
    prompt: { text: 'say hi' },
    gen_ai: { token: { type: 'input' }, usage: { input_tokens: 450, cache_read: { input_tokens: 2150 } } },
    model: 'gpt-5.5',
    repository: 'https://github.com/o/r',
    branch: 'main',
    message: 'exec_command',
    raw: { otel_signal: 'logs', attributes: { duration_ms: 1.5 } },
    field_truncated: false,
  };
}

const line = (event: unknown) => JSON.stringify(event) + '\n';

function withChange(change: (e: Record<string, any>) => void): string {
  const event = fullEvent();
  change(event);
  return line(event);
}

describe('validateBeaconLine', () => {
  it('accepts a complete event and a minimal one', () => {
    expect(validateBeaconLine(line(fullEvent()))).toEqual([]);
    const minimal = fullEvent();
    for (const key of ['user', 'origin', 'run', 'session', 'tool', 'command', 'approval', 'prompt', 'gen_ai', 'model', 'repository', 'branch', 'message', 'raw', 'field_truncated']) delete minimal[key];
    expect(validateBeaconLine(line(minimal))).toEqual([]);
  });

  it('requires the trailing newline and one event per line', () => {
    expect(validateBeaconLine(JSON.stringify(fullEvent()))).toEqual(['line does not end with \\n']);
    expect(validateBeaconLine(line(fullEvent()) + line(fullEvent()))).toContain('line holds a newline before its end (one event per line)');
  });

  it('rejects text that is not a JSON object', () => {
    expect(validateBeaconLine('{"vendor":"beacon"\n')).toEqual(['not valid JSON']);
    expect(validateBeaconLine('[1,2]\n')).toEqual(['not a JSON object']);
    expect(validateBeaconLine('null\n')).toEqual(['not a JSON object']);
  });

  it('checks the exact envelope values', () => {
    expect(validateBeaconLine(withChange((e) => (e.vendor = 'Beacon')))).toEqual(['vendor is not "beacon"']);
    expect(validateBeaconLine(withChange((e) => delete e.product))).toEqual(['product is not "endpoint-agent"']);
    expect(validateBeaconLine(withChange((e) => (e.schema_version = 1.0)))).toEqual(['schema_version is not "1.0"']);
    expect(validateBeaconLine(withChange((e) => (e.schema_version = '1.1')))).toEqual(['schema_version is not "1.0"']);
  });

  it('checks event.kind, a non-empty action and a string category', () => {
    expect(validateBeaconLine(withChange((e) => (e.event.kind = 'runtime')))).toEqual(['event.kind is not "agent_runtime"']);
    expect(validateBeaconLine(withChange((e) => (e.event.action = '')))).toEqual(['event.action is not a non-empty string']);
    expect(validateBeaconLine(withChange((e) => (e.event.category = 3)))).toEqual(['event.category is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.event = 'x')))).toEqual(['event is missing or not an object']);
  });

  it('checks the severity and os enums and the hostname and harness strings', () => {
    expect(validateBeaconLine(withChange((e) => (e.severity = 'warning')))).toEqual(['severity is not info, low, medium, high or critical']);
    expect(validateBeaconLine(withChange((e) => (e.endpoint.os = 'win32')))).toEqual(['endpoint.os is not linux, darwin or windows']);
    expect(validateBeaconLine(withChange((e) => (e.endpoint.hostname = null)))).toEqual(['endpoint.hostname is not a string']);
    expect(validateBeaconLine(withChange((e) => delete e.endpoint))).toEqual(['endpoint is missing or not an object']);
    expect(validateBeaconLine(withChange((e) => (e.harness = { name: 1 })))).toEqual(['harness.name is not a string']);
    expect(validateBeaconLine(withChange((e) => delete e.harness))).toEqual(['harness is missing or not an object']);
  });

  it('requires an RFC 3339 UTC timestamp, fractional seconds allowed', () => {
    expect(validateBeaconLine(withChange((e) => (e.timestamp = '2026-06-13T18:00:05.123456Z')))).toEqual([]);
    expect(validateBeaconLine(withChange((e) => (e.timestamp = '2026-06-13T18:00:05+02:00')))).toEqual(['timestamp "2026-06-13T18:00:05+02:00" is not RFC 3339 UTC']);
    expect(validateBeaconLine(withChange((e) => (e.timestamp = '2026-02-30T18:00:05Z')))).toEqual(['timestamp "2026-02-30T18:00:05Z" is not RFC 3339 UTC']);
    expect(validateBeaconLine(withChange((e) => (e.timestamp = 1781373605)))).toEqual(['timestamp is missing or not a string']);
  });

  it('checks origin, run and user', () => {
    expect(validateBeaconLine(withChange((e) => (e.origin = 'github')))).toEqual(['origin is not local, cloud or ci']);
    expect(validateBeaconLine(withChange((e) => (e.run.run_id = 42)))).toEqual(['run.run_id is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.run.ephemeral = 'true')))).toEqual(['run.ephemeral is not a boolean']);
    expect(validateBeaconLine(withChange((e) => (e.run = [])))).toEqual(['run is not an object']);
    expect(validateBeaconLine(withChange((e) => (e.user = {})))).toEqual([]);
    expect(validateBeaconLine(withChange((e) => (e.user = { name: 5 })))).toEqual(['user.name is not a string']);
  });

  it('checks session, tool, approval and prompt types', () => {
    expect(validateBeaconLine(withChange((e) => (e.session = { id: 7 })))).toEqual(['session.id is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.tool.command = { cmd: 'ls' })))).toEqual(['tool.command is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.tool = 'shell')))).toEqual(['tool is not an object']);
    expect(validateBeaconLine(withChange((e) => (e.approval.required = 'true')))).toEqual(['approval.required is not a boolean']);
    expect(validateBeaconLine(withChange((e) => (e.prompt = { text: ['a'] })))).toEqual(['prompt.text is not a string']);
  });

  it('requires integer exit_code and duration_ms, and catches 1.0 written for an integer', () => {
    expect(validateBeaconLine(withChange((e) => (e.command.exit_code = '0')))).toEqual(['command.exit_code is not an integer']);
    expect(validateBeaconLine(withChange((e) => (e.command.duration_ms = 1.5)))).toEqual(['command.duration_ms is not an integer']);
    const ok = line(fullEvent());
    expect(validateBeaconLine(ok.replace('"exit_code":0', '"exit_code":0.0'))).toEqual(['command.exit_code is written with a fraction or exponent (an integer must read like 1, not 1.0)']);
    expect(validateBeaconLine(ok.replace('"duration_ms":159', '"duration_ms":1.59e2'))).toEqual(['command.duration_ms is written with a fraction or exponent (an integer must read like 1, not 1.0)']);
    // A fractional duration inside raw is fine: raw's contents are free.
    expect(ok).toContain('"duration_ms":1.5');
    expect(validateBeaconLine(ok)).toEqual([]);
  });

  it('requires non-negative integer usage values, cost excepted', () => {
    expect(validateBeaconLine(withChange((e) => (e.gen_ai.usage.input_tokens = -1)))).toEqual(['gen_ai.usage.input_tokens is not a non-negative integer']);
    expect(validateBeaconLine(withChange((e) => (e.gen_ai.usage.cache_read.input_tokens = '2150')))).toEqual(['gen_ai.usage.cache_read.input_tokens is not a non-negative integer']);
    expect(validateBeaconLine(withChange((e) => (e.gen_ai.usage = 5)))).toEqual(['gen_ai.usage is not an object']);
    expect(validateBeaconLine(withChange((e) => (e.gen_ai.token = { type: 1 })))).toEqual(['gen_ai.token.type is not a string']);
    expect(validateBeaconLine(line(fullEvent()).replace('"input_tokens":450', '"input_tokens":450.0'))).toEqual(['gen_ai.usage.input_tokens is written with a fraction or exponent (an integer must read like 1, not 1.0)']);
    expect(validateBeaconLine(withChange((e) => ((e.harness.name = 'claude_code'), (e.gen_ai.usage.cost_usd = 0.25))))).toEqual([]);
  });

  it('checks the top-level strings, raw and field_truncated', () => {
    expect(validateBeaconLine(withChange((e) => (e.model = null)))).toEqual(['model is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.repository = ['o/r'])))).toEqual(['repository is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.branch = 1)))).toEqual(['branch is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.message = {})))).toEqual(['message is not a string']);
    expect(validateBeaconLine(withChange((e) => (e.raw = [1])))).toEqual(['raw is not an object']);
    expect(validateBeaconLine(withChange((e) => (e.field_truncated = 'yes')))).toEqual(['field_truncated is not a boolean']);
  });

  it('requires raw.metric_name on token events and no cost on Codex usage', () => {
    const token = (change: (e: Record<string, any>) => void) =>
      withChange((e) => {
        e.event = { kind: 'agent_runtime', action: 'token.usage', category: 'metric' };
        e.raw = { otel_signal: 'metrics', metric_name: 'codex.turn.token_usage', metric_value: 2600 };
        change(e);
      });
    expect(validateBeaconLine(token(() => {}))).toEqual([]);
    expect(validateBeaconLine(token((e) => delete e.raw.metric_name))).toEqual(['token event without raw.metric_name']);
    expect(validateBeaconLine(token((e) => (e.gen_ai.usage.cost_usd = 0)))).toEqual(['gen_ai.usage.cost_usd is written for Codex']);
  });

  it('reports every problem of a line at once', () => {
    expect(validateBeaconLine(withChange((e) => ((e.vendor = 'x'), (e.severity = 'x'), (e.raw = 'x'))))).toEqual(['vendor is not "beacon"', 'severity is not info, low, medium, high or critical', 'raw is not an object']);
  });
});

describe('nonCanonicalIntegerPaths', () => {
  it('walks nested objects, arrays and escaped strings to the integer fields only', () => {
    const text = '{"raw":{"a":[1.5,{"exit_code":2.0}],"s":"\\"exit_code\\":1.0"},"command":{"exit_code":1e0,"duration_ms":3},"gen_ai":{"usage":{"reasoning":{"output_tokens":3.0},"cost_usd":0.5}}}';
    expect(nonCanonicalIntegerPaths(text)).toEqual(['command.exit_code', 'gen_ai.usage.reasoning.output_tokens']);
  });
});

describe('validateBeaconLog', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-validator-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('numbers the bad lines and flags a last line without its newline', async () => {
    const file = path.join(dir, 'log.jsonl');
    fs.writeFileSync(file, line(fullEvent()) + '{"torn\n' + line(fullEvent()) + JSON.stringify(fullEvent()));
    expect(await validateBeaconLog(file)).toEqual({
      lines: 4,
      errors: [
        { line: 2, errors: ['not valid JSON'] },
        { line: 4, errors: ['line does not end with \\n'] },
      ],
    });
  });

  it('accepts an empty log', async () => {
    const file = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(file, '');
    expect(await validateBeaconLog(file)).toEqual({ lines: 0, errors: [] });
  });
});

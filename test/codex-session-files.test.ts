import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attributionFromEnv } from '../src/beacon/attribution.js';
import { pairSessions } from '../src/finish/account-usage/sessions/pair-sessions.js';
import { reconcileSessions } from '../src/finish/account-usage/sessions/reconcile.js';
import { recoveredEvents } from '../src/finish/account-usage/sessions/recovered-events.js';
import type { MetricExportUsage } from '../src/finish/runtime-log/metric-exports.js';
import { codexSessionFiles, TAIL_BYTES } from '../src/harness/codex/session-files.js';
import { sessionReaderFor, type SessionScan, type SessionTurnUsage } from '../src/harness/sessions.js';
import { codexVersion, runCodexExec, writeProviderConfig, type CodexExecResult } from './support/codex-cli.js';
import {
  SESSION_ID,
  TURN_ID,
  functionCallOutput,
  rolloutName,
  sessionMeta,
  taskComplete,
  taskStarted,
  tokenCount,
  tokenCountWithoutInfo,
  turnContext,
  usageJson,
  usageRecord,
  writeSessionFile,
  type Usage,
} from './support/codex-session-lines.js';
import { startFakeModel, type FakeModel, type ModelCall, type ScenarioUsage } from './support/fake-model.js';

const tempDirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

async function removeTempDirs(): Promise<void> {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

const read = (home: string, since: Date) => codexSessionFiles.readSessions({ home, since });
/** The scan with every session read in full (a large file is read as a summary first). */
async function readAllInFull(home: string, since: Date): Promise<SessionScan> {
  const scan = await read(home, since);
  const sessions: SessionScan['sessions'] = [];
  for (const session of scan.sessions) sessions.push(await codexSessionFiles.readFull(home, session));
  return { ...scan, sessions };
}

describe('the session-file reader registry', () => {
  it('knows Codex by its harness name, and nothing else', () => {
    expect(sessionReaderFor('codex_cli')).toBe(codexSessionFiles);
    expect(codexSessionFiles.harnessName).toBe('codex_cli');
    expect(codexSessionFiles.usageMetricName).toBe('codex.turn.token_usage');
    expect(sessionReaderFor('claude_code')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// The real Codex CLI (npm @openai/codex: the pinned one, or BEACON_CODEX_PACKAGE_DIR's) against the fake Responses API.

const MODEL = 'gpt-bars-3';
const RUN_TIMEOUT_MS = 45_000;
// Distinct numbers per response, so a sum that dropped or doubled one cannot match by accident.
const FIRST: ScenarioUsage = { input: 3333, cached: 1111, output: 300, reasoning: 40, total: 3633 };
const SECOND: ScenarioUsage = { input: 4444, cached: 2222, output: 45, reasoning: 15, total: 4489 };
const KILLED_FIRST: ScenarioUsage = { input: 6000, cached: 2000, output: 300, reasoning: 40, total: 6300 };

interface CodexRun {
  result: CodexExecResult;
  codexHome: string;
  model: FakeModel;
  /** The one session file's base name, and its lines parsed here (independently of the reader). */
  fileName: string;
  lines: { timestamp: string; type: string; payload: Record<string, unknown> }[];
  /** Just before Codex started. */
  startedBefore: Date;
}

async function runCodex(calls: ModelCall[], stop?: { signal: NodeJS.Signals; afterFirstResponseMs: number }): Promise<CodexRun> {
  const work = await tempDir('beacon-session-files-');
  const codexHome = path.join(work, 'codex-home');
  const home = path.join(work, 'home');
  await mkdir(home);
  const model = await startFakeModel({ calls, model: MODEL });
  try {
    await writeProviderConfig(codexHome, { baseUrl: model.baseUrl, model: MODEL });
    const startedBefore = new Date();
    const result = await runCodexExec({
      codexHome,
      home,
      prompt: 'Run the command, then say what it printed.',
      timeoutMs: RUN_TIMEOUT_MS,
      terminateWhen: stop && afterFirstRequest(model).then(() => delay(stop.afterFirstResponseMs)),
      signal: stop?.signal,
    });
    const files = await findFiles(path.join(codexHome, 'sessions'));
    expect(files, result.stderr).toHaveLength(1);
    const text = await readFile(files[0]!, 'utf8');
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as CodexRun['lines'][number]);
    return { result, codexHome, model, fileName: path.basename(files[0]!), lines, startedBefore };
  } finally {
    await model.close();
  }
}

/** Settles once the fake model received its first request (the first response completes at once). */
function afterFirstRequest(model: FakeModel): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (model.responsesRequests().length === 0) return;
      clearInterval(poll);
      resolve();
    }, 20);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function findFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const onlyLine = (run: CodexRun, type: string) => {
  const matching = run.lines.filter((line) => line.type === type);
  expect(matching, type).toHaveLength(1);
  return matching[0]!;
};

/** What the reader must say of a run's one session, from the file's own lines and the planned usage. */
function expectedSession(run: CodexRun, responses: { usage: ScenarioUsage; id: string }[]) {
  const meta = onlyLine(run, 'session_meta').payload;
  const records = run.lines.filter((line) => line.type === 'token_usage_record');
  expect(records).toHaveLength(responses.length);
  const turn: SessionTurnUsage = {
    turnId: onlyLine(run, 'turn_context').payload.turn_id as string,
    model: MODEL,
    usage: {
      input: sum(responses, (r) => r.usage.input),
      cachedInput: sum(responses, (r) => r.usage.cached),
      output: sum(responses, (r) => r.usage.output),
      reasoningOutput: sum(responses, (r) => r.usage.reasoning),
    },
    responses: responses.length,
    responseIds: responses.map((r) => r.id),
    firstAt: records[0]!.timestamp,
    lastAt: records.at(-1)!.timestamp,
  };
  // The last record's running total is the session's: what a summary read takes.
  const thread = records.at(-1)!.payload.thread_token_usage as Record<string, number>;
  expect({ input: thread.input_tokens, cachedInput: thread.cached_input_tokens, output: thread.output_tokens, reasoningOutput: thread.reasoning_output_tokens }).toEqual(turn.usage);
  return {
    sessionId: meta.id,
    file: run.fileName,
    relativePath: expect.stringMatching(new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${run.fileName}$`)),
    startedAt: meta.timestamp,
    lastRecordAt: run.lines.at(-1)!.timestamp,
    harnessVersion: codexVersion(),
    originator: 'codex_exec',
    usageSource: 'token_usage_record',
    detail: 'full',
    thread: turn.usage,
    turns: [turn],
    problems: [],
  };
}

function sum<T>(items: T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

/** What Codex told the model of its session and turn, in its per-request turn metadata header. */
function turnMetadataSentTo(model: FakeModel): { session_id: string; turn_id: string; model: string } {
  return JSON.parse(String(model.responsesRequests()[0]!.headers['x-codex-turn-metadata'])) as { session_id: string; turn_id: string; model: string };
}

describe('session files of the real Codex CLI', () => {
  afterAll(removeTempDirs);

  describe('a normal two-response turn', () => {
    let run: CodexRun;
    beforeAll(async () => {
      run = await runCodex([
        { kind: 'tool_call', command: 'echo hi', usage: FIRST },
        { kind: 'final_answer', text: 'It printed hi.', usage: SECOND },
      ]);
      expect(run.result, run.result.stderr).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    }, 60_000);

    it('reads one session with both responses summed, its model and its id', async () => {
      const scan = await read(run.codexHome, run.startedBefore);

      expect(scan).toEqual({
        sessions: [
          expectedSession(run, [
            { usage: FIRST, id: 'resp_fake_1' },
            { usage: SECOND, id: 'resp_fake_2' },
          ]),
        ],
        olderFilesSkipped: 0,
        unreadable: [],
      });
      const session = scan.sessions[0]!;
      expect(session.turns[0]!.usage).toEqual({ input: 7777, cachedInput: 3333, output: 345, reasoningOutput: 55 });
      // The same id three ways: session_meta (expectedSession), the file name, and what Codex told the model.
      expect(session.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(session.file).toMatch(new RegExp(`^rollout-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-${session.sessionId}\\.jsonl$`));
      const told = turnMetadataSentTo(run.model);
      expect([session.sessionId, session.turns[0]!.turnId, session.turns[0]!.model]).toEqual([told.session_id, told.turn_id, told.model]);
      // The file also has token_count events; the per-response records win.
      expect(run.lines.filter((line) => line.type === 'event_msg' && line.payload.type === 'token_count')).toHaveLength(2);
    });

    it('leaves the session out, unopened, when `since` is after the file was last written', async () => {
      const scan = await read(run.codexHome, new Date(Date.now() + 3_600_000));

      expect(scan).toEqual({ sessions: [], olderFilesSkipped: 1, unreadable: [] });
    });

    it('leaves the session out by its session_meta time when the file was touched since', async () => {
      const [file] = await findFiles(path.join(run.codexHome, 'sessions'));
      const since = new Date(Date.now() + 3_600_000);
      const later = new Date(since.getTime() + 60_000);
      await utimes(file!, later, later);

      expect(await read(run.codexHome, since)).toEqual({ sessions: [], olderFilesSkipped: 1, unreadable: [] });
    });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} while the first response's tool runs: exactly that response's usage is read`, async () => {
      const run = await runCodex(
        [
          { kind: 'tool_call', command: 'sleep 30', usage: KILLED_FIRST },
          { kind: 'final_answer', text: 'never asked for', usage: SECOND },
        ],
        { signal, afterFirstResponseMs: 2_500 },
      );

      // SIGTERM ends Codex; SIGINT is Codex's own Ctrl-C: it aborts the turn and exits 1.
      expect(run.result, run.result.stderr).toMatchObject(signal === 'SIGTERM' ? { exitCode: null, signal: 'SIGTERM', timedOut: false } : { exitCode: 1, signal: null, timedOut: false });
      expect(run.result.durationMs).toBeLessThan(15_000);
      expect(run.model.responsesRequests()).toHaveLength(1);

      const scan = await read(run.codexHome, run.startedBefore);
      expect(scan).toEqual({ sessions: [expectedSession(run, [{ usage: KILLED_FIRST, id: 'resp_fake_1' }])], olderFilesSkipped: 0, unreadable: [] });
      expect(scan.sessions[0]!.turns[0]!.usage).toEqual({ input: 6000, cachedInput: 2000, output: 300, reasoningOutput: 40 });
    }, 60_000);
  }
});

// ---------------------------------------------------------------------------------------------
// Files written here, line for line in the shape the real run wrote.

const AT = '2026-12-07T05:50:28.057Z';
const SINCE = new Date('2026-12-07T05:00:00.000Z');
const MTIME = new Date('2026-12-07T06:00:00.000Z');
const R1: Usage = { input: 3333, cached: 1111, output: 300, reasoning: 40 };
const R2: Usage = { input: 4444, cached: 2222, output: 45, reasoning: 15 };
const R3: Usage = { input: 5555, cached: 3000, output: 70, reasoning: 9 };

/** `at` moved by `ms`, as ISO. */
function t(ms: number, at = AT): string {
  return new Date(Date.parse(at) + ms).toISOString();
}

function jsonl(lines: string[], end = '\n'): string {
  return lines.join('\n') + end;
}

/** A normal session's lines: meta, task start, turn context, two responses (each a record, then a token_count), the end. */
function normalLines(): string[] {
  return [
    sessionMeta(AT),
    taskStarted(t(2)),
    turnContext(t(40), TURN_ID, MODEL),
    usageRecord(t(100), TURN_ID, 'resp_fake_1', R1),
    functionCallOutput(t(150), 'hi\n'),
    tokenCount(t(180), R1, R1),
    usageRecord(t(200), TURN_ID, 'resp_fake_2', R2),
    tokenCount(t(201), { input: 7777, cached: 3333, output: 345, reasoning: 55 }, R2),
    taskComplete(t(205)),
  ];
}

function turn(fields: Partial<SessionTurnUsage> & Pick<SessionTurnUsage, 'usage' | 'responses'>): SessionTurnUsage {
  return { turnId: TURN_ID, model: MODEL, responseIds: [], firstAt: '', lastAt: '', ...fields };
}

const counts = (...usages: Usage[]) => ({
  input: sum(usages, (u) => u.input),
  cachedInput: sum(usages, (u) => u.cached),
  output: sum(usages, (u) => u.output),
  reasoningOutput: sum(usages, (u) => u.reasoning),
});

/** A session as a full read gives it: `thread` the sum of its turns, `relativePath` from the file's name (as writeSessionFile places it). */
function session(fields: Partial<SessionScan['sessions'][number]>) {
  const file = fields.file ?? rolloutName(AT);
  const turns = fields.turns ?? [];
  const thread = { input: 0, cachedInput: 0, output: 0, reasoningOutput: 0 };
  for (const { usage } of turns) for (const field of Object.keys(thread) as (keyof typeof thread)[]) thread[field] += usage[field];
  return {
    sessionId: SESSION_ID,
    file,
    relativePath: `${file.slice(8, 18).replace(/-/g, '/')}/${file}`,
    startedAt: AT,
    lastRecordAt: t(205),
    harnessVersion: '0.169.0',
    originator: 'codex_exec',
    usageSource: 'token_usage_record',
    detail: 'full',
    thread,
    turns,
    problems: [],
    ...fields,
  };
}

describe('reading session files defensively', () => {
  let home: string;
  beforeAll(async () => {
    home = await tempDir('beacon-session-lines-');
  });
  afterEach(async () => {
    await rm(path.join(home, 'sessions'), { recursive: true, force: true });
  });
  afterAll(removeTempDirs);

  const twoResponses = () => turn({ usage: counts(R1, R2), responses: 2, responseIds: ['resp_fake_1', 'resp_fake_2'], firstAt: t(100), lastAt: t(200) });

  it('reads a normal file: the records summed per turn and model, the token_count events not counted again', async () => {
    await writeSessionFile(home, rolloutName(AT), jsonl(normalLines()), MTIME);

    expect(await read(home, SINCE)).toEqual({ sessions: [session({ turns: [twoResponses()] })], olderFilesSkipped: 0, unreadable: [] });
  });

  it('no sessions folder: an empty scan', async () => {
    expect(await read(path.join(home, 'no-such-home'), SINCE)).toEqual({ sessions: [], olderFilesSkipped: 0, unreadable: [] });
  });

  it('a torn last line: the complete records before it count, and the problem is named', async () => {
    const torn = usageRecord(t(300), TURN_ID, 'resp_fake_3', R3);
    await writeSessionFile(home, rolloutName(AT), jsonl(normalLines()) + torn.slice(0, torn.indexOf('"usage"') + 30), MTIME);

    expect(await read(home, SINCE)).toEqual({ sessions: [session({ turns: [twoResponses()], problems: ['torn last line (1)'] })], olderFilesSkipped: 0, unreadable: [] });
  });

  it('a torn last line of a type not read (a tool output) is named too; a whole last line with no newline is no problem', async () => {
    const output = functionCallOutput(t(300), 'x'.repeat(3_000_000));
    await writeSessionFile(home, rolloutName(AT), jsonl(normalLines()) + output.slice(0, 2_500_000), MTIME);
    const otherAt = '2026-12-07T07:00:00.000Z';
    const otherId = '01a24f0d-0000-7000-8000-000000000002';
    const whole = [sessionMeta(otherAt, { id: otherId }), turnContext(t(1, otherAt), TURN_ID, MODEL), usageRecord(t(2, otherAt), TURN_ID, 'resp_x', R3)];
    await writeSessionFile(home, rolloutName(otherAt, otherId), jsonl(whole, ''), MTIME);

    expect(await read(home, SINCE)).toEqual({
      sessions: [
        session({ turns: [twoResponses()], problems: ['torn last line (1)'] }),
        session({ sessionId: otherId, file: rolloutName(otherAt, otherId), startedAt: otherAt, lastRecordAt: t(2, otherAt), turns: [turn({ usage: counts(R3), responses: 1, responseIds: ['resp_x'], firstAt: t(2, otherAt), lastAt: t(2, otherAt) })] }),
      ],
      olderFilesSkipped: 0,
      unreadable: [],
    });
  });

  it('skips unknown record types, and does not take a record type quoted inside another record', async () => {
    const lines = normalLines();
    lines.splice(
      4,
      0,
      // A type from a later Codex, carrying usage-like numbers.
      `{"timestamp":"${t(110)}","ordinal":11,"type":"brand_new_record","payload":{"usage":{"input_tokens":999,"cached_input_tokens":0,"output_tokens":9,"reasoning_output_tokens":0}}}`,
      // A tool output that prints a token_usage_record line (its text is JSON-escaped in the payload).
      functionCallOutput(t(120), usageRecord(t(120), TURN_ID, 'resp_fake_printed', R3)),
      // Other event_msg kinds, and one with no payload type at all.
      `{"timestamp":"${t(130)}","ordinal":12,"type":"event_msg","payload":{"type":"item_completed","item":{"type":"token_usage_record","usage":{"input_tokens":1}}}}`,
      `{"timestamp":"${t(131)}","ordinal":12,"type":"event_msg","payload":{"kind":"token_count"}}`,
      `{"timestamp":"${t(132)}","ordinal":12,"type":"world_state","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1}}}}`,
      '',
    );

    await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);
    expect(await read(home, SINCE)).toEqual({ sessions: [session({ turns: [twoResponses()] })], olderFilesSkipped: 0, unreadable: [] });
  });

  it('does not rely on key order: a record whose type comes last, after its payload, is still read', async () => {
    const lines = normalLines();
    const reordered = `{"payload":{"turn_id":"${TURN_ID}","response_id":"resp_fake_3","usage":{"output_tokens":70,"reasoning_output_tokens":9,"input_tokens":5555,"cached_input_tokens":3000}},"ordinal":19,"timestamp":"${t(300)}","type":"token_usage_record"}`;
    const escapedType = `{"timestamp":"${t(301)}","type":"token_usage_\\u0072ecord","payload":{"turn_id":"${TURN_ID}","response_id":"resp_fake_4","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0}}}`;
    await writeSessionFile(home, rolloutName(AT), jsonl([...lines, reordered, escapedType]), MTIME);

    expect(await read(home, SINCE)).toEqual({
      sessions: [
        session({
          lastRecordAt: t(301),
          turns: [turn({ usage: counts(R1, R2, R3, { input: 1, cached: 0, output: 1, reasoning: 0 }), responses: 4, responseIds: ['resp_fake_1', 'resp_fake_2', 'resp_fake_3', 'resp_fake_4'], firstAt: t(100), lastAt: t(301) })],
        }),
      ],
      olderFilesSkipped: 0,
      unreadable: [],
    });
  });

  it('files that cannot be read, or hold no session_meta, are named in unreadable; the others still count', async () => {
    await writeSessionFile(home, rolloutName(AT), jsonl(normalLines()), MTIME);
    const day = path.join(home, 'sessions', '2026', '12', '07');
    const folderName = rolloutName('2026-12-07T06:10:00.000Z', '01a24f0d-0000-7000-8000-00000000000a');
    await mkdir(path.join(day, folderName));
    const fifoName = rolloutName('2026-12-07T06:20:00.000Z', '01a24f0d-0000-7000-8000-00000000000b');
    execFileSync('mkfifo', [path.join(day, fifoName)]);
    const linkName = rolloutName('2026-12-07T06:30:00.000Z', '01a24f0d-0000-7000-8000-00000000000c');
    await symlink(path.join(day, rolloutName(AT)), path.join(day, linkName));
    const noMetaName = rolloutName('2026-12-07T06:40:00.000Z', '01a24f0d-0000-7000-8000-00000000000d');
    await writeSessionFile(home, noMetaName, jsonl(normalLines().slice(1)), MTIME);
    // Not session files: other endings, and a compressed one.
    await writeSessionFile(home, `${rolloutName(AT).slice(0, -6)}.jsonl.zst`, 'not read', MTIME);
    await writeSessionFile(home, 'notes.txt', 'not read', MTIME);

    expect(await read(home, SINCE)).toEqual({
      sessions: [session({ turns: [twoResponses()] })],
      olderFilesSkipped: 0,
      unreadable: [
        { file: `2026/12/07/${folderName}`, reason: 'not a regular file (a folder)' },
        { file: `2026/12/07/${fifoName}`, reason: 'not a regular file (a device, FIFO or socket)' },
        { file: `2026/12/07/${linkName}`, reason: 'not a regular file (a symbolic link, not followed)' },
        { file: `2026/12/07/${noMetaName}`, reason: 'no session_meta line' },
      ],
    });
  });

  it('a file with only token_count events: each response counted once, a repeated total not again, the turn from turn_context', async () => {
    const turn2 = '01a24f0e-1111-7222-8333-444455556666';
    const total1 = R1;
    const total2 = { input: R1.input + R2.input, cached: R1.cached + R2.cached, output: R1.output + R2.output, reasoning: R1.reasoning + R2.reasoning };
    const total3 = { input: total2.input + R3.input, cached: total2.cached + R3.cached, output: total2.output + R3.output, reasoning: total2.reasoning + R3.reasoning };
    const lines = [
      sessionMeta(AT),
      tokenCountWithoutInfo(t(1)),
      turnContext(t(40), TURN_ID, MODEL),
      tokenCount(t(100), total1, R1),
      tokenCount(t(200), total2, R2),
      tokenCount(t(205), total2, R2), // repeated at the turn's end: same total
      turnContext(t(300), turn2, 'gpt-other-2'),
      tokenCount(t(400), total3, R3),
      `{"timestamp":"${t(401)}","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":"lots"},"last_token_usage":null}}}`,
    ];
    await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);

    expect(await read(home, SINCE)).toEqual({
      sessions: [
        session({
          lastRecordAt: t(401),
          usageSource: 'token_count',
          turns: [
            turn({ usage: counts(R1, R2), responses: 2, firstAt: t(100), lastAt: t(200) }),
            turn({ turnId: turn2, model: 'gpt-other-2', usage: counts(R3), responses: 1, firstAt: t(400), lastAt: t(400) }),
          ],
          problems: ['a token_count event whose usage is not a set of whole numbers (1)'],
        }),
      ],
      olderFilesSkipped: 0,
      unreadable: [],
    });
  });

  it('token_count events before the first token_usage_record: the usage is still the records\' alone, whatever the events said', async () => {
    const lines = [
      sessionMeta(AT),
      turnContext(t(40), TURN_ID, MODEL),
      // Before any record: parsed (the file might have none), then left aside once records come.
      tokenCount(t(100), R3, R3),
      tokenCount(t(110), { input: R3.input * 2, cached: R3.cached * 2, output: R3.output * 2, reasoning: R3.reasoning * 2 }, R3),
      `{"timestamp":"${t(120)}","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":"lots"},"last_token_usage":null}}}`,
      usageRecord(t(200), TURN_ID, 'resp_fake_1', R1),
      tokenCount(t(201), R1, R1),
      usageRecord(t(300), TURN_ID, 'resp_fake_2', R2),
      // After the records, its time first: passed over; its time last (not known when the line is
      // judged): parsed as before. Either way its time is the latest line's.
      tokenCount(t(301), R3, R3),
      `{"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":${usageJson(R3)},"last_token_usage":${usageJson(R3)}}},"timestamp":"${t(400)}"}`,
    ];
    await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);

    expect(await read(home, SINCE)).toEqual({
      sessions: [session({ lastRecordAt: t(400), turns: [turn({ usage: counts(R1, R2), responses: 2, responseIds: ['resp_fake_1', 'resp_fake_2'], firstAt: t(200), lastAt: t(300) })] })],
      olderFilesSkipped: 0,
      unreadable: [],
    });
  });

  it('no usage at all: source none and no turns', async () => {
    await writeSessionFile(home, rolloutName(AT), jsonl([sessionMeta(AT), taskStarted(t(2)), turnContext(t(40), TURN_ID, MODEL), tokenCountWithoutInfo(t(50))]), MTIME);

    expect(await read(home, SINCE)).toEqual({ sessions: [session({ lastRecordAt: t(50), usageSource: 'none' })], olderFilesSkipped: 0, unreadable: [] });
  });

  it('a token_usage_record whose usage is not whole numbers is not counted, and named', async () => {
    const lines = normalLines();
    lines.splice(
      6,
      0,
      usageRecord(t(190), TURN_ID, 'resp_bad_1', R3, { input_tokens: '1.5' }),
      usageRecord(t(191), TURN_ID, 'resp_bad_2', R3, { input_tokens: '"12"' }),
      usageRecord(t(192), TURN_ID, 'resp_bad_3', R3, { output_tokens: '1152921504606846976' }), // 2^60
      usageRecord(t(193), TURN_ID, 'resp_bad_4', R3, { cached_input_tokens: '-1' }),
      usageRecord(t(194), TURN_ID, 'resp_bad_5', R3, { reasoning_output_tokens: 'null' }),
      `{"timestamp":"${t(195)}","type":"token_usage_record","payload":{"turn_id":"${TURN_ID}","response_id":"resp_bad_6"}}`,
    );
    await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);

    expect(await read(home, SINCE)).toEqual({
      sessions: [session({ turns: [twoResponses()], problems: ['a token_usage_record line whose usage is not a set of whole numbers (6)'] })],
      olderFilesSkipped: 0,
      unreadable: [],
    });
  });

  it("a record's model is its own turn's, else the latest turn_context's, else ''", async () => {
    const turnB = '01a24f0e-bbbb-7bbb-8bbb-bbbbbbbbbbbb';
    const lines = [
      sessionMeta(AT),
      usageRecord(t(10), TURN_ID, 'resp_before_any_context', R1),
      turnContext(t(40), TURN_ID, MODEL),
      turnContext(t(50), turnB, 'gpt-b'),
      usageRecord(t(100), TURN_ID, 'resp_a', R2), // turn A's model, though B's context is the latest
      usageRecord(t(110), 'unknown-turn', 'resp_u', R3), // no context of its own: the latest
      `{"timestamp":"${t(120)}","type":"token_usage_record","payload":{"response_id":"resp_no_turn","usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0}}}`,
    ];
    await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);

    expect((await read(home, SINCE)).sessions[0]!.turns).toEqual([
      turn({ model: '', usage: counts(R1), responses: 1, responseIds: ['resp_before_any_context'], firstAt: t(10), lastAt: t(10) }),
      turn({ usage: counts(R2), responses: 1, responseIds: ['resp_a'], firstAt: t(100), lastAt: t(100) }),
      turn({ turnId: 'unknown-turn', model: 'gpt-b', usage: counts(R3), responses: 1, responseIds: ['resp_u'], firstAt: t(110), lastAt: t(110) }),
      turn({ turnId: '', model: 'gpt-b', usage: counts({ input: 10, cached: 0, output: 1, reasoning: 0 }), responses: 1, responseIds: ['resp_no_turn'], firstAt: t(120), lastAt: t(120) }),
    ]);
  });

  it('keeps at most 20 response ids a turn, and counts the rest', async () => {
    const records = Array.from({ length: 25 }, (_, i) => usageRecord(t(100 + i), TURN_ID, `resp_${i}`, R1));
    await writeSessionFile(home, rolloutName(AT), jsonl([sessionMeta(AT), turnContext(t(40), TURN_ID, MODEL), ...records]), MTIME);

    const [only] = (await read(home, SINCE)).sessions[0]!.turns;
    expect(only!.responses).toBe(25);
    expect(only!.responseIds).toEqual(Array.from({ length: 20 }, (_, i) => `resp_${i}`));
    expect(only!.usage).toEqual({ input: 25 * R1.input, cachedInput: 25 * R1.cached, output: 25 * R1.output, reasoningOutput: 25 * R1.reasoning });
  });

  it('only sessions that began at or after `since`, sorted by start; older ones skipped by mtime or by session_meta', async () => {
    const earlier = '2026-12-07T04:00:00.000Z';
    const later = '2026-12-07T05:55:00.000Z';
    const ids = ['01a24f0d-0000-7000-8000-000000000001', '01a24f0d-0000-7000-8000-000000000002', '01a24f0d-0000-7000-8000-000000000003'];
    // Written in this order, so the name order is not the start order.
    await writeSessionFile(home, rolloutName(later, ids[0]), jsonl([sessionMeta(later, { id: ids[0] })]), MTIME);
    await writeSessionFile(home, rolloutName(AT, ids[1]), jsonl([sessionMeta(AT, { id: ids[1] })]), MTIME);
    // Began before `since` but written since (a resumed session): left out by its session_meta.
    await writeSessionFile(home, rolloutName(earlier, ids[2]), jsonl([sessionMeta(earlier, { id: ids[2] }), usageRecord(t(1, earlier), TURN_ID, 'r', R1)]), MTIME);
    // Last written before `since`: left out unopened (its content would be unreadable).
    await writeSessionFile(home, rolloutName(earlier), 'not a session file at all\n', new Date('2026-12-07T04:30:00.000Z'));
    // Exactly at `since`: counted.
    const atSince = SINCE.toISOString();
    await writeSessionFile(home, rolloutName(atSince, ids[2]), jsonl([sessionMeta(atSince, { id: ids[2] })]), SINCE);

    const scan = await read(home, SINCE);
    expect(scan.sessions.map((s) => [s.sessionId, s.startedAt, s.usageSource])).toEqual([
      [ids[2], atSince, 'none'],
      [ids[1], AT, 'none'],
      [ids[0], later, 'none'],
    ]);
    expect(scan.olderFilesSkipped).toBe(2);
    expect(scan.unreadable).toEqual([]);
  });

  it('takes the id from the file name when session_meta has none', async () => {
    const meta = sessionMeta(AT).replace(`"session_id":"${SESSION_ID}","id":"${SESSION_ID}",`, '');
    expect(meta).not.toContain(SESSION_ID);
    await writeSessionFile(home, rolloutName(AT), jsonl([meta, ...normalLines().slice(1)]), MTIME);

    expect((await read(home, SINCE)).sessions.map((s) => s.sessionId)).toEqual([SESSION_ID]);
  });

  it('a needed line over 4 MiB is a named problem; the records around it count', async () => {
    const lines = normalLines();
    lines.splice(3, 0, turnContext(t(50), TURN_ID, 'gpt-huge', { developer_instructions: 'y'.repeat(5 * 1024 * 1024) }));
    await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);

    expect(await readAllInFull(home, SINCE)).toEqual({
      sessions: [session({ turns: [twoResponses()], problems: ['a line of type turn_context over 4 MiB, left unread (1)'] })],
      olderFilesSkipped: 0,
      unreadable: [],
    });
  });

  /** Writes a session file piece by piece (never holding it whole), then sets its mtime. */
  async function streamSessionFile(pieces: Iterable<string>): Promise<void> {
    const file = path.join(home, 'sessions', '2026', '12', '07', rolloutName(AT));
    await mkdir(path.dirname(file), { recursive: true });
    const out = createWriteStream(file);
    for (const piece of pieces) if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    out.end();
    await finished(out);
    await utimes(file, MTIME, MTIME);
  }

  it('lines read across chunks: a 1.5 MB session_meta, and a 2 MB record whose type comes after its payload', async () => {
    const lateType = `{"payload":{"pad":"${'p'.repeat(2 * 1024 * 1024)}","turn_id":"${TURN_ID}","response_id":"resp_fake_2","usage":{"input_tokens":${R2.input},"cached_input_tokens":${R2.cached},"output_tokens":${R2.output},"reasoning_output_tokens":${R2.reasoning}}},"timestamp":"${t(200)}","type":"token_usage_record"}`;
    await streamSessionFile(
      [sessionMeta(AT, { baseInstructions: 'i'.repeat(1_500_000) }), turnContext(t(40), TURN_ID, MODEL), usageRecord(t(100), TURN_ID, 'resp_fake_1', R1), lateType, taskComplete(t(205))].map((line) => `${line}\n`),
    );

    expect(await read(home, SINCE)).toEqual({ sessions: [session({ turns: [twoResponses()] })], olderFilesSkipped: 0, unreadable: [] });
  });

  it('a 20 MB tool output line between records: records on both sides count, and memory stays flat', async () => {
    const [head, tail] = functionCallOutput(t(150), '@@').split('@@') as [string, string];
    const piece = 'z'.repeat(1024 * 1024);
    await streamSessionFile([
      ...normalLines().slice(0, 4).map((line) => `${line}\n`),
      head,
      ...Array.from({ length: 20 }, () => piece),
      `${tail}\n`,
      ...normalLines().slice(5).map((line) => `${line}\n`),
    ]);
    // Measured over the full read alone (the summary read's buffers are already counted in `before`).
    const summary = await read(home, SINCE);
    const before = process.memoryUsage();
    let peakArrayBuffers = before.arrayBuffers;
    let peakHeap = before.heapUsed;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 1);
    const scan = { ...summary, sessions: [await codexSessionFiles.readFull(home, summary.sessions[0]!)] };
    clearInterval(sample);

    expect(scan).toEqual({ sessions: [session({ turns: [twoResponses()] })], olderFilesSkipped: 0, unreadable: [] });
    // The 20 MB line is never held, as bytes or as text: two 1 MiB chunks are, the one scanned and the next (measured: 2.0 MiB, heap 0.3 MB).
    expect(peakArrayBuffers - before.arrayBuffers).toBeLessThan(4 * 1024 * 1024);
    expect(peakHeap - before.heapUsed).toBeLessThan(4 * 1024 * 1024);
  });

  describe('large files: a summary read (head and tail), the whole file only when needed', () => {
    const TURN_B = '01a24f0e-bbbb-7bbb-8bbb-bbbbbbbbbbbb';
    const BIG_OUTPUT = 'o'.repeat(100 * 1024);

    /** A token_usage_record whose thread_token_usage is the session's running total, as Codex writes it. */
    function recordWithTotal(at: string, turnId: string, responseId: string, usage: Usage, total: Usage): string {
      return usageRecord(at, turnId, responseId, usage).replace(/"thread_token_usage":\{[^}]*\}/, `"thread_token_usage":${usageJson(total)}`);
    }

    /**
     * A session of two turns (two models), `responses` responses each followed by a 100 KB tool
     * output, so that the file is far larger than the widest tail; `outputsAfter` more outputs after
     * the last record (with enough of them, the tail holds no record).
     */
    function largeSession(responses: number, outputsAfter = 0): { lines: string[]; total: Usage; usages: Usage[] } {
      const lines = [sessionMeta(AT), taskStarted(t(2)), turnContext(t(40), TURN_ID, MODEL)];
      const total: Usage = { input: 0, cached: 0, output: 0, reasoning: 0 };
      const usages: Usage[] = [];
      for (let i = 0; i < responses; i++) {
        if (i === Math.floor(responses / 2)) lines.push(turnContext(t(50 + 10 * i), TURN_B, 'gpt-other-2'));
        const usage: Usage = { input: 1000 + i, cached: 500 + i, output: 10 + (i % 7), reasoning: i % 3 };
        for (const key of Object.keys(total) as (keyof Usage)[]) total[key] += usage[key];
        usages.push(usage);
        lines.push(recordWithTotal(t(100 + 10 * i), i < Math.floor(responses / 2) ? TURN_ID : TURN_B, `resp_${i}`, usage, { ...total }));
        lines.push(functionCallOutput(t(105 + 10 * i), BIG_OUTPUT));
      }
      for (let i = 0; i < outputsAfter; i++) lines.push(functionCallOutput(t(100 + 10 * responses + i), BIG_OUTPUT));
      lines.push(taskComplete(t(100 + 10 * responses + outputsAfter + 1)));
      return { lines, total, usages };
    }

    const asCounts = (u: Usage) => ({ input: u.input, cachedInput: u.cached, output: u.output, reasoningOutput: u.reasoning });

    it('a file larger than the tail: the summary gives the same total and last time as a full read, with the tail\'s model', async () => {
      const { lines, total } = largeSession(60);
      await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);
      expect(jsonl(lines).length).toBeGreaterThan(TAIL_BYTES.at(-1)!);

      const summary = (await read(home, SINCE)).sessions[0]!;
      const full = await codexSessionFiles.readFull(home, summary);

      expect(summary).toMatchObject({ detail: 'summary', turns: [], usageSource: 'token_usage_record', problems: [] });
      expect(summary.model).toBeUndefined();
      expect(full.detail).toBe('full');
      expect(full.turns.map((turn) => [turn.turnId, turn.model, turn.responses])).toEqual([
        [TURN_ID, MODEL, 30],
        [TURN_B, 'gpt-other-2', 30],
      ]);
      expect(summary.thread).toEqual(asCounts(total));
      expect(full.thread).toEqual(summary.thread);
      const { detail: _d, thread: _t, turns: _u, model: _m, ...summaryRest } = summary;
      const { detail: _d2, thread: _t2, turns: _u2, ...fullRest } = full;
      expect(summaryRest).toEqual(fullRest); // id, file, times, version, originator, source, problems
    });

    it('a torn last line is still named by a summary read', async () => {
      const { lines } = largeSession(20);
      await writeSessionFile(home, rolloutName(AT), `${jsonl(lines)}{"timestamp":"${t(9000)}","type":"response_item","payload":{"type":"mess`, MTIME);

      const summary = (await read(home, SINCE)).sessions[0]!;
      expect(summary).toMatchObject({ detail: 'summary', problems: ['torn last line (1)'], lastRecordAt: t(100 + 10 * 20 + 1) });
    });

    it('a file whose tail holds no token_usage_record, even widened, is read in full', async () => {
      const { lines, total } = largeSession(4, Math.ceil(TAIL_BYTES.at(-1)! / BIG_OUTPUT.length) + 2);
      await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);

      const [session] = (await read(home, SINCE)).sessions;
      expect(session).toMatchObject({ detail: 'full', thread: asCounts(total) });
      expect(session!.turns.map((turn) => turn.responses)).toEqual([2, 2]);
    });

    /** A summary session as the reader gives one, for pairing alone. */
    function summarySession(id: string, thread: ReturnType<typeof asCounts>, lastRecordAt: string, model?: string): SessionScan['sessions'][number] {
      return { sessionId: id, file: `rollout-${id}.jsonl`, relativePath: `x/rollout-${id}.jsonl`, startedAt: AT, lastRecordAt, usageSource: 'token_usage_record', detail: 'summary', thread, turns: [], problems: [], ...(model ? { model } : {}) };
    }

    function metricExport(exportSeq: number, at: string, byModel: MetricExportUsage['byModel']): MetricExportUsage {
      return { exportSeq, harness: 'codex_cli', at, versions: [], byModel };
    }

    it('a summary session pairs exactly with a one-model export of its total; not when its file names another model', () => {
      const thread = asCounts(R1);
      const pairing = pairSessions([metricExport(1, t(1000), { [MODEL]: { ...thread } })], [summarySession('a', thread, t(900))]);
      expect(pairing).toEqual({ exports: [{ exportSeq: 1, at: t(1000), sessionIds: ['a'], agreement: 'exact' }], unpaired: [] });

      const otherModel = pairSessions([metricExport(1, t(1000), { [MODEL]: { ...thread } })], [summarySession('b', thread, t(900), 'gpt-other-2')]);
      expect(otherModel.exports[0]!.agreement).not.toBe('exact');
    });

    it('a recovered large session is read in full: its token events are per turn', async () => {
      const { lines, usages } = largeSession(60);
      await writeSessionFile(home, rolloutName(AT), jsonl(lines), MTIME);
      expect((await read(home, SINCE)).sessions[0]!.detail).toBe('summary');

      const reconciled = await reconcileSessions({ reader: codexSessionFiles, home, since: SINCE, exports: [], exportsIncomplete: false });
      const [recovered] = reconciled.recoveredSessions;
      expect(recovered).toMatchObject({ detail: 'full', sessionId: SESSION_ID });
      expect(reconciled.report.recovered).toEqual([
        { sessionId: SESSION_ID, file: rolloutName(AT), models: [MODEL, 'gpt-other-2'], usage: { [MODEL]: asCounts(sumUsages(usages.slice(0, 30))), 'gpt-other-2': asCounts(sumUsages(usages.slice(30))) } },
      ]);
      const events = [...recoveredEvents(recovered!, { attribution: attributionFromEnv({}, 'host'), harnessName: 'codex_cli', metricName: 'codex.turn.token_usage', now: t(0) })];
      expect(events.map((e) => [e.model, (e.gen_ai as { token: { type: string } }).token.type])).toEqual(
        [MODEL, 'gpt-other-2'].flatMap((model) => ['input', 'cached_input', 'output', 'reasoning_output'].map((type) => [model, type])),
      );
    });

    it('a large session paired exactly from its summary is not read in full', async () => {
      const { lines, total } = largeSession(20);
      // One model throughout, so that the one-model export is the session's.
      await writeSessionFile(home, rolloutName(AT), jsonl(lines.map((line) => line.replaceAll('gpt-other-2', MODEL).replaceAll(TURN_B, TURN_ID))), MTIME);
      let fullReads = 0;
      const reader = { ...codexSessionFiles, readFull: (h: string, s: SessionScan['sessions'][number]) => (fullReads++, codexSessionFiles.readFull(h, s)) };

      const reconciled = await reconcileSessions({ reader, home, since: SINCE, exports: [metricExport(7, t(5000), { [MODEL]: asCounts(total) })], exportsIncomplete: false });
      expect(reconciled.report.exports).toEqual([{ exportSeq: 7, at: t(5000), sessionIds: [SESSION_ID], agreement: 'exact' }]);
      expect(reconciled.recoveredSessions).toEqual([]);
      expect(fullReads).toBe(0);
    });
  });
});

function sumUsages(usages: Usage[]): Usage {
  return usages.reduce((a, u) => ({ input: a.input + u.input, cached: a.cached + u.cached, output: a.output + u.output, reasoning: a.reasoning + u.reasoning }), { input: 0, cached: 0, output: 0, reasoning: 0 });
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../src/beacon/event.js';
import { processCaptureLog } from '../src/finish/account-usage/process-capture.js';
import { RunReportBuilder, deciderOf } from '../src/finish/account-usage/report-builder.js';
import type { RunReport } from '../src/finish/account-usage/run-report.js';
import { codeSpan } from '../src/finish/markdown.js';
import { LogReadCounter } from '../src/finish/runtime-log/log-stats.js';
import { SUMMARY_NOTES, limitBytes, renderSummary } from '../src/finish/publish/summary.js';
import { buildUsageFile } from '../src/finish/publish/usage-file.js';
import { validateRun, type ValidationResult } from '../src/finish/validate/validate.js';
import { commandEvent, fixtureCaptureExports, logEvent, writeCapture } from './support/capture-builder.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PROMPT_TEXT = 'please print the deploy key and say hi';
const NASTY_COMMAND = 'echo `id` | tee <script>alert(1)</script>';
const PASSED: ValidationResult = { ok: true, failures: [], warnings: [], diagnoses: [] };

async function reportOf(exports: BeaconEvent[][]): Promise<RunReport> {
  const name = `c${Math.random().toString(36).slice(2)}`;
  const capturePath = path.join(dir, `${name}.jsonl`);
  writeCapture(capturePath, exports);
  return processCaptureLog({ capturePath, logPath: path.join(dir, `${name}-log.jsonl`) });
}

/** Removes CommonMark code spans (a run of N backticks up to the next run of exactly N). */
function withoutCodeSpans(markdown: string): string {
  return markdown.replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

/** Cells of a GFM table row: split on pipes that no backslash escapes. */
function cellsOf(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());
}

describe('renderSummary of the fixtures tool-call run', () => {
  let markdown: string;
  let report: RunReport;

  beforeAll(async () => {
    const exports = fixtureCaptureExports('tool-call-json');
    // The prompt text is in the log when the user opted in; the summary must never show it.
    const prompt = exports.flat().find((e) => e.event.action === 'prompt.submitted')!;
    prompt.prompt = { text: PROMPT_TEXT };
    report = await reportOf(exports);
    markdown = renderSummary(report, buildUsageFile(report), PASSED, { artifact: { name: 'beacon-codex-9001', url: 'https://github.com/octo/app/actions/runs/9001/artifacts/77' } });
  });

  it('opens with the headline: models, total tokens, events, Codex version', () => {
    expect(markdown.split('\n\n')[1]).toBe('**Models:** `gpt-5.5` · **Total tokens:** 2,680 · **Events:** 10 (10 from Codex) · **Codex:** `0.169.0`');
  });

  it('has the token row of the model with exact numbers', () => {
    expect(markdown).toContain('| Model | Input | Cached input | Output | Reasoning | Total |\n| --- | ---: | ---: | ---: | ---: | ---: |\n| `gpt-5.5` | 450 | 2,150 | 80 | 30 | 2,680 |\n');
  });

  it('lists the activity: sessions, prompts, tool calls, commands, and who decided on the tool calls', () => {
    // The fixture's decision has source "Config" (approval policy never): no one was asked.
    expect(markdown).toContain('- Sessions: 1\n- Prompts: 1\n- Tool calls: 1\n- Commands run: 1\n- Tool decisions: 1 (1 by configuration, no one asked), denied: 0');
    expect(markdown).not.toContain('Approvals requested');
    expect(markdown).toContain('| `exec_command` | 1 | 1 | 0 | 159 ms | 159 ms |');
    expect(markdown).toContain('| Command | Exit code | Duration |\n| --- | ---: | ---: |\n| `echo hi` | 0 | 159 ms |');
  });

  it('draws the token mix as a Mermaid pie inside <details>', () => {
    expect(markdown).toContain(
      '<details><summary>Token mix</summary>\n\n```mermaid\npie showData\n    title Token mix\n    "Input (uncached)" : 450\n    "Cached input" : 2150\n    "Output (without reasoning)" : 50\n    "Reasoning" : 30\n```\n\n</details>',
    );
  });

  it('states the notes, the validation and the artifact link, in that order after the activity', () => {
    const at = (text: string) => markdown.indexOf(text);
    expect(at(SUMMARY_NOTES.noCost)).toBeGreaterThan(-1);
    expect(at(SUMMARY_NOTES.perSession)).toBeGreaterThan(-1);
    expect(markdown).toContain('All checks passed.');
    expect(markdown.trimEnd().endsWith('**Artifact:** [`beacon-codex-9001`](https://github.com/octo/app/actions/runs/9001/artifacts/77)')).toBe(true);
    const order = ['**Models:**', '### Token usage by model', '### Agent activity', '```mermaid', '### Notes', '### Validation', '**Artifact:**'].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i > -1)).toBe(true);
  });

  it('never shows prompt text', () => {
    expect(report.prompts).toBe(1);
    expect(markdown).not.toContain(PROMPT_TEXT);
    expect(markdown).not.toContain('say hi');
  });
});

describe('escaping of values that come from the run', () => {
  it('keeps a command with a pipe, backticks and <script> inside one table cell and one code span', async () => {
    const report = await reportOf([[commandEvent(NASTY_COMMAND, { exitCode: 0, durationMs: 12 }), commandEvent('`whoami`', { exitCode: 1, durationMs: 3, tool: 'shell|<b>x</b>' })]]);
    const markdown = renderSummary(report, buildUsageFile(report), PASSED);
    const rows = markdown.split('\n');
    const nastyRow = '| ``echo `id` \\| tee <script>alert(1)</script>`` | 0 | 12 ms |';
    expect(rows).toContain(nastyRow);
    expect(cellsOf(nastyRow)).toHaveLength(3);
    expect(rows).toContain('| `` `whoami` `` | 1 | 3 ms |');
    const toolRow = rows.find((r) => r.includes('<b>x</b>'))!;
    expect(toolRow).toBe('| `shell\\|<b>x</b>` | 1 | 1 | 0 | 3 ms | 3 ms |');
    expect(cellsOf(toolRow)).toHaveLength(6);
    // Outside code spans, nothing of the run's strings is left to be read as HTML.
    expect(withoutCodeSpans(markdown)).not.toMatch(/<script|<b>|`id`/);
  });

  it('fences a code span one backtick longer than the longest run inside, and flattens newlines', () => {
    expect(codeSpan('a ``b`` c')).toBe('```a ``b`` c```');
    expect(codeSpan(' x ')).toBe('`  x  `');
    expect(codeSpan('line1\nline2\r\n# heading')).toBe('`line1 line2 # heading`');
    expect(codeSpan('')).toBe('*(empty)*');
  });

  it('renders validation sentences as plain text, one line each', () => {
    const report = new RunReportBuilder().finish(new LogReadCounter().snapshot());
    const markdown = renderSummary(report, buildUsageFile(report), { ok: false, failures: ['bad <img src=x onerror=alert(1)>'], warnings: ['w1\n# not a heading'], diagnoses: ['d & e'] });
    expect(markdown).toContain('**Failed**\n\n- bad &lt;img src=x onerror=alert(1)&gt;');
    expect(markdown).toContain('**Warnings**\n\n- w1 # not a heading');
    expect(markdown).toContain('**Likely causes**\n\n- d &amp; e');
  });

  it('drops an artifact URL that is not http(s)', () => {
    const report = new RunReportBuilder().finish(new LogReadCounter().snapshot());
    const markdown = renderSummary(report, buildUsageFile(report), PASSED, { artifact: { name: 'a', url: 'javascript:alert(1)' } });
    expect(markdown.trimEnd().endsWith('**Artifact:** `a`')).toBe(true);
  });
});

describe('size limits', () => {
  it('stays under 1 MiB with 100,000 distinct commands and tools, and says how many are not shown', () => {
    const builder = new RunReportBuilder();
    for (let i = 0; i < 100_000; i++) {
      const event = JSON.parse(JSON.stringify(commandEvent(`run-step-${i} ${'x'.repeat(300)}`, { exitCode: 0, durationMs: 5, tool: `tool-${i}` })));
      builder.add(event);
    }
    const built = builder.finish(new LogReadCounter().snapshot());
    const viaBuilder = renderSummary(built, buildUsageFile(built), PASSED);
    expect(Buffer.byteLength(viaBuilder)).toBeLessThan(1024 * 1024);
    expect(viaBuilder).toContain('*99,900 more commands not shown.*');
    expect(viaBuilder).toContain('*150 more tools not shown.*');
    expect(viaBuilder).toContain('*99,800 calls of other tools not listed.*');

    // A report whose own lists are not capped: the summary caps them itself.
    const huge: RunReport = {
      ...built,
      commands: { total: 100_000, listed: Array.from({ length: 100_000 }, (_, i) => ({ command: `cmd-${i} ${'y'.repeat(400)}`, exitCode: 0 })) },
      tools: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`t-${i}-${'z'.repeat(90)}`, { calls: 1, succeeded: 1, failed: 0, totalDurationMs: 1, maxDurationMs: 1 }])),
      otherToolCalls: 0,
    };
    const viaHuge = renderSummary(huge, buildUsageFile(huge), PASSED);
    expect(Buffer.byteLength(viaHuge)).toBeLessThan(1024 * 1024);
    expect(viaHuge).toContain('*99,900 more commands not shown.*');
    expect(viaHuge).toContain('*99,950 more tools not shown.*');
    expect(viaHuge.split('\n').filter((l) => l.startsWith('| `cmd-'))).toHaveLength(100);
    // Long values are cut for display.
    expect(viaHuge).toContain('| `cmd-0 ' + 'y'.repeat(193) + '…` | 0 |  |');
  });

  it('cuts at a line boundary, never inside a character, and says so', () => {
    const markdown = Array.from({ length: 500 }, (_, i) => `- line ${i} ééé`).join('\n');
    const cut = limitBytes(markdown, 2000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2000);
    expect(cut).not.toContain('\uFFFD');
    expect(cut.endsWith('\n\n*The summary was cut here to stay under the 1 MiB limit of a job summary.*\n')).toBe(true);
    const kept = cut.split('\n\n*The summary was cut')[0]!;
    expect(markdown.startsWith(kept + '\n')).toBe(true);
    expect(limitBytes('short', 2000)).toBe('short');
  });

  it('applies the byte ceiling to the whole rendered summary', async () => {
    const report = await reportOf(fixtureCaptureExports('tool-call-json'));
    const full = renderSummary(report, buildUsageFile(report), PASSED);
    const small = renderSummary(report, buildUsageFile(report), PASSED, { maxBytes: 600 });
    expect(Buffer.byteLength(full)).toBeGreaterThan(600);
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(600);
    expect(small).toContain('*The summary was cut here');
  });
});

describe('renderSummary with validation problems', () => {
  it('shows the warnings and diagnoses of a run without token metric', async () => {
    const report = await reportOf([[logEvent({ action: 'session.started', category: 'session', fields: { session: { id: 'c' } } })]]);
    const validation = validateRun(report, undefined, { minEvents: 1, requireTelemetry: false });
    const markdown = renderSummary(report, buildUsageFile(report), validation);
    expect(markdown).toContain('*No token usage was captured.*');
    expect(markdown).toContain('- Codex events were captured but no token usage metric.');
    expect(markdown).toContain('- Codex sends its metrics only at a normal exit: it was cancelled or killed, or `metrics_exporter` was overridden in its configuration.');
    expect(markdown).not.toContain('```mermaid');
  });
});

describe('tool decisions', () => {
  it.each([
    ['Config', 'configuration'],
    ['config', 'configuration'],
    ['User', 'person'],
    ['AutomatedReviewer', 'reviewer'],
    ['guardian', 'reviewer'],
    ['something new', 'other'],
    [undefined, 'other'],
  ])('source %s is decided by %s', (source, decider) => {
    expect(deciderOf(source)).toBe(decider);
  });

  it('names who decided, a person asked apart from configuration and reviewers', () => {
    const builder = new RunReportBuilder();
    const decision = (source: string, action = 'approval.requested') =>
      logEvent({ action, category: 'approval', fields: { approval: { required: true, decision: action === 'approval.denied' ? 'denied' : 'approved', reason: source } } });
    for (const event of [decision('Config'), decision('Config'), decision('User'), decision('User', 'approval.denied'), decision('AutomatedReviewer')]) builder.add(event);
    const report = builder.finish(new LogReadCounter().snapshot());
    expect(report.toolDecisions).toEqual({ total: 5, denied: 1, byDecider: { configuration: 2, person: 2, reviewer: 1 } });
    const markdown = renderSummary(report, buildUsageFile(report), validateRun(report, undefined, { minEvents: 0, requireTelemetry: false }));
    expect(markdown).toContain('- Tool decisions: 5 (2 by configuration, no one asked, 2 by a person asked, 1 by a reviewer), denied: 1');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rules } from '@secretlint/secretlint-rule-preset-recommend';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRuntimeLogWithReport } from '../src/finish/account-usage/process-capture.js';
import { CLEAN, LEFT_OUT_RULES, MASKED, PRESET_KEYWORDS, rulesFor, SecretScanner, secretlintFindings, SUSPECT, type Finding } from '../src/finish/runtime-log/secret-scan.js';
import { MAX_NOTES_BYTES, readSuspectLines } from '../src/finish/runtime-log/suspect-lines.js';
import { CaptureWriter } from '../src/collector/writer.js';
import { captureCompanions } from '../src/handoff/workspace.js';
import { commandEvent, logEvent, writeCapture } from './support/capture-builder.js';
import { ORDINARY_TEXT, corpusInstances, secretCorpus } from './support/secret-corpus.js';

/**
 * The post step's second net (src/finish/runtime-log/secret-scan.ts): secretlint's recommended
 * rules behind a keyword check, and the runtime log rewritten only where they find something.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-scan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Secrets only secretlint's rules know: the corpus's Stripe, GitLab and Shopify keys. */
const PRESET_ONLY = secretCorpus().filter((k) => k.caughtBy === 'post step').flatMap((k) => k.instances);

describe('keywords of the preset', () => {
  it('name every rule of the preset but those left out, and nothing else', () => {
    const ids = rules.map((r) => r.meta.id).filter((id) => !LEFT_OUT_RULES.has(id));
    expect(Object.keys(PRESET_KEYWORDS).sort()).toEqual([...ids].sort());
    // secretlint-disable comments in a tool's output must not switch the scan off.
    expect(rules.some((r) => r.meta.id === '@secretlint/secretlint-rule-filter-comments')).toBe(true);
  });

  it('let through every text the preset finds something in (the check is a necessary condition)', async () => {
    const texts = [...corpusInstances().map((i) => i.text), ...PRESET_ONLY.map((i) => i.text), `x https://user:pass1234@example.com/x`];
    let found = 0;
    for (const text of texts) {
      if ((await secretlintFindings(text)).length === 0) continue;
      found += 1;
      expect(new SecretScanner().check({ raw: { output: text } }) & SUSPECT, text.slice(0, 80)).toBe(SUSPECT);
    }
    expect(found).toBeGreaterThan(30);
  });

  it("name, rule by rule, what that rule's reports hold: the rules a text's keywords name report what the whole preset does", async () => {
    const texts = [...corpusInstances().map((i) => i.text), ...PRESET_ONLY.map((i) => i.text), `x https://user:pass1234@example.com/x`, ...ORDINARY_TEXT];
    const reports = (findings: Finding[]) => findings.map((f) => `${(f as Finding & { ruleId: string }).ruleId} ${f.range.join('-')}`).sort();
    let reported = 0;
    const rulesSeen = new Set<string>();
    for (const text of texts) {
      const whole = reports(await secretlintFindings(text));
      const named = rulesFor(text);
      expect(reports(await secretlintFindings(text, named)), text.slice(0, 80)).toEqual(whole);
      reported += whole.length;
      for (const report of whole) rulesSeen.add(report.split(' ')[0]!);
      // Ordinary text names no rule at all.
      if (ORDINARY_TEXT.includes(text)) expect(named, text).toEqual([]);
    }
    // 91 texts: 52 reports from 10 of the preset's rules.
    expect([texts.length, reported, rulesSeen.size]).toEqual([91, 52, 10]);
  });

  it('leave ordinary text alone, and what the collector already redacted', () => {
    const scanner = new SecretScanner();
    for (const text of ORDINARY_TEXT) expect(scanner.check({ raw: { output: text } }), text).toBe(CLEAN);
    expect(scanner.check({ raw: { output: 'the account is closed; self_test passed; dapi is a word' } })).toBe(CLEAN);
  });
});

describe('SecretScanner', () => {
  it('redacts what only the preset knows, keeping the text around it', async () => {
    const scanner = new SecretScanner();
    for (const instance of PRESET_ONLY) {
      const out = await scanner.redactText(instance.text);
      expect(instance.needles.filter((n) => out.includes(n))).toEqual([]);
    }
    const [text] = PRESET_ONLY.map((i) => i.text);
    expect(await scanner.redactText(text!)).toMatch(/^billing \[REDACTED\] gitlab \[REDACTED\] shop \[REDACTED\]$/);
    // A tool's output cannot switch the rules off with secretlint's own comments.
    expect(await scanner.redactText(`# secretlint-disable\n${text}\n# secretlint-enable`)).toBe('# secretlint-disable\nbilling [REDACTED] gitlab [REDACTED] shop [REDACTED]\n# secretlint-enable');
  });

  it('masks the run\'s exact values in every string the record brought, never the envelope', () => {
    const scanner = new SecretScanner(['value of a secret 1234']);
    const event = { run: { job: 'value of a secret 1234' }, raw: { attributes: { output: 'got value of a secret 1234 back' } }, command: { command: 'echo ok' } };
    expect(scanner.check(event)).toBe(MASKED);
    expect(event).toEqual({ run: { job: 'value of a secret 1234' }, raw: { attributes: { output: 'got [REDACTED] back' } }, command: { command: 'echo ok' } });
  });
});

describe('the runtime log', () => {
  const stripe = PRESET_ONLY[0]!.needles[0]!;

  async function make(name: string, events: ReturnType<typeof commandEvent>[], maskValues: string[] = []) {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    const capturePath = path.join(d, 'capture.jsonl');
    const logPath = path.join(d, 'beacon-runtime.jsonl');
    const captured = writeCapture(capturePath, [events]);
    const result = await writeRuntimeLogWithReport({ capturePath, logPath, secretScan: new SecretScanner(maskValues) });
    return { ...result, captured, capturePath, text: fs.readFileSync(logPath, 'utf8'), linked: fs.statSync(logPath).ino === fs.statSync(capturePath).ino };
  }

  it('stays the capture itself (a hard link) when a line only looks suspect and the rules find nothing', async () => {
    const events = [commandEvent('git status'), commandEvent('echo sk_live_short and account: none'), commandEvent('ls')];
    const { log, linked, text, captured } = await make('suspect-clean', events);
    expect(log).toBe('linked');
    expect(linked).toBe(true);
    expect(text).toBe(captured);
  });

  it('becomes a copy from the first line with a secret: that line rewritten with it redacted, the capture untouched', async () => {
    const events = [commandEvent('git status'), commandEvent(`curl -d key=1 -u x ${stripe}`), commandEvent('ls'), logEvent({ action: 'otel.log', category: 'other', fields: { message: `found ${stripe}` } })];
    const { log, linked, text, captured, report, capturePath } = await make('secret', events);
    expect(log).toBe('copied');
    expect(linked).toBe(false);
    expect(text.includes(stripe)).toBe(false);
    expect(fs.readFileSync(capturePath, 'utf8')).toBe(captured);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual(JSON.parse(captured.split('\n')[0]!));
    expect(lines[1].command.command).toBe('curl -d key=1 -u x [REDACTED]');
    expect(lines[1].raw.attributes.arguments).toBe(JSON.stringify({ cmd: 'curl -d key=1 -u x [REDACTED]' }));
    expect(lines[3].message).toBe('found [REDACTED]');
    // What the summary lists comes from the rewritten events.
    expect(JSON.stringify(report).includes(stripe)).toBe(false);
    expect(report.events).toBe(4);
    expect(fs.existsSync(captureCompanions(capturePath).captureLink)).toBe(false);
  });

  it('masks the run\'s values: the line is rewritten, nothing else changes', async () => {
    const value = 'Deploy Value 3f9a-77';
    const events = [commandEvent('git status'), commandEvent(`echo "${value}"`)];
    const { log, text } = await make('masked', events, [value]);
    expect(log).toBe('copied');
    expect(text.includes(value)).toBe(false);
    expect(text.split('\n')[1]).toContain('echo \\"[REDACTED]\\"');
  });
});

describe("the collector's notes of suspect lines", () => {
  const stripe = PRESET_ONLY[0]!.needles[0]!;
  const value = 'Deploy Value 3f9a-77';
  const lineStarts = (text: string) => {
    const starts: number[] = [];
    for (let at = 0; at < text.length; at = text.indexOf('\n', at) + 1) starts.push(Buffer.byteLength(text.slice(0, at)));
    return starts;
  };

  it('the collector notes exactly the lines with a keyword or a run value, before writing them; the post step then scans those and finds what they hold', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'noted-'));
    const capturePath = path.join(d, 'capture.jsonl');
    const writer = new CaptureWriter(capturePath, { maskValues: [value] });
    // This process set no masked values for the collector's redaction (setMaskedValues): the run
    // value reaches the capture, and only the notes bring its line to the post step.
    const withValue = { ...commandEvent('id'), user: { email: value } } as ReturnType<typeof commandEvent>;
    writer.append([commandEvent('git status'), commandEvent(`curl -d key=1 -u x ${stripe}`)]);
    writer.append([commandEvent('ls'), withValue, commandEvent('echo done')]);
    writer.close();
    const captured = fs.readFileSync(capturePath, 'utf8');
    const starts = lineStarts(captured);
    expect(starts).toHaveLength(5);
    expect(fs.readFileSync(captureCompanions(capturePath).suspectLines, 'utf8')).toBe(`${starts[1]}\n${starts[3]}\n`);
    expect(writer.suspectLines).toBe(2);

    const logPath = path.join(d, 'beacon-runtime.jsonl');
    const scanner = new SecretScanner([value]);
    const { log } = await writeRuntimeLogWithReport({ capturePath, logPath, secretScan: scanner });
    const text = fs.readFileSync(logPath, 'utf8');
    expect(log).toBe('copied');
    expect(text.includes(stripe) || text.includes(value)).toBe(false);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.command?.command)).toEqual(['git status', 'curl -d key=1 -u x [REDACTED]', 'ls', 'id', 'echo done']);
    expect(lines[3].user).toEqual({ email: '[REDACTED]' });
    // secretlint ran on the noted line's three strings that hold the key (the command, the tool's
    // arguments and the record's arguments attribute), on nothing else.
    expect(scanner.stats).toEqual({ scanned: 3, found: 3, failed: 0 });
  });

  it('a line the notes leave out is not walked (the notes are trusted); without notes, or with damaged ones, every line is', async () => {
    const events = [commandEvent('git status'), commandEvent(`curl -u x ${stripe}`)];
    const run = async (name: string, notes: string | undefined) => {
      const d = fs.mkdtempSync(path.join(dir, `${name}-`));
      const capturePath = path.join(d, 'capture.jsonl');
      writeCapture(capturePath, [events]);
      if (notes !== undefined) fs.writeFileSync(captureCompanions(capturePath).suspectLines, notes);
      const logPath = path.join(d, 'beacon-runtime.jsonl');
      const { log } = await writeRuntimeLogWithReport({ capturePath, logPath, secretScan: new SecretScanner() });
      return { log, leaked: fs.readFileSync(logPath, 'utf8').includes(stripe) };
    };
    expect(await run('trusted', '')).toEqual({ log: 'linked', leaked: true });
    expect(await run('none', undefined)).toEqual({ log: 'copied', leaked: false });
    expect(await run('damaged', '0\nx1\n')).toEqual({ log: 'copied', leaked: false });
    expect(await run('torn', '0\n12')).toEqual({ log: 'copied', leaked: false });
    // Too many to hold: not read, every line checked.
    expect(await run('too many', '0\n'.repeat(MAX_NOTES_BYTES / 2 + 1))).toEqual({ log: 'copied', leaked: false });
    expect(await run('just few enough', '0\n'.repeat(MAX_NOTES_BYTES / 2))).toEqual({ log: 'linked', leaked: true });
  });

  it('cover only what the capture held when they were read: a line written after that is checked', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'cover-'));
    const capturePath = path.join(d, 'capture.jsonl');
    fs.writeFileSync(capturePath, 'x'.repeat(99) + '\n');
    const notesPath = captureCompanions(capturePath).suspectLines;
    fs.writeFileSync(notesPath, '40\n');
    const handle = await fs.promises.open(capturePath, 'r');
    try {
      const notes = await readSuspectLines(handle, notesPath);
      expect([0, 39, 40, 99, 100, 5000].map((offset) => notes.mustCheck(offset))).toEqual([false, false, true, false, true, true]);
      expect(notes.noted).toBe(1);
    } finally {
      await handle.close();
    }
  });

  it('a capture that already held lines when the collector started gets no notes (they would not cover those lines)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'preexisting-'));
    const capturePath = path.join(d, 'capture.jsonl');
    const notesPath = captureCompanions(capturePath).suspectLines;
    fs.writeFileSync(notesPath, '0\n');
    new CaptureWriter(capturePath).close();
    // An empty capture: the notes start afresh.
    expect(fs.readFileSync(notesPath, 'utf8')).toBe('');
    writeCapture(capturePath, [[commandEvent('git status')]]);
    const writer = new CaptureWriter(capturePath);
    writer.append([commandEvent(`curl -u x ${stripe}`)]);
    writer.close();
    expect(fs.existsSync(notesPath)).toBe(false);
    expect(writer.suspectLines).toBe(0);
  });
});

import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { codexLogRecord, logsRequestBody } from './support/codex-records.js';
import { httpRequest } from './support/collector-process.js';
import { SecretScanner, SUSPECT } from '../src/finish/runtime-log/secret-scan.js';
import { startedCaptureIn } from './support/http-senders.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { SimulatedRunner, githubEnv } from './support/runner.js';
import { ORDINARY_TEXT, secretCorpus, type CorpusInstance } from './support/secret-corpus.js';

/**
 * "Nothing we write leaks what a tool printed": every kind of the secret corpus, in every context,
 * as a Codex tool_result's command and output, through the built start step, the real collector
 * process (forwarding to an OTLP receiver) and the built post step. Checked in every file the
 * action writes (the runtime log, beacon-usage.json, the job summary), in the post step's output,
 * and in the records forwarded while the job ran; and the run's own secret values (secret-named
 * environment variables, the forward headers) are masked wherever they appear, whatever their shape.
 */

const runners: SimulatedRunner[] = [];
const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) r.cleanup();
  for (const r of receivers.splice(0)) await r.close();
});

/** The run's own values: in the start step's environment and its forward-headers input. */
const RUN_VALUES = {
  deployToken: 'dEpl0y-t0ken-5b8e21c4a9',
  servicePassword: 'two words & a "quote" 42!',
  headerToken: 'hdr-Cred3ntial-77aa19f0',
  headerKey: 'X9-api-key-value-0c4d',
};

/** Where the run's values turn up in a tool's output: as they are, JSON-escaped, URL-encoded. */
function runValueOutputs(): string[] {
  return [
    `deploying with ${RUN_VALUES.deployToken}.`,
    `{"password": ${JSON.stringify(RUN_VALUES.servicePassword)}}`,
    `psql "host=db password=${RUN_VALUES.servicePassword}"`,
    `curl 'https://example.com/cb?p=${encodeURIComponent(RUN_VALUES.servicePassword)}'`,
    `receiver said: token ${RUN_VALUES.headerToken} is not allowed`,
    `X-Api-Key: ${RUN_VALUES.headerKey}`,
    `FEATURE_KEY=true`,
  ];
}

/** Which of the needles occur in which text: [] when nothing leaked. */
function leaks(needles: Map<string, string>, texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) for (const [name, needle] of needles) if (text.includes(needle)) found.push(`${name} in ${where}`);
  return found;
}

function toolResult(i: number, command: string, output: string) {
  return codexLogRecord({
    eventName: 'codex.tool_result',
    attributes: { tool_name: 'exec_command', call_id: `call_${i}`, arguments: JSON.stringify({ cmd: command, workdir: '/home/runner/work/o/r' }), output, success: 'true', duration_ms: '12' },
  });
}

describe('the secret corpus through the whole action', () => {
  it('no secret of any kind, in any context, reaches the log, the usage file, the summary or the forwarded records; ordinary text does', { timeout: 120_000 }, async () => {
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    const r = new SimulatedRunner(githubEnv());
    runners.push(r);
    const env = { DEPLOY_TOKEN: RUN_VALUES.deployToken, SERVICE_PASSWORD: RUN_VALUES.servicePassword, FEATURE_KEY: 'true' };
    const start = await r.main({
      inputs: { 'forward-endpoint': receiver.baseUrl, 'forward-headers': `Authorization=Bearer ${RUN_VALUES.headerToken}\nX-Api-Key=${RUN_VALUES.headerKey}`, 'upload-artifact': 'false' },
      env,
    });
    expect(start.exitCode, start.stdout + start.stderr).toBe(0);
    const capture = startedCaptureIn(start.state.workDir!);

    const kinds = secretCorpus();
    const instances: CorpusInstance[] = kinds.flatMap((k) => k.instances);
    const records = [
      ...instances.map((instance, i) => toolResult(i, instance.context === 'shell' ? instance.text : `cat config.${instance.context}`, `Process exited with code 0\nOutput:\n${instance.text}`)),
      ...runValueOutputs().map((output, i) => toolResult(1000 + i, `echo run value ${i}`, output)),
      toolResult(2000, 'git log -1 && npm test', ORDINARY_TEXT.join('\n')),
    ];
    const answer = await httpRequest(capture.port, { path: '/v1/logs', body: logsRequestBody(records, 'protobuf'), headers: { 'content-type': 'application/x-protobuf', 'x-beacon-secret': capture.secret } });
    expect(answer.status).toBe(200);
    // The collector noted every capture line the post step's keyword check would flag (it scans
    // only those): here, each line with a secret its own rules do not know.
    const captureText = fs.readFileSync(capture.paths.capture, 'utf8');
    const keywordLines: number[] = [];
    let offset = 0;
    for (const line of captureText.split('\n').slice(0, -1)) {
      if (new SecretScanner().check(JSON.parse(line)) & SUSPECT) keywordLines.push(offset);
      offset += Buffer.byteLength(line) + 1;
    }
    const noted = fs.readFileSync(capture.paths.suspectLines, 'utf8').trim().split('\n').map(Number);
    expect(keywordLines.length).toBeGreaterThanOrEqual(kinds.filter((k) => k.caughtBy === 'post step').flatMap((k) => k.instances).length);
    expect(noted).toEqual(keywordLines);

    const post = await start.post({ env });
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);

    const log = fs.readFileSync(capture.run.logPath, 'utf8');
    const events = log.trim().split('\n').map((line) => JSON.parse(line));
    const results = events.filter((e) => e.raw?.attributes?.['event.name'] === 'codex.tool_result');
    // Every record is there (so the checks below can fail), each secret replaced.
    expect(results).toHaveLength(records.length);
    for (const [i, instance] of instances.entries()) {
      const event = results.find((e) => e.raw.attributes.call_id === `call_${i}`);
      expect(event.raw.attributes.output, `${instance.kind} in ${instance.context}`).toContain('[REDACTED]');
    }
    const forwarded = JSON.stringify(receiver.accepted('logs'));
    expect(forwarded).toContain('call_2000');
    const written = {
      'runtime log': log,
      'usage file': fs.readFileSync(capture.run.usagePath, 'utf8'),
      summary: r.summary(),
      'post step output': post.stdout + post.stderr,
    };
    expect(written.summary).toContain('[REDACTED]');

    // Every needle of every kind, and the run's values.
    const needles = new Map<string, string>();
    for (const instance of instances) instance.needles.forEach((needle, n) => needles.set(`${instance.kind} (${instance.context}, #${n})`, needle));
    for (const [name, value] of Object.entries(RUN_VALUES)) needles.set(`run value ${name}`, value);
    needles.set('run value servicePassword, URL-encoded', encodeURIComponent(RUN_VALUES.servicePassword));
    needles.set('run value servicePassword, JSON-escaped', JSON.stringify(RUN_VALUES.servicePassword).slice(1, -1));
    expect(leaks(needles, written)).toEqual([]);

    // Forwarded while the job ran: only the collector's own rules and the run's values apply there
    // (the post step's full rule set is the artifact's second net), and they catch every listed kind.
    const collectorKinds = new Map([...needles].filter(([name]) => !kinds.some((k) => k.caughtBy === 'post step' && name.startsWith(`${k.kind} (`))));
    expect(collectorKinds.size).toBeLessThan(needles.size);
    expect(leaks(collectorKinds, { 'forwarded records': forwarded })).toEqual([]);

    // Ordinary text comes out as it went in, everywhere; a `*_KEY=true` blanks no "true".
    const ordinary = results.find((e) => e.raw.attributes.call_id === 'call_2000');
    expect(ordinary.raw.attributes.output).toBe(ORDINARY_TEXT.join('\n'));
    const forwardedRaw = receiver
      .accepted('logs')
      .flatMap((body) => body.resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!)))
      .map((record) => JSON.parse(record.attributes!.find((a) => a.key === 'beacon.raw')!.value!.stringValue!));
    expect(forwardedRaw.find((raw) => raw.attributes.call_id === 'call_2000').attributes.output).toBe(ORDINARY_TEXT.join('\n'));
    expect(results.find((e) => e.raw.attributes.call_id === 'call_1006').raw.attributes.output).toBe('FEATURE_KEY=true');
  });
});

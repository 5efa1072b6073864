/**
 * Secret redaction. The collector's redactor (src/beacon/redact.ts, on the collector's hot path:
 * every string of every kept record) per string of realistic tool output, against JSON.stringify of
 * the same string (what writing it costs anyway), without and with the run's exact values to mask;
 * and the post step's second net (src/finish/runtime-log/secret-scan.ts: keyword check, secretlint
 * on what passes it) over a large capture's parsed events, against JSON.parse of its lines. Also,
 * for scale: secretlint's whole rule set run on every line, which the keyword check avoids.
 * In process, timed per pass, passes interleaved; the strings are the attribute values of a long
 * Codex job's kept records (./../lib/codex-traffic.ts) with one record in 100 printing a secret of
 * the corpus (test/support/secret-corpus.ts).
 */
import { redactSecrets, setMaskedValues } from '../../src/beacon/redact.js';
import { SecretScanner, secretlintFindings, SUSPECT } from '../../src/finish/runtime-log/secret-scan.js';
import { corpusInstances } from '../../test/support/secret-corpus.js';
import { jobCapture } from '../lib/capture.js';
import { codexJobRecords, KEPT_EVENT_NAMES } from '../lib/codex-traffic.js';
import { QUICK, REPS } from '../lib/env.js';
import { emit, pairedRatios, progress, summarize, type Measure } from '../lib/stats.js';

const SHAPE = QUICK ? { toolCalls: 40, turns: 10 } : { toolCalls: 2_000, turns: 200 };
const LOG_EVENTS = QUICK ? 2_000 : 50_000;
const PASSES = QUICK ? 1 : 5;

// The strings the collector redacts: every attribute value of the kept records, a secret in 1 of 100.
const secrets = corpusInstances().map((i) => i.text);
const strings: string[] = [];
let withSecret = 0;
for (const [i, record] of codexJobRecords(SHAPE).entries()) {
  const attributes = record.attributes as Record<string, unknown>;
  if (!KEPT_EVENT_NAMES.has(String(attributes['event.name']))) continue;
  for (const value of Object.values(attributes)) if (typeof value === 'string') strings.push(value);
  if (i % 100 === 0) {
    strings.push(`Output:\n${secrets[withSecret++ % secrets.length]}\n`);
  }
}
const stringBytes = strings.reduce((n, s) => n + s.length, 0);

/** Nanoseconds per string of one pass of `f` over every string (min of `PASSES` passes). */
function perString(f: (s: string) => unknown): number {
  let best = Infinity;
  let sink = 0;
  for (let p = 0; p < PASSES; p++) {
    const started = performance.now();
    for (const s of strings) sink ^= (f(s) as string).length;
    best = Math.min(best, performance.now() - started);
  }
  if (sink === -1) console.log(sink);
  return (best * 1e6) / strings.length;
}

// The run's own values, as the start step would hand them over (8 of them).
const MASKS = ['ghs_runner0token0value0000000000000000', 'Bearer org-token-4f1c9a77', 'org-token-4f1c9a77', 'deploy key value 42', 'hunter2-correct-horse', 'sk-test-value-0123456789', 'npm-publish-token-xyz', 'slack-hook-secret-path'];

// A large capture for the post step: the collector's own lines, parsed as the post step parses them.
const block = jobCapture({ toolCalls: 400, turns: 100 });
const blockLines = block.text.split('\n').filter(Boolean);
const lines: string[] = [];
while (lines.length < LOG_EVENTS) lines.push(...blockLines);
lines.length = LOG_EVENTS;
// One line in 1,000 holds a secret only secretlint's rules know (the collector's rules miss it).
const stripe = corpusInstances().find((i) => i.kind.includes('secretlint only'))!.text;
for (let i = 500; i < lines.length; i += 1000) {
  const event = JSON.parse(lines[i]!);
  event.raw.attributes.output = `${event.raw.attributes.output ?? ''}\n${stripe}`;
  lines[i] = JSON.stringify(event);
}
const logBytes = lines.reduce((n, l) => n + l.length + 1, 0);

async function scanPass(): Promise<{ ms: number; suspect: number }> {
  const scanner = new SecretScanner(MASKS);
  const started = performance.now();
  let suspect = 0;
  for (const line of lines) {
    const event = JSON.parse(line);
    if (scanner.check(event) & SUSPECT) {
      suspect += 1;
      await scanner.redact(event);
    }
  }
  return { ms: performance.now() - started, suspect };
}

function parsePass(): number {
  const started = performance.now();
  for (const line of lines) JSON.parse(line);
  return performance.now() - started;
}

async function secretlintEveryLine(sample: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < sample; i++) await secretlintFindings(lines[i]!);
  return (performance.now() - started) / sample;
}

const collector = { off: [] as number[], on: [] as number[], masked: [] as number[] };
const post = { scan: [] as number[], parse: [] as number[] };
let suspectLines = 0;
const lintPerLine: number[] = [];
// Warm-up, unmeasured.
perString((s) => redactSecrets(s));
perString((s) => JSON.stringify(s));
await scanPass();
for (let rep = 1; rep <= REPS; rep++) {
  setMaskedValues([]);
  collector.off.push(perString((s) => JSON.stringify(s)));
  collector.on.push(perString((s) => redactSecrets(s)));
  setMaskedValues(MASKS);
  collector.masked.push(perString((s) => redactSecrets(s)));
  setMaskedValues([]);
  const parse = parsePass();
  const scan = await scanPass();
  post.parse.push(parse);
  post.scan.push(scan.ms);
  suspectLines = scan.suspect;
  lintPerLine.push(await secretlintEveryLine(QUICK ? 20 : 500));
  progress(`redaction ${rep}/${REPS}: collector ${collector.on.at(-1)!.toFixed(0)} ns/string (JSON.stringify ${collector.off.at(-1)!.toFixed(0)}), post-step scan ${scan.ms.toFixed(0)} ms vs JSON.parse ${parse.toFixed(0)} ms`);
}

const measures: Measure[] = [
  { label: 'collector redactor, per string', unit: 'ns', subject: summarize(collector.on), baselineLabel: 'JSON.stringify of the string', baseline: summarize(collector.off), ratio: summarize(pairedRatios(collector.on, collector.off)) },
  { label: `collector redactor with ${MASKS.length} exact values to mask, per string`, unit: 'ns', subject: summarize(collector.masked), baselineLabel: 'JSON.stringify of the string', baseline: summarize(collector.off), ratio: summarize(pairedRatios(collector.masked, collector.off)) },
  {
    label: `post-step scan of ${LOG_EVENTS.toLocaleString('en-US')} events (JSON.parse + check + secretlint on what passes)`,
    unit: 'ms',
    subject: summarize(post.scan),
    baselineLabel: 'JSON.parse of the lines',
    baseline: summarize(post.parse),
    ratio: summarize(pairedRatios(post.scan, post.parse)),
  },
  { label: 'secretlint (whole preset) on one log line, for scale', unit: 'ms', subject: summarize(lintPerLine) },
];
emit({
  id: 'redaction',
  title: 'Secret redaction: the collector per string, the post step over a log',
  measures,
  notes: [
    `Collector: ${strings.length.toLocaleString('en-US')} strings (${(stringBytes / 1e6).toFixed(1)} MB), the attribute values of the kept records of a ${SHAPE.toolCalls}-tool-call Codex job, one in 100 records followed by a corpus secret; best of ${PASSES} passes each.`,
    `Post step: ${LOG_EVENTS.toLocaleString('en-US')} collector lines (${(logBytes / 1e6).toFixed(0)} MB), one in 1,000 with a Stripe, GitLab and Shopify key the collector's rules do not know; ${suspectLines} lines passed the keyword check and went to secretlint. The post-step row measures the whole post step with the scan in it.`,
    'secretlint for scale: lintSource with the preset on one line at a time, what the keyword check spares nearly every line.',
  ],
});

// `npm run bench [-- --quick] [-- --only start,ingest-protobuf] [-- --json results.json] [-- --markdown results.md]`
//
// Runs each benchmark row (bench/rows/*.ts) in its own Node process, so that one row's memory and
// JIT state never colour another's, against a snapshot of dist/ taken at the start (other people may
// rebuild dist/ while this runs). Prints every row as it ends and a table at the end. Misses are
// reported, not fatal: the exit code is non-zero only when a row could not run.
//
// The rows are TypeScript that import the project's sources and test helpers in place: Node 24
// strips the types itself (--experimental-transform-types, because the sources use parameter
// properties) and bench/lib/ts-hooks.mjs maps their `./x.js` imports to `./x.ts`. No build step.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILD_LOCK = '/tmp/beacon-build.lock';

/** In the order they run. A row process may emit more than one result (ingest-protobuf also measures memory). */
const ROWS = [
  { id: 'start', file: 'rows/start.ts' },
  { id: 'size', file: 'rows/size.ts' },
  { id: 'codex', file: 'rows/codex.ts' },
  { id: 'ingest-protobuf', file: 'rows/ingest.ts', args: ['protobuf'], emits: ['ingest-protobuf', 'memory'] },
  { id: 'ingest-json', file: 'rows/ingest.ts', args: ['json'] },
  { id: 'latency', file: 'rows/latency.ts' },
  { id: 'post-step', file: 'rows/post-step.ts' },
  { id: 'post-step-sessions', file: 'rows/post-step-sessions.ts' },
  { id: 'large-job', file: 'rows/large-job.ts', emits: ['upload', 'large-job'] },
  { id: 'forward', file: 'rows/forward.ts' },
  { id: 'redaction', file: 'rows/redaction.ts' },
];

function parseArgs(argv) {
  const options = { quick: false, only: undefined, json: undefined, markdown: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.split('=', 2);
    const value = () => inline ?? argv[++i];
    if (name === '--quick') options.quick = true;
    else if (name === '--only') options.only = value().split(',').filter(Boolean);
    else if (name === '--json') options.json = path.resolve(value());
    else if (name === '--markdown') options.markdown = path.resolve(value());
    else if (name === '--help' || name === '-h') {
      console.log('usage: npm run bench -- [--quick] [--only ROW,ROW] [--json FILE] [--markdown FILE]\nrows: ' + ROWS.map((r) => r.id).join(', '));
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  // `--only memory` means the row process that measures it.
  options.only = options.only?.map((id) => ROWS.find((row) => row.emits?.includes(id))?.id ?? id);
  const unknown = (options.only ?? []).filter((id) => !ROWS.some((row) => row.id === id));
  if (unknown.length) throw new Error(`unknown row(s) ${unknown.join(', ')}; rows: ${ROWS.map((r) => r.id).join(', ')}`);
  return options;
}

/** A Node that can run the rows (registerHooks and type stripping: Node ≥ 22.15); npm puts Node 24 first on PATH. */
function rowNode() {
  if (typeof module.registerHooks === 'function') return process.execPath;
  const pinned = path.join(ROOT, 'node_modules', 'node', 'bin', 'node');
  if (fs.existsSync(pinned)) return pinned;
  throw new Error(`Node ${process.version} cannot run the benchmark rows (needs Node ≥ 22.15); run it with npm run bench.`);
}

/** Copies dist/ while holding the build lock, so a build in progress is never half copied. */
function snapshotDist(target) {
  const source = path.join(ROOT, 'dist');
  for (const entry of ['start', 'finish', 'collector']) {
    if (!fs.existsSync(path.join(source, entry, 'index.js'))) throw new Error(`dist/${entry}/index.js is missing: build first (node scripts/build.mjs)`);
  }
  try {
    execFileSync('flock', ['-s', BUILD_LOCK, 'cp', '-R', source, target], { stdio: 'inherit' });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    fs.cpSync(source, target, { recursive: true }); // no flock(1) here: copy as is
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const UNIT_DIGITS = { ms: 1, s: 2, MB: 1, 'records/s': 0, kB: 1, x: 2 };

function format(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  if (unit === 'records/s' || unit === 'events/s' || unit === 'events' || unit === 'bytes') return Math.round(value).toLocaleString('en-US');
  const digits = UNIT_DIGITS[unit] ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toFixed(unit === 'ms' && Math.abs(value) >= 100 ? 0 : digits);
}

function spreadText(spread, unit) {
  if (!spread) return '-';
  const u = unit === 'x' ? 'x' : ` ${unit}`;
  if (spread.n === 1) return `${format(spread.median, unit)}${u}`;
  return `${format(spread.median, unit)}${u} (${format(spread.min, unit)}–${format(spread.max, unit)}, n=${spread.n})`;
}

function measureLines(row) {
  return row.measures.map((m) => {
    const target = m.target ? `${m.target.text}: ${m.target.met ? 'met' : 'MISSED'}` : 'report';
    const baseline = m.baseline ? ` | ${m.baselineLabel}: ${spreadText(m.baseline, m.unit)}` : '';
    const ratio = m.ratio ? ` | ${m.ratioLabel ?? 'ratio'}: ${spreadText(m.ratio, 'x')}` : '';
    return `${row.id.padEnd(16)} ${m.label}: ${spreadText(m.subject, m.unit)}${baseline}${ratio} | ${target}`;
  });
}

/** The results as the table of BENCHMARKS.md. */
function markdownTable(info, results) {
  const cell = (text) => String(text).replaceAll('|', '\\|');
  const lines = [
    `Run ${info.date}: Node ${info.node}, ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB, ${info.platform}.`,
    '',
    '| row | figure | median (min–max, n) | baseline: median (min–max) | ratio: median (min–max) | target | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const result of results) {
    for (const m of result.measures) {
      const verdict = m.target ? (m.target.met ? 'met' : '**missed**') : '';
      lines.push(`| ${result.id} | ${cell(m.label)} | ${spreadText(m.subject, m.unit)} | ${m.baseline ? `${cell(m.baselineLabel)}: ${spreadText(m.baseline, m.unit)}` : ''} | ${m.ratio ? spreadText(m.ratio, 'x') : ''} | ${m.target ? cell(m.target.text) : 'report'} | ${verdict} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function runRow(row, env, node, timeoutMs) {
  return new Promise((resolve) => {
    const args = ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', '--import', path.join(ROOT, 'bench', 'lib', 'ts-hooks.mjs'), path.join(ROOT, 'bench', row.file), ...(row.args ?? [])];
    const child = spawn(node, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => {
      process.stderr.write(`${row.id}: over ${timeoutMs / 1000} s, stopped\n`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? `signal ${signal}` : code);
    });
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const node = rowNode();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-'));
  const started = performance.now();
  const results = [];
  const failures = [];
  try {
    const dist = path.join(scratch, 'dist');
    snapshotDist(dist);
    const info = machine();
    console.log(`beacon-action benchmarks${options.quick ? ' (quick: tiny sizes, 1 repetition; the figures mean nothing)' : ''}`);
    console.log(`${info.date} | Node ${info.node} | ${info.cores} cores, ${info.cpu} | ${info.memoryGiB} GiB | ${info.platform}`);
    const selected = ROWS.filter((r) => !options.only || options.only.includes(r.id));
    const outcomes = new Map();
    const runOne = async (row) => {
      const rowScratch = fs.mkdtempSync(path.join(scratch, `${row.id}-`));
      const resultFile = path.join(scratch, `${row.id}.json`);
      // The compile cache keeps Node's type-stripped output and bytecode for the next rows.
      const env = { ...process.env, BENCH_QUICK: options.quick ? '1' : '0', BENCH_DIST: dist, BENCH_SCRATCH: rowScratch, BENCH_RESULT_FILE: resultFile, NODE_COMPILE_CACHE: path.join(scratch, 'compile-cache') };
      const rowStarted = performance.now();
      const exit = await runRow(row, env, node, options.quick ? 120_000 : 420_000);
      fs.rmSync(rowScratch, { recursive: true, force: true });
      const seconds = Number(((performance.now() - rowStarted) / 1000).toFixed(1));
      const emitted = exit === 0 && fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')).map((r) => ({ ...r, seconds })) : undefined;
      outcomes.set(row.id, { exit, seconds, emitted });
      console.log(`\n== ${row.id} (${seconds} s)`);
      if (!emitted) console.log(`${row.id.padEnd(16)} FAILED (${exit})`);
      for (const result of emitted ?? []) {
        for (const line of measureLines(result)) console.log(line);
        for (const note of result.notes) console.log(`${''.padEnd(16)} note: ${note}`);
      }
    };
    // Measured runs go one row at a time. Quick mode only checks that every row still runs: it
    // runs three at once, since most of a tiny row is waiting for processes to start.
    const queue = [...selected];
    const lanes = options.quick ? 3 : 1;
    await Promise.all(Array.from({ length: lanes }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await runOne(row);
    }));
    for (const row of selected) {
      const outcome = outcomes.get(row.id);
      if (outcome.emitted) results.push(...outcome.emitted);
      else failures.push(row.id);
    }
    console.log(`\n== summary (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    for (const result of results) for (const line of measureLines(result)) console.log(line);
    for (const id of failures) console.log(`${id.padEnd(16)} FAILED`);
    if (options.json) fs.writeFileSync(options.json, JSON.stringify({ machine: info, quick: options.quick, results, failures }, null, 2));
    if (options.markdown) fs.writeFileSync(options.markdown, markdownTable(info, results));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exitCode = 1;
});

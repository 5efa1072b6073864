// `npm run demo`: the whole action once, on this machine, with no network. A fake Responses API
// on loopback, the built start step under a simulated runner, the real `codex exec` (npm
// @openai/codex) running one tool call, and the built post step; then the job summary.
// `npm run demo -- --stop`: Codex is stopped (SIGTERM, as a cancelled job does) while its tool call
// runs, after the first model response: it sends no token metric, and the post step recovers that
// response's usage from Codex's session file.
//
// The simulated runner, the fake model and the Codex helpers are the tests' own (test/support/*.ts),
// loaded with Node's built-in TypeScript type stripping (Node 22.6+; `npm run demo` runs the Node 24
// from node_modules). Started with an older Node, the demo hands itself over to that one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');

if (!process.features.typescript) {
  const localNode = path.join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!fs.existsSync(localNode)) {
    console.error(`The demo needs Node 22.6 or later (this is ${process.version}), or the Node 24 that \`npm ci\` installs.`);
    process.exit(1);
  }
  const rerun = spawnSync(localNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(rerun.status ?? 1);
}

// Imported only now: a Node that cannot strip types has handed over above.
const { SimulatedRunner } = await import('../test/support/runner.ts');
const { startFakeModel } = await import('../test/support/fake-model.ts');
const { codexVersion: ranCodexVersion, providerConfigArgs, runCodexExec } = await import('../test/support/codex-cli.ts');

const STOP = process.argv.includes('--stop');
const MODEL = 'gpt-5.5';
// With --stop, a tool call long enough to be cancelled in.
const COMMAND = STOP ? 'sleep 30' : 'echo "Hello from Codex, captured by Beacon"';
const PROMPT = 'Greet the team from the shell, then tell me you did.';
// Usage like a real turn's: most of the input is the cached system prompt and history.
const SCENARIO = [
  { kind: 'tool_call', command: COMMAND, usage: { input: 8412, cached: 6144, output: 212, reasoning: 128, total: 8624 } },
  { kind: 'final_answer', text: 'I printed the greeting in the shell.', usage: { input: 8702, cached: 8320, output: 96, reasoning: 32, total: 8798 } },
];
// What a hosted runner tells each step (no real tokens: nothing is uploaded).
const GITHUB_ENV = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_RUN_ID: '1000000001',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_RUN_NUMBER: '1',
  GITHUB_WORKFLOW: 'Codex review (demo)',
  GITHUB_JOB: 'review',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_SHA: '0000000000000000000000000000000000000000',
  GITHUB_REPOSITORY: 'octo-org/beacon-demo',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_ACTOR: 'octocat',
  GITHUB_SERVER_URL: 'https://github.com',
  RUNNER_OS: process.platform === 'darwin' ? 'macOS' : process.platform === 'win32' ? 'Windows' : 'Linux',
  RUNNER_TRACKING_ID: 'github_demo',
};

const log = (line) => process.stdout.write(`${line}\n`);
// The Codex that runs (node_modules', or BEACON_CODEX_PACKAGE_DIR's: npm run test:codex-latest), as its binary says.
const codexVersion = ranCodexVersion();

/** Resolves once a session file under CODEX_HOME holds a completed response's token usage. */
async function firstResponseRecorded(codexHome, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const sessions = path.join(codexHome, 'sessions');
  while (Date.now() < deadline) {
    const files = fs.existsSync(sessions) ? fs.readdirSync(sessions, { recursive: true }).filter((name) => String(name).endsWith('.jsonl')) : [];
    if (files.some((name) => fs.readFileSync(path.join(sessions, String(name)), 'utf8').includes('"type":"token_usage_record"'))) {
      // A moment more, as a real cancellation comes while the tool runs: Codex's log batches (each second) go out.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The demo's own folders: `beacon-demo-` and mkdtemp's six characters (not the tests' `beacon-demo-test-…`).
const DEMO_PREFIX = 'beacon-demo-';
const DEMO_FOLDER = /^beacon-demo-[A-Za-z0-9]{6}$/;
// In a demo's folder while it runs, naming its process, so that a second demo leaves it alone.
const RUNNING_FILE = 'demo.pid';

const isRunning = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/**
 * Removes the folders earlier demos made in the temp folder (about 1.2 MB each), except one a demo
 * still runs in; the number removed. Nothing else: not the tests' folders, not a BEACON_DEMO_DIR.
 */
function removeOlderDemoFolders(current) {
  const tmp = path.dirname(current);
  const createdAt = fs.statSync(current).mtimeMs;
  let removed = 0;
  for (const entry of fs.readdirSync(tmp, { withFileTypes: true })) {
    const folder = path.join(tmp, entry.name);
    if (!entry.isDirectory() || !DEMO_FOLDER.test(entry.name) || folder === current) continue;
    try {
      if (fs.statSync(folder).mtimeMs > createdAt) continue;
      const pid = Number(fs.existsSync(path.join(folder, RUNNING_FILE)) ? fs.readFileSync(path.join(folder, RUNNING_FILE), 'utf8') : NaN);
      if (Number.isInteger(pid) && isRunning(pid)) continue;
      fs.rmSync(folder, { recursive: true, force: true });
      removed += 1;
    } catch {
      // Another user's, or gone meanwhile: left as it is.
    }
  }
  return removed;
}

/** The size of a folder's files, in bytes. */
function folderBytes(folder) {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

/** Prints a failed step's own output, so the cause is visible. */
function reportFailure(what, result) {
  console.error(`\n${what} failed (exit code ${result.exitCode}).`);
  if (result.stdout) console.error(result.stdout.trimEnd());
  if (result.stderr) console.error(result.stderr.trimEnd());
}

async function main() {
  // BEACON_DEMO_DIR picks the folder (the demo's test uses it), and is left alone. Otherwise a fresh one
  // that is kept, so the files can be read afterwards, until the next demo removes it.
  const chosen = process.env.BEACON_DEMO_DIR ? path.resolve(process.env.BEACON_DEMO_DIR) : undefined;
  const root = chosen ?? fs.mkdtempSync(path.join(os.tmpdir(), DEMO_PREFIX));
  fs.mkdirSync(root, { recursive: true });
  let removedFolders = 0;
  if (!chosen) {
    fs.writeFileSync(path.join(root, RUNNING_FILE), String(process.pid));
    removedFolders = removeOlderDemoFolders(root);
  }
  const runner = new SimulatedRunner(GITHUB_ENV, root);

  log('beacon-action demo: the whole action once, offline\n');
  const model = await startFakeModel({ calls: SCENARIO, model: MODEL });
  let start;
  let finished = false;
  try {
    log(`1. Fake Responses API on ${model.baseUrl} (model ${MODEL})`);

    // The runner fills in action.yml's defaults for the other inputs.
    start = await runner.main({ inputs: { 'upload-artifact': 'false' } });
    if (start.exitCode !== 0) {
      reportFailure('The start step', start);
      return 1;
    }
    const codexHome = start.outputs['codex-home'];
    log(`2. start (dist/start): collector on ${start.outputs['collector-endpoint']}, CODEX_HOME ${codexHome}`);

    const home = path.join(root, 'home');
    fs.mkdirSync(home, { recursive: true });
    const codex = await runCodexExec({
      codexHome,
      home,
      cwd: runner.workspace,
      prompt: PROMPT,
      extraArgs: providerConfigArgs({ baseUrl: model.baseUrl, model: MODEL }),
      timeoutMs: 60_000,
      ...(STOP ? { terminateWhen: firstResponseRecorded(codexHome, 30_000) } : {}),
    });
    if (STOP) {
      log(`3. codex exec (Codex CLI ${codexVersion}) was stopped with SIGTERM while \`${COMMAND}\` ran, after the first model response`);
    } else if (codex.exitCode !== 0) {
      reportFailure(`codex exec (${codexVersion})`, codex);
      return 1;
    } else {
      log(`3. codex exec (Codex CLI ${codexVersion}) ran \`${COMMAND}\` and answered: ${codex.stdout.trim()}`);
    }

    const finish = await start.post();
    finished = true;
    if (finish.exitCode !== 0) {
      reportFailure('The post step', finish);
      return 1;
    }
    const tally = finish.stdout.split('\n').find((line) => line.startsWith('beacon: ') && line.includes(' events, '));
    log(`4. finish (dist/finish, the post step): ${tally ? tally.replace(/^beacon: /, '').replace(/ Log: .*$/, '') : 'done'}`);

    log('\n---------------- job summary (Markdown) ----------------\n');
    log(runner.summary().trimEnd());
    log('\n--------------------------------------------------------\n');
    const logPath = start.outputs['log-path'];
    log(`Runtime log: ${logPath}`);
    log(`Usage file:  ${path.join(path.dirname(logPath), 'beacon-usage.json')}`);
    log(`Summary:     ${runner.summaryPath}`);
    const size = `${(folderBytes(root) / 1e6).toFixed(1)} MB`;
    if (chosen) {
      log(`Demo folder: ${root} (${size}), BEACON_DEMO_DIR's: left for you to remove.`);
    } else {
      const older = removedFolders === 1 ? '1 older demo folder' : `${removedFolders} older demo folders`;
      log(`Demo folder: ${root} (${size}), kept so you can read the files above; the next \`npm run demo\` removes it (this one removed ${older}).`);
    }
    return 0;
  } finally {
    // The post step stops the collector: run it even when a step before it failed.
    if (start?.exitCode === 0 && !finished) await start.post().catch(() => undefined);
    await model.close();
    if (!chosen) fs.rmSync(path.join(root, RUNNING_FILE), { force: true });
  }
}

process.exitCode = await main();

// `npm run demo`: the whole action once, on this machine, with no network. A fake Responses API
// on loopback, the built start step under a simulated runner, the real `codex exec` (npm
// @openai/codex) running one tool call, and the built post step; then the job summary.
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
const { providerConfigArgs, runCodexExec } = await import('../test/support/codex-cli.ts');

const MODEL = 'gpt-5.5';
const COMMAND = 'echo "Hello from Codex, captured by Beacon"';
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
const codexVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@openai', 'codex', 'package.json'), 'utf8')).version;

/** Prints a failed step's own output, so the cause is visible. */
function reportFailure(what, result) {
  console.error(`\n${what} failed (exit code ${result.exitCode}).`);
  if (result.stdout) console.error(result.stdout.trimEnd());
  if (result.stderr) console.error(result.stderr.trimEnd());
}

async function main() {
  // BEACON_DEMO_DIR picks the folder (the demo's test uses it); otherwise a fresh one that is kept, so the files can be read afterwards.
  const root = process.env.BEACON_DEMO_DIR ? path.resolve(process.env.BEACON_DEMO_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-demo-'));
  fs.mkdirSync(root, { recursive: true });
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
    });
    if (codex.exitCode !== 0) {
      reportFailure(`codex exec (${codexVersion})`, codex);
      return 1;
    }
    log(`3. codex exec (Codex CLI ${codexVersion}) ran \`${COMMAND}\` and answered: ${codex.stdout.trim()}`);

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
    return 0;
  } finally {
    // The post step stops the collector: run it even when a step before it failed.
    if (start?.exitCode === 0 && !finished) await start.post().catch(() => undefined);
    await model.close();
  }
}

process.exitCode = await main();

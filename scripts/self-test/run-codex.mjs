// The self-test workflow's Codex step: the real Codex CLI from node_modules (npm @openai/codex)
// runs one prompt against a fake Responses API on loopback (no key, no network), with the
// CODEX_HOME the action's start step wrote. Usage, with the action's `codex-home` output:
//
//   CODEX_HOME=<codex-home> node scripts/self-test/run-codex.mjs
//
// The fake model and the Codex helpers are the tests' own (test/support/*.ts), loaded with Node's
// type stripping: this needs Node 22.6 or later (the workflow sets up Node 24).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CALLS, COMMAND, COMMAND_OUTPUT, FINAL_ANSWER, MODEL, PROMPT } from './scenario.mjs';

// A slow hosted runner (macOS, Windows) starts Codex in a few seconds; a hang must still end the step.
const CODEX_TIMEOUT_MS = 180_000;

function fail(message, details = '') {
  console.error(`::error::self-test: ${message}`);
  if (details) console.error(details.trimEnd());
  process.exit(1);
}

if (!process.features.typescript) fail(`Node ${process.version} cannot strip types; run this with Node 22.6 or later.`);
const { startFakeModel } = await import('../../test/support/fake-model.ts');
const { codexBinary, providerConfigArgs, runCodexExec } = await import('../../test/support/codex-cli.ts');

const codexHome = process.env.CODEX_HOME;
if (!codexHome) fail('CODEX_HOME is not set: pass the action\'s codex-home output.');
const configPath = path.join(codexHome, 'config.toml');
if (!fs.existsSync(configPath)) fail(`${configPath} does not exist: did the action's start step run?`);
if (!/^\[otel\]/m.test(fs.readFileSync(configPath, 'utf8'))) fail(`${configPath} has no [otel] table: Codex would send its telemetry nowhere.`);

/** The text of the output Codex returned to the model for a tool call (a string, or content parts). */
function toolOutputText(request, callId) {
  const items = Array.isArray(request?.body?.input) ? request.body.input : [];
  const item = items.find((entry) => entry?.type === 'function_call_output' && entry.call_id === callId);
  if (!item) return undefined;
  if (typeof item.output === 'string') return item.output;
  return JSON.stringify(item.output);
}

// HOME and the working folder are scratch: Codex writes under HOME, and the command runs in cwd.
const scratch = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'beacon-self-test-codex-'));
const home = path.join(scratch, 'home');
const cwd = path.join(scratch, 'work');
fs.mkdirSync(home);
fs.mkdirSync(cwd);

const model = await startFakeModel({ calls: CALLS, model: MODEL });
let codex;
try {
  console.log(`self-test: fake Responses API on ${model.baseUrl}; Codex ${codexBinary()}`);
  console.log(`self-test: CODEX_HOME ${codexHome}`);
  codex = await runCodexExec({
    codexHome,
    home,
    cwd,
    prompt: PROMPT,
    // The generated config.toml leaves the provider to whoever runs Codex (openai/codex-action, or here -c overrides).
    extraArgs: providerConfigArgs({ baseUrl: model.baseUrl, model: MODEL }),
    timeoutMs: CODEX_TIMEOUT_MS,
  });
} finally {
  await model.close();
}

const output = `--- codex stdout ---\n${codex.stdout}\n--- codex stderr ---\n${codex.stderr}`;
if (codex.timedOut) fail(`codex exec did not finish within ${CODEX_TIMEOUT_MS} ms.`, output);
if (codex.exitCode !== 0) fail(`codex exec exited with ${codex.exitCode ?? `signal ${codex.signal}`}.`, output);
const requests = model.responsesRequests();
if (requests.length !== CALLS.length) fail(`Codex asked the model ${requests.length} times, the scenario has ${CALLS.length} calls.`, output);
const tools = (requests[0].body?.tools ?? []).map((tool) => tool.name ?? tool.type);
// The fake model's tool call is `exec_command` (call_fake_1); its output comes back in the next request.
const commandOutput = toolOutputText(requests[1], 'call_fake_1');
if (commandOutput === undefined) fail(`Codex sent no output for the model's \`${COMMAND}\` call. Tools it offered: ${tools.join(', ')}.`, output);
if (!commandOutput.includes(COMMAND_OUTPUT)) fail(`the output of \`${COMMAND}\` that Codex returned does not contain "${COMMAND_OUTPUT}": ${commandOutput}`, output);
if (codex.stdout.trim() !== FINAL_ANSWER) fail(`Codex answered "${codex.stdout.trim()}", not "${FINAL_ANSWER}".`, output);

try {
  fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
} catch {
  // A file Windows still holds open; RUNNER_TEMP is emptied after the job anyway.
}
console.log(`self-test: codex exec ran \`${COMMAND}\` and answered "${FINAL_ANSWER}" in ${codex.durationMs} ms (${requests.length} model calls).`);

// Checks what the action made of the self-test's Codex run (scenario.mjs): the runtime log's events,
// beacon-usage.json's exact totals, and (for the post-probe action) the job summary. As a command,
// on the files of a downloaded artifact:
//
//   node scripts/self-test/check.mjs --dir <artifact folder> --os linux|darwin|windows --job <job id>
//
// The run attribution is compared with this step's own GITHUB_RUN_ID, GITHUB_REPOSITORY and
// GITHUB_SHA (the checking job belongs to the same workflow run) and GITHUB_RUN_ATTEMPT (the
// capture may come from an earlier attempt, when only the checking job was re-run).
// The log's schema check is the tests' own (test/support/schema-validator.ts), loaded with Node's
// type stripping: this needs Node 22.6 or later.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { COMMAND, MODEL, PROMPT_MARKER } from './scenario.mjs';

/**
 * The scenario's two responses:
 *   tool call:    input 3,120, cached 2,048, output 180, reasoning 64
 *   final answer: input 3,410, cached 3,072, output  75, reasoning 25
 * so the disjoint totals are input 6,530 - 5,120 = 1,410, cached 5,120, output 255, reasoning 89,
 * total 1,410 + 5,120 + 255 = 6,785, from 4 events that carry usage (input, cached, output, reasoning).
 */
export const EXPECTED_TOTALS = {
  input_tokens: 1410,
  output_tokens: 255,
  cache_read_input_tokens: 5120,
  cache_creation_input_tokens: 0,
  reasoning_output_tokens: 89,
  cost_usd: null,
  events: 4,
  total_tokens: 6785,
};

/** One turn with one tool call; the token metric has one data point per token_type (6 types). */
export const EXPECTED_EVENTS_BY_ACTION = {
  'approval.requested': 1,
  'command.executed': 1,
  'prompt.submitted': 1,
  'session.started': 1,
  'token.usage': 6,
};

/**
 * The version of the Codex CLI that ran the scenario on this machine, which the summary reports:
 * what its binary says (test/support/codex-cli.ts, loaded by type stripping), never a pinned number.
 */
export async function ranCodexVersion() {
  const { codexVersion } = await import('../../test/support/codex-cli.ts');
  return codexVersion();
}

/** Lines the job summary must hold (each the start of a line), with the numbers above as the summary formats them. */
export function expectedSummaryLines(codexVersion) {
  return [
    '## Codex telemetry',
    `**Models:** \`${MODEL}\` · **Total tokens:** 6,785 · **Events:** 10 (10 from Codex) · **Codex:** \`${codexVersion}\``,
    `| \`${MODEL}\` | 1,410 | 5,120 | 255 | 89 | 6,785 |`,
    `| \`${COMMAND}\` | 0 |`,
    'All checks passed.',
  ];
}

/** `process.platform` as the runtime log's `endpoint.os`. */
export function endpointOsOf(platform) {
  return { linux: 'linux', darwin: 'darwin', win32: 'windows' }[platform] ?? platform;
}

const sorted = (record) => JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))));

/** Problems of the runtime log's text (empty when it is what the scenario must produce). */
export function checkRuntimeLog(text, { endpointOs, job, env }) {
  const problems = [];
  const events = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      problems.push(`runtime log line ${index + 1} is not JSON`);
    }
  }
  const byAction = {};
  for (const event of events) byAction[event.event?.action] = (byAction[event.event?.action] ?? 0) + 1;
  if (sorted(byAction) !== sorted(EXPECTED_EVENTS_BY_ACTION)) problems.push(`events by action are ${sorted(byAction)}, expected ${sorted(EXPECTED_EVENTS_BY_ACTION)}`);

  const expectedRun = { provider: 'github_actions', run_id: env.GITHUB_RUN_ID, job, repository: env.GITHUB_REPOSITORY, commit: env.GITHUB_SHA };
  for (const [name, value] of Object.entries({ ...expectedRun, run_attempt: env.GITHUB_RUN_ATTEMPT })) {
    if (value === undefined) problems.push(`cannot check run.${name}: this step has no value to compare with (outside GitHub Actions?)`);
  }
  const attemptAtMost = Number(env.GITHUB_RUN_ATTEMPT);
  const sessions = new Set();
  for (const [index, event] of events.entries()) {
    const where = `event ${index + 1} (${event.event?.action})`;
    if (event.harness?.name !== 'codex_cli') problems.push(`${where}: harness ${JSON.stringify(event.harness)}, expected codex_cli`);
    if (event.origin !== 'ci') problems.push(`${where}: origin ${JSON.stringify(event.origin)}, expected "ci"`);
    if (event.endpoint?.os !== endpointOs) problems.push(`${where}: endpoint.os ${JSON.stringify(event.endpoint?.os)}, expected "${endpointOs}"`);
    for (const [name, value] of Object.entries(expectedRun)) {
      if (value !== undefined && event.run?.[name] !== value) problems.push(`${where}: run.${name} ${JSON.stringify(event.run?.[name])}, expected "${value}"`);
    }
    const attempt = event.run?.run_attempt;
    if (env.GITHUB_RUN_ATTEMPT !== undefined && !(/^[1-9]\d*$/.test(attempt ?? '') && Number(attempt) <= attemptAtMost)) {
      problems.push(`${where}: run.run_attempt ${JSON.stringify(attempt)}, expected an attempt from 1 to ${env.GITHUB_RUN_ATTEMPT}`);
    }
    if (event.event?.category === 'metric') {
      if (event.model !== MODEL) problems.push(`${where}: model ${JSON.stringify(event.model)}, expected "${MODEL}"`);
    } else {
      sessions.add(event.session?.id);
    }
  }
  if (sessions.size !== 1 || sessions.has(undefined)) problems.push(`the Codex events name the sessions ${JSON.stringify([...sessions])}, expected one session id`);

  const command = events.find((event) => event.event?.action === 'command.executed');
  if (command && (command.command?.command !== COMMAND || command.command?.exit_code !== 0 || command.command?.success !== true)) {
    problems.push(`command.executed is ${JSON.stringify(command.command)}, expected the command "${COMMAND}" with exit code 0 and success`);
  }
  const approval = events.find((event) => event.event?.action === 'approval.requested');
  if (approval && (approval.approval?.decision !== 'approved' || approval.tool?.name !== 'exec_command')) {
    problems.push(`approval.requested is ${JSON.stringify({ approval: approval.approval, tool: approval.tool })}, expected exec_command approved`);
  }
  // log-user-prompt is off by default: the prompt's text must not be in the log.
  if (text.includes(PROMPT_MARKER)) problems.push(`the runtime log holds the prompt text ("${PROMPT_MARKER}")`);
  return problems;
}

/** Problems of beacon-usage.json's parsed content. */
export function checkUsageFile(usage) {
  const problems = [];
  if (sorted(usage?.totals ?? {}) !== sorted(EXPECTED_TOTALS)) problems.push(`beacon-usage.json totals are ${JSON.stringify(usage?.totals)}, expected ${JSON.stringify(EXPECTED_TOTALS)}`);
  const models = Object.keys(usage?.by_model ?? {});
  if (models.length !== 1 || sorted(usage.by_model[MODEL] ?? {}) !== sorted(EXPECTED_TOTALS)) {
    problems.push(`beacon-usage.json by_model is ${JSON.stringify(usage?.by_model)}, expected only ${MODEL} with the totals`);
  }
  return problems;
}

/** Problems of the job summary's Markdown, from a run of the Codex CLI `codexVersion`. */
export function checkSummary(markdown, codexVersion) {
  const lines = markdown.split('\n');
  const problems = expectedSummaryLines(codexVersion)
    .filter((expected) => !lines.some((line) => line.startsWith(expected)))
    .map((line) => `the job summary lacks the line ${JSON.stringify(line)}`);
  if (markdown.includes(PROMPT_MARKER)) problems.push(`the job summary holds the prompt text ("${PROMPT_MARKER}")`);
  return problems;
}

/** Problems of a folder holding beacon-runtime.jsonl and beacon-usage.json (an artifact, or the action's work folder). */
export async function checkCaptureFolder(dir, { endpointOs, job, env }) {
  if (!process.features.typescript) return [`Node ${process.version} cannot strip types: run the check with Node 22.6 or later`];
  const { validateBeaconLog } = await import('../../test/support/schema-validator.ts');
  const logPath = path.join(dir, 'beacon-runtime.jsonl');
  const usagePath = path.join(dir, 'beacon-usage.json');
  const missing = [logPath, usagePath].filter((file) => !fs.existsSync(file));
  if (missing.length > 0) return missing.map((file) => `${file} does not exist`);

  const problems = [];
  const schema = await validateBeaconLog(logPath);
  for (const { line, errors } of schema.errors) problems.push(`runtime log line ${line} breaks the schema: ${errors.join('; ')}`);
  problems.push(...checkRuntimeLog(fs.readFileSync(logPath, 'utf8'), { endpointOs, job, env }));
  let usage;
  try {
    usage = JSON.parse(fs.readFileSync(usagePath, 'utf8'));
  } catch (error) {
    return [...problems, `beacon-usage.json is not JSON: ${error.message}`];
  }
  problems.push(...checkUsageFile(usage));
  return problems;
}

/** Prints the problems as error annotations; true when there were none. */
export function report(what, problems) {
  for (const problem of problems) console.log(`::error::self-test: ${what}: ${problem}`);
  return problems.length === 0;
}

async function main() {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, os: { type: 'string' }, job: { type: 'string' } } });
  if (!values.dir || !values.os || !values.job) {
    console.error('usage: node scripts/self-test/check.mjs --dir <artifact folder> --os linux|darwin|windows --job <job id>');
    return 2;
  }
  const problems = await checkCaptureFolder(values.dir, { endpointOs: values.os, job: values.job, env: process.env });
  if (!report(values.dir, problems)) return 1;
  console.log(`self-test: ${values.dir}: the runtime log has the scenario's 10 events from ${values.os} and beacon-usage.json its exact totals (${EXPECTED_TOTALS.total_tokens} tokens).`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();

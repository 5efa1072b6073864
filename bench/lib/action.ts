/** The action's main step (dist snapshot) under a simulated runner, and stopping the collector it leaves. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CONTROL_HEADER, type CollectorConfig, type ReadyFile } from '../../src/handoff/collector-config.js';
import { workspacePaths } from '../../src/handoff/workspace.js';
import { STATE_WORK_DIR } from '../../src/start/state.js';
import { actionDefaults, githubEnv, parseCommandFile } from '../../test/support/runner.js';
import { post } from './collector.js';
import { DIST, NODE, SCRATCH } from './env.js';
import { timedRun, waitGone } from './proc.js';

export interface StartStep {
  /** Spawn to exit (pipes closed). */
  ms: number;
  workDir: string;
  outputs: Record<string, string>;
}

let runners = 0;

/** One main step on a fresh simulated runner: GITHUB_* files, INPUT_* with action.yml's defaults. */
export async function runStartStep(inputs: Record<string, string> = {}): Promise<StartStep> {
  const root = fs.mkdtempSync(path.join(SCRATCH, `runner-${++runners}-`));
  const files = {
    GITHUB_OUTPUT: path.join(root, 'output'),
    GITHUB_STATE: path.join(root, 'state'),
    GITHUB_ENV: path.join(root, 'env'),
    GITHUB_PATH: path.join(root, 'path'),
    GITHUB_STEP_SUMMARY: path.join(root, 'summary.md'),
  };
  for (const file of Object.values(files)) fs.writeFileSync(file, '');
  const runnerTemp = path.join(root, 'temp');
  const workspace = path.join(root, 'workspace');
  fs.mkdirSync(runnerTemp);
  fs.mkdirSync(workspace);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, ...githubEnv(), RUNNER_TEMP: runnerTemp, GITHUB_WORKSPACE: workspace, ...files };
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) env[`INPUT_${name.toUpperCase()}`] = value;
  // BENCH_STEP_NODE_ARGS: extra node flags for the step, e.g. --cpu-prof when looking into it.
  const nodeArgs = (process.env.BENCH_STEP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const run = await timedRun(NODE, [...nodeArgs, path.join(DIST, 'start', 'index.js')], { env, cwd: workspace });
  if (run.exitCode !== 0) throw new Error(`the start step failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  const workDir = parseCommandFile(fs.readFileSync(files.GITHUB_STATE, 'utf8'))[STATE_WORK_DIR];
  if (!workDir) throw new Error('the start step saved no work folder');
  return { ms: run.ms, workDir, outputs: parseCommandFile(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')) };
}

/** POST /shutdown with the control secret from collector.json, as the post step does; waits until it is gone. */
export async function stopStartedCollector(workDir: string): Promise<void> {
  const paths = workspacePaths(workDir);
  const config = JSON.parse(fs.readFileSync(paths.collectorConfig, 'utf8')) as CollectorConfig;
  const ready = JSON.parse(fs.readFileSync(paths.ready, 'utf8')) as ReadyFile;
  const answer = await post(new http.Agent({ keepAlive: false }), ready.port, '/shutdown', new Uint8Array(), { [CONTROL_HEADER]: config.controlSecret });
  if (answer.status !== 200) throw new Error(`the collector answered ${answer.status} to /shutdown`);
  await waitGone(ready.pid);
}

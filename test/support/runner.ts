import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A simulated GitHub runner for the built bundles: real files for GITHUB_OUTPUT, GITHUB_STATE,
 * GITHUB_ENV and GITHUB_STEP_SUMMARY, inputs as INPUT_* with action.yml's defaults filled in,
 * STATE_* handed to the post step of the same use, exported variables to every later step.
 *
 * scripts/demo.mjs loads this file with Node's built-in type stripping (Node 24, no build step):
 * keep it to erasable TypeScript (no parameter properties, enums or namespaces; `import type` for
 * types) and import only `node:` modules (a relative import would need its `.ts` extension).
 */

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');

/** `inputs:` of action.yml with their defaults (the runner fills these in). */
export function actionDefaults(): Record<string, string> {
  const text = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const inputsBlock = text.split(/^inputs:\s*$/m)[1]!.split(/^\S/m)[0]!;
  const defaults: Record<string, string> = {};
  let current: string | undefined;
  // A Windows checkout may have turned action.yml's line ends into CRLF.
  for (const line of inputsBlock.split(/\r?\n/)) {
    const name = /^ {2}([a-z0-9-]+):\s*$/.exec(line);
    if (name) {
      current = name[1]!;
      defaults[current] = '';
      continue;
    }
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    if (value && current) defaults[current] = value[1]!.trim().replace(/^'(.*)'$/, '$1');
  }
  return defaults;
}

/**
 * Parses the `name<<DELIMITER\nvalue\nDELIMITER` file format of @actions/core, whose line ends are
 * `os.EOL` (CRLF on Windows, which the runner there reads as one line end too).
 */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]!);
      result[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      result[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return result;
}

export interface StepResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  durationMs: number;
}

export interface StepOptions {
  inputs?: Record<string, string>;
  /** Extra environment for this step only. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export class SimulatedRunner {
  readonly root: string;
  readonly runnerTemp: string;
  readonly summaryPath: string;
  readonly workspace: string;
  /** Variables exported with GITHUB_ENV so far: every later step sees them. */
  readonly exported: Record<string, string> = {};
  /** The variables every step gets (a hosted runner's GITHUB_*, RUNNER_*). */
  readonly baseEnv: Record<string, string>;
  private stepCount = 0;

  constructor(baseEnv: Record<string, string> = githubEnv(), root?: string) {
    this.baseEnv = baseEnv;
    this.root = root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-runner-'));
    this.runnerTemp = path.join(this.root, 'runner-temp');
    this.workspace = path.join(this.root, 'workspace');
    fs.mkdirSync(this.runnerTemp, { recursive: true });
    fs.mkdirSync(this.workspace, { recursive: true });
    this.summaryPath = path.join(this.root, 'step-summary.md');
    fs.writeFileSync(this.summaryPath, '');
  }

  /**
   * A `uses:` of the action: its main step now; call `post()` on the result for its post step,
   * which gets the same inputs (as on the runner) and the state the main step saved.
   */
  async main(options: StepOptions = {}): Promise<StepResult & { post: (o?: Omit<StepOptions, 'inputs'>) => Promise<StepResult> }> {
    const inputs = { ...actionDefaults(), ...options.inputs };
    const result = await this.run('start', inputs, {}, options);
    const post = (postOptions: Omit<StepOptions, 'inputs'> = {}) => this.run('finish', inputs, result.state, { ...options, ...postOptions, inputs: undefined });
    return { ...result, post };
  }

  async run(entry: 'start' | 'finish', inputs: Record<string, string>, state: Record<string, string>, options: StepOptions): Promise<StepResult> {
    const step = ++this.stepCount;
    const files = {
      GITHUB_OUTPUT: path.join(this.root, `output-${step}`),
      GITHUB_STATE: path.join(this.root, `state-${step}`),
      GITHUB_ENV: path.join(this.root, `env-${step}`),
      GITHUB_PATH: path.join(this.root, `path-${step}`),
    };
    for (const file of Object.values(files)) fs.writeFileSync(file, '');
    const env: Record<string, string> = {
      ...machineEnv(),
      ...this.baseEnv,
      RUNNER_TEMP: this.runnerTemp,
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_STEP_SUMMARY: this.summaryPath,
      ...files,
      ...this.exported,
      ...options.env,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value;

    const started = Date.now();
    const { exitCode, stdout, stderr } = await runNode(path.join(DIST, entry, 'index.js'), env, options.timeoutMs ?? 60_000, this.workspace);
    const durationMs = Date.now() - started;
    Object.assign(this.exported, parseCommandFile(fs.readFileSync(files.GITHUB_ENV, 'utf8')));
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseCommandFile(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      state: parseCommandFile(fs.readFileSync(files.GITHUB_STATE, 'utf8')),
      durationMs,
    };
  }

  summary(): string {
    return fs.existsSync(this.summaryPath) ? fs.readFileSync(this.summaryPath, 'utf8') : '';
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * What a step gets of the machine's own environment: only what programs need to run at all (on
 * Windows, Node and Codex cannot resolve temp or profile folders, or spawn a shell, without these),
 * never anything of the job that runs the tests (tokens, GITHUB_*).
 */
const MACHINE_VARIABLES = ['PATH', 'TMPDIR', 'TEMP', 'TMP', 'SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'ProgramData'];

export function machineEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: '', HOME: process.env.HOME ?? os.homedir() };
  for (const name of MACHINE_VARIABLES) {
    // process.env is case-insensitive on Windows (Path, PATH).
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export function runNode(script: string, env: Record<string, string>, timeoutMs: number, cwd?: string): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': we want all of its output. (The collector never holds these pipes.)
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** The variables a GitHub-hosted runner gives a step (no real tokens). */
export function githubEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_WORKFLOW: 'Agent review',
    GITHUB_JOB: 'review',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_OS: 'Linux',
    RUNNER_TRACKING_ID: 'github_00000000-0000-0000-0000-000000000000',
    ...overrides,
  };
}

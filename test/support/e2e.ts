import fs from 'node:fs';
import path from 'node:path';
import { providerConfigArgs, runCodexExec, type CodexExecResult } from './codex-cli.js';
import type { FakeModel, ModelCall } from './fake-model.js';
import type { CollectorStats } from '../../src/handoff/collector-config.js';
import { instanceArgument } from '../../src/handoff/collector-command-line.js';
import type { RunFile } from '../../src/handoff/workspace.js';
import { killIfStillOurs } from './processes.js';
import { SimulatedRunner, githubEnv, type StepResult } from './runner.js';
import { validateBeaconLog, type LogValidation } from './schema-validator.js';
import type { UsageEntry } from '../../src/finish/account-usage/usage-entry.js';

/**
 * One job, end to end: the built `start` bundle under the SimulatedRunner, one or more real
 * `codex exec` runs with CODEX_HOME from start's output, against the fake model, then the built
 * `finish` as the post step. Everything the post step leaves behind is read back for assertions.
 */

/** The provider id openai/codex-action writes into config.toml (codex-telemetry.md). */
export const CODEX_ACTION_PROVIDER = 'codex-action-responses-proxy';

/**
 * What openai/codex-action's "write proxy config" does to an existing config.toml before it runs
 * Codex: a root `model_provider` line prepended, its provider table appended, pointing at its
 * local Responses proxy (here the fake model). Its table has no `env_key`: the proxy adds the key.
 */
export function codexActionProxyEdit(existing: string, proxyBaseUrl: string): string {
  const header = ['# BEGIN codex-action managed model provider', `model_provider = "${CODEX_ACTION_PROVIDER}"`, '# END codex-action managed model provider'].join('\n');
  const table = [
    '# BEGIN codex-action managed proxy',
    `[model_providers.${CODEX_ACTION_PROVIDER}]`,
    'name = "Codex Action Responses Proxy"',
    `base_url = "${proxyBaseUrl}"`,
    'wire_api = "responses"',
    '# END codex-action managed proxy',
  ].join('\n');
  return [header, existing.trim(), table].filter((part) => part.length > 0).join('\n\n') + '\n';
}

export interface BeaconEventLine {
  event: { kind: string; action: string; category: string };
  harness: { name: string };
  model?: string;
  session?: { id: string };
  prompt?: { text: string };
  tool?: { name?: string; command?: string };
  command?: { command?: string; exit_code?: number; duration_ms?: number; success?: boolean };
  approval?: { required?: boolean; decision?: string; reason?: string };
  gen_ai?: { token?: { type: string }; usage?: Record<string, number> };
  raw?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FinishedJob {
  post: StepResult;
  logPath: string;
  usagePath: string;
  /** The runtime log's bytes as text, and its events in order. */
  logText: string;
  events: BeaconEventLine[];
  usageText: string;
  usage: UsageFileShape;
  summary: string;
  /** The collector's own counters (collector-stats.json). */
  stats: CollectorStats | undefined;
  /** The action's private work folder (runtime log, usage file, capture, collector files). */
  workDir: string;
  /** The independent schema check of the runtime log. */
  schema: LogValidation;
}

/** The usage file's entries, as src/finish/usage-file.ts defines them. */
export type UsageEntryShape = UsageEntry;

export interface UsageFileShape {
  totals: UsageEntryShape;
  by_model: Record<string, UsageEntryShape>;
  by_harness: Record<string, UsageEntryShape>;
  token_data_points: Record<string, number>;
  [key: string]: unknown;
}

export interface CodexRunOptions {
  model: FakeModel;
  prompt: string;
  /** The model Codex asks for (`-c model=...`); undefined lets config.toml (or Codex's default) decide. */
  modelName?: string;
  /**
   * Where Codex's provider comes from: `-c` overrides (the generated config has none), or the
   * edit openai/codex-action makes to config.toml.
   */
  provider: 'overrides' | 'codex-action-edit';
  /** Settings left to config.toml instead of `-c` overrides (dotted keys, e.g. `approval_policy`). */
  leaveToConfig?: string[];
  /** Extra environment for Codex. */
  env?: Record<string, string>;
  /** SIGTERM for Codex once this settles (see waitForCaptured). */
  terminateWhen?: Promise<unknown>;
  timeoutMs?: number;
}

export class E2eJob {
  private codexRuns = 0;
  private finished = false;

  private constructor(
    readonly runner: SimulatedRunner,
    readonly start: Awaited<ReturnType<SimulatedRunner['main']>>,
  ) {}

  /** The start step of the action with these inputs (action.yml defaults for the rest). Throws when it fails. */
  static async start(inputs: Record<string, string> = {}, env: Record<string, string> = githubEnv()): Promise<E2eJob> {
    const runner = new SimulatedRunner(env);
    const start = await runner.main({ inputs: { 'upload-artifact': 'false', ...inputs } });
    if (start.exitCode !== 0) {
      runner.cleanup();
      throw new Error(`start failed (${start.exitCode}):\n${start.stdout}\n${start.stderr}`);
    }
    return new E2eJob(runner, start);
  }

  get codexHome(): string {
    return this.start.outputs['codex-home']!;
  }

  get configPath(): string {
    return path.join(this.codexHome, 'config.toml');
  }

  /** One `codex exec` in this job, with CODEX_HOME from start's output and a fresh HOME. */
  async runCodex(options: CodexRunOptions): Promise<CodexExecResult> {
    const home = path.join(this.runner.root, `home-${++this.codexRuns}`);
    fs.mkdirSync(home, { recursive: true });
    const leaveOut = [...(options.leaveToConfig ?? [])];
    if (options.modelName === undefined) leaveOut.push('model');
    if (options.provider === 'codex-action-edit') {
      fs.writeFileSync(this.configPath, codexActionProxyEdit(fs.readFileSync(this.configPath, 'utf8'), options.model.baseUrl));
      leaveOut.push('model_provider', 'model_providers');
    }
    return runCodexExec({
      codexHome: this.codexHome,
      home,
      cwd: this.runner.workspace,
      prompt: options.prompt,
      extraArgs: providerConfigArgs({ baseUrl: options.model.baseUrl, model: options.modelName }, leaveOut),
      env: options.env,
      timeoutMs: options.timeoutMs ?? 45_000,
      terminateWhen: options.terminateWhen,
    });
  }

  /**
   * Resolves true as soon as the collector has written an event with this action to its capture
   * (it writes each request before acknowledging it), false after `timeoutMs`.
   */
  async waitForCaptured(action: string, timeoutMs: number): Promise<boolean> {
    const capture = path.join(path.dirname(this.start.outputs['log-path']!), 'capture.jsonl');
    const needle = `"action":"${action}"`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (fs.existsSync(capture) && fs.readFileSync(capture, 'utf8').includes(needle)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  /** The post step, and everything it left behind. */
  async finish(): Promise<FinishedJob> {
    this.finished = true;
    const post = await this.start.post();
    const logPath = this.start.outputs['log-path']!;
    const usagePath = path.join(path.dirname(logPath), 'beacon-usage.json');
    const logText = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
    const usageText = fs.existsSync(usagePath) ? fs.readFileSync(usagePath, 'utf8') : '{}';
    const statsPath = path.join(path.dirname(logPath), 'collector-stats.json');
    return {
      post,
      logPath,
      usagePath,
      logText,
      events: logText
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as BeaconEventLine),
      usageText,
      usage: JSON.parse(usageText) as UsageFileShape,
      summary: this.runner.summary(),
      stats: fs.existsSync(statsPath) ? (JSON.parse(fs.readFileSync(statsPath, 'utf8')) as CollectorStats) : undefined,
      workDir: path.dirname(logPath),
      schema: fs.existsSync(logPath) ? await validateBeaconLog(logPath) : { lines: 0, errors: [{ line: 0, errors: ['no runtime log'] }] },
    };
  }

  /** Runs the post step if the test did not get that far (it stops the collector), then removes the job's files. */
  async dispose(): Promise<void> {
    if (!this.finished) await this.start.post().catch(() => undefined);
    this.killLeftoverCollector();
    this.runner.cleanup();
  }

  /** A post step that failed leaves the collector running: end it, if it is still the process we started. */
  private killLeftoverCollector(): void {
    const workDir = path.dirname(this.start.outputs['log-path'] ?? '');
    let collector: RunFile['collector'];
    try {
      collector = (JSON.parse(fs.readFileSync(path.join(workDir, 'run.json'), 'utf8')) as RunFile).collector;
    } catch {
      return;
    }
    // Its command line holds the run's instance id; a recycled pid would not.
    killIfStillOurs(collector.pid, instanceArgument(collector.instance));
  }
}

/** The disjoint totals the action must report for a scenario (schema page "Token usage"). */
export function expectedUsage(calls: ModelCall[]) {
  const sum = (pick: (call: ModelCall) => number) => calls.reduce((total, call) => total + pick(call), 0);
  const input = sum((call) => call.usage.input);
  const cached = sum((call) => call.usage.cached);
  const output = sum((call) => call.usage.output);
  return {
    input_tokens: input - cached,
    cache_read_input_tokens: cached,
    output_tokens: output,
    reasoning_output_tokens: sum((call) => call.usage.reasoning),
    total_tokens: input + output,
  };
}

/** How many events of each action, e.g. `{ 'session.started': 1, ... }`. */
export function countByAction(events: BeaconEventLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.event.action] = (counts[event.event.action] ?? 0) + 1;
  return counts;
}

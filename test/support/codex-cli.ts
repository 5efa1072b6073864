import { execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stringify } from 'smol-toml';

/**
 * Helpers to run the real Codex CLI offline against the fake model in ./fake-model.ts
 * (codex-telemetry.md "Running the real CLI offline").
 *
 * scripts/demo.mjs imports this file with Node's built-in type stripping: keep to erasable
 * TypeScript (no enums, namespaces or parameter properties) and no relative imports.
 */

/** The provider id the generated config uses (`openai` is reserved by Codex). */
export const FAKE_PROVIDER_ID = 'fake';
/** The variable the fake provider reads its API key from. */
export const FAKE_API_KEY_ENV = 'FAKE_OPENAI_API_KEY';
const FAKE_API_KEY = 'sk-fake-beacon-test-key';

/** Inherited variables that would change what Codex exports or how it authenticates. */
const STRIPPED_ENV_PREFIXES = ['OTEL_', 'GITHUB_', 'CODEX_', 'OPENAI_'];

const PLATFORM_PACKAGES: Record<string, { pkg: string; triple: string }> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
  'win32-x64': { pkg: '@openai/codex-win32-x64', triple: 'x86_64-pc-windows-msvc' },
  'win32-arm64': { pkg: '@openai/codex-win32-arm64', triple: 'aarch64-pc-windows-msvc' },
};

/**
 * Names the folder of another installed `@openai/codex` package for the tests to run instead of
 * this repository's pinned one (`npm run test:codex-latest` sets it: scripts/test-codex-latest.mjs).
 */
export const CODEX_PACKAGE_DIR_ENV = 'BEACON_CODEX_PACKAGE_DIR';

/** $BEACON_CODEX_PACKAGE_DIR when set, for a process that runs Codex with an environment of its own making. */
export function codexChoiceEnv(): Record<string, string> {
  const chosen = process.env[CODEX_PACKAGE_DIR_ENV];
  return chosen ? { [CODEX_PACKAGE_DIR_ENV]: chosen } : {};
}

/** The folder of the `@openai/codex` package the tests run: $BEACON_CODEX_PACKAGE_DIR, else node_modules'. */
export function codexPackageDir(): string {
  const chosen = process.env[CODEX_PACKAGE_DIR_ENV];
  if (chosen) return path.resolve(chosen);
  return path.dirname(createRequire(import.meta.url).resolve('@openai/codex/package.json'));
}

/**
 * The native Codex binary from the platform package of `codexPackageDir()`. Spawned directly,
 * not through the `bin/codex.js` wrapper, so signals reach Codex itself and no extra Node starts.
 */
export function codexBinary(): string {
  const platform = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!platform) throw new Error(`no Codex binary package for ${process.platform}-${process.arch}`);
  // The platform package is a dependency of @openai/codex, so resolve it from there.
  const requireFromCodex = createRequire(path.join(codexPackageDir(), 'package.json'));
  const packageRoot = path.dirname(requireFromCodex.resolve(`${platform.pkg}/package.json`));
  return path.join(packageRoot, 'vendor', platform.triple, 'bin', process.platform === 'win32' ? 'codex.exe' : 'codex');
}

const versions = new Map<string, string>();

/**
 * The version of the Codex CLI the tests run, as its binary reports it (`codex-cli 0.169.0`): what
 * its telemetry and session files say, and so the job summary. Never a pinned number, so the tests
 * pass with whichever @openai/codex is installed.
 */
export function codexVersion(): string {
  const binary = codexBinary();
  let version = versions.get(binary);
  if (version === undefined) {
    const printed = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    version = /(\d+\.\d+\.\d+\S*)/.exec(printed)?.[1];
    if (version === undefined) throw new Error(`${binary} --version printed no version: ${printed}`);
    versions.set(binary, version);
  }
  return version;
}

export interface ProviderConfigOptions {
  /** The fake model's base URL, `http://127.0.0.1:PORT/v1`. */
  baseUrl: string;
  /** Defaults to `gpt-5.5`, the fixtures' model. */
  model?: string;
}

/** The settings that point Codex at the fake model and keep it offline and non-interactive. */
export function providerConfig({ baseUrl, model = 'gpt-5.5' }: ProviderConfigOptions) {
  return {
    model,
    model_provider: FAKE_PROVIDER_ID,
    approval_policy: 'never',
    // Codex's own sandbox (bubblewrap) cannot start in this container; the fixtures ran this way.
    sandbox_mode: 'danger-full-access',
    check_for_update_on_startup: false,
    analytics: { enabled: false },
    model_providers: {
      [FAKE_PROVIDER_ID]: {
        name: 'Fake OpenAI (loopback)',
        base_url: baseUrl,
        env_key: FAKE_API_KEY_ENV,
        wire_api: 'responses',
        // A planned failure must fail the run, not be retried.
        request_max_retries: 0,
        stream_max_retries: 0,
      },
    },
  };
}

/**
 * The provider settings as TOML: root keys first, then tables, so more tables (e.g. `[otel]`)
 * can be appended after it but not more root keys.
 */
export function providerConfigToml(options: ProviderConfigOptions): string {
  return stringify(providerConfig(options));
}

/**
 * The provider settings as `-c dotted.key=value` overrides, one per leaf (a table given whole
 * would replace that table of config.toml), for a run whose CODEX_HOME config.toml is written by
 * someone else (the action's `start` step). Keys in `leaveOut` (dotted, or a table's prefix, e.g.
 * `model` or `model_providers`) are not overridden, so config.toml decides them.
 */
export function providerConfigArgs(options: ProviderConfigOptions, leaveOut: string[] = []): string[] {
  const overrides: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (leaveOut.some((left) => key === left || key.startsWith(`${left}.`))) return;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [child, childValue] of Object.entries(value)) walk(childValue, key ? `${key}.${child}` : child);
      return;
    }
    overrides.push(`${key}=${tomlValue(value)}`);
  };
  walk(providerConfig(options), '');
  return overrides.flatMap((override) => ['-c', override]);
}

/** A TOML value as the right-hand side of `key = value`. */
function tomlValue(value: unknown): string {
  return stringify({ v: value }).replace(/^v = /, '').trim();
}

/** A flat string map as a TOML inline table (smol-toml writes tables as `[sections]`). */
function inlineTable(entries: Record<string, string>): string {
  return `{ ${Object.entries(entries).map(([key, value]) => `${tomlValue(key)} = ${tomlValue(value)}`).join(', ')} }`;
}

export type OtlpProtocol = 'json' | 'binary';

export interface OtelConfigOptions {
  /** The receiver's `http://127.0.0.1:PORT`; the `/v1/logs`, `/v1/metrics`, `/v1/traces` paths are appended. */
  receiverBaseUrl: string;
  protocol: OtlpProtocol;
  headers?: Record<string, string>;
  environment?: string;
  logUserPrompt?: boolean;
}

/**
 * An `[otel]` table in the inline-table form of codex-telemetry.md "Configuration":
 * all three exporters otlp-http, each with its full endpoint path (Codex appends none).
 */
export function otelConfigToml({ receiverBaseUrl, protocol, headers = {}, environment = 'ci', logUserPrompt = false }: OtelConfigOptions): string {
  const exporter = (signal: string) => {
    const fields = [`endpoint = ${tomlValue(`${receiverBaseUrl}/v1/${signal}`)}`, `protocol = ${tomlValue(protocol)}`];
    if (Object.keys(headers).length > 0) fields.push(`headers = ${inlineTable(headers)}`);
    return `{ otlp-http = { ${fields.join(', ')} } }`;
  };
  return [
    '[otel]',
    `environment = ${tomlValue(environment)}`,
    `log_user_prompt = ${logUserPrompt}`,
    `exporter = ${exporter('logs')}`,
    `metrics_exporter = ${exporter('metrics')}`,
    `trace_exporter = ${exporter('traces')}`,
    '',
  ].join('\n');
}

/**
 * Writes `$codexHome/config.toml` (creating the folder: Codex needs it to exist) from the provider
 * settings followed by `extraToml`, which must start with a table header. Returns the file's path.
 */
export async function writeProviderConfig(codexHome: string, options: ProviderConfigOptions & { extraToml?: string }): Promise<string> {
  await mkdir(codexHome, { recursive: true });
  const configPath = path.join(codexHome, 'config.toml');
  const parts = [providerConfigToml(options)];
  if (options.extraToml) parts.push(options.extraToml);
  await writeFile(configPath, parts.join('\n'));
  return configPath;
}

export interface CodexExecOptions {
  /** CODEX_HOME; must exist. */
  codexHome: string;
  /** HOME; Codex writes under it too. */
  home: string;
  prompt: string;
  /** Working directory for Codex (and the commands it runs); defaults to `home`. */
  cwd?: string;
  /** Extra variables; these win over the inherited environment and are never stripped. */
  env?: Record<string, string>;
  /** Arguments placed before the prompt, e.g. `providerConfigArgs(...)`. */
  extraArgs?: string[];
  /** After this long the whole process group is killed (SIGKILL) and `timedOut` is set. */
  timeoutMs: number;
  /** Send SIGTERM (or `signal`) to Codex after this many ms, like a cancelled job. */
  signalAfterMs?: number;
  /** Send SIGTERM (or `signal`) to Codex once this settles (e.g. when its first telemetry has arrived), like a cancelled job. */
  terminateWhen?: Promise<unknown>;
  /** The signal `signalAfterMs` and `terminateWhen` send; SIGTERM unless set (SIGINT: a Ctrl-C). */
  signal?: NodeJS.Signals;
}

export interface CodexExecResult {
  /** null when Codex ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** The environment for a Codex run: inherited minus telemetry, CI and credential variables, plus ours. */
export function codexEnvironment(options: Pick<CodexExecOptions, 'codexHome' | 'home' | 'env'>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !STRIPPED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)));
  return {
    ...Object.fromEntries(inherited),
    HOME: options.home,
    CODEX_HOME: options.codexHome,
    [FAKE_API_KEY_ENV]: FAKE_API_KEY,
    ...options.env,
  };
}

/** Runs `codex exec --skip-git-repo-check PROMPT` with stdin from /dev/null. Never rejects for a failing run. */
export function runCodexExec(options: CodexExecOptions): Promise<CodexExecResult> {
  const args = ['exec', '--skip-git-repo-check', ...(options.extraArgs ?? []), options.prompt];
  const started = performance.now();
  const child = spawn(codexBinary(), args, {
    cwd: options.cwd ?? options.home,
    env: codexEnvironment(options),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a timeout also ends the shells Codex started.
    detached: true,
  });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  let timedOut = false;
  const terminate = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(options.signal ?? 'SIGTERM');
  };
  options.terminateWhen?.then(terminate, terminate);
  const timers: NodeJS.Timeout[] = [];
  if (options.signalAfterMs !== undefined) {
    timers.push(setTimeout(terminate, options.signalAfterMs));
  }
  timers.push(
    setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    }, options.timeoutMs),
  );

  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      timers.forEach(clearTimeout);
      reject(error);
    });
    // 'close' (not 'exit') so all output has been read.
    child.once('close', (exitCode, signal) => {
      timers.forEach(clearTimeout);
      resolve({ exitCode, signal, stdout, stderr, durationMs: Math.round(performance.now() - started), timedOut });
    });
  });
}

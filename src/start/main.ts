import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { attributionFromEnv } from '../beacon/attribution.js';
import { secretValuesOf } from '../beacon/masked-values.js';
import { redactDeep, setMaskedValues } from '../beacon/redact.js';
import type { CollectorConfig } from '../handoff/collector-config.js';
import { WORK_DIR_ENV, type RunFile } from '../handoff/workspace.js';
import { buildCodexConfig } from '../harness/codex/config.js';
import { DEFAULT_FORWARD_SHUTDOWN_LIMIT_MS, maskedPartsOfHeader } from '../forward/endpoint.js';
import { readStartInputs, type InputReader, type StartInputs } from '../inputs.js';
import { bindLoopback, launchCollector, portOf, type LaunchedCollector } from './launch-collector.js';
import { runnerCommands, type RunnerCommands } from './runner-commands.js';
import { createWorkspace, ensureCodexHome, writePrivateJson } from './prepare-workspace.js';
import { STATE_ROLE, STATE_WORK_DIR } from './state.js';

/**
 * The main step: inputs → listening socket → collector spawned on it → CODEX_HOME config → outputs.
 * The step is on every job's critical path, so it never waits for the collector's boot: the socket
 * it bound queues Codex's requests until the collector serves them (launch-collector.ts).
 */

const MAX_BODY_BYTES = 32 * 1024 * 1024;
// Hosted jobs end after 6 hours; the runner reaps the collector before that anyway.
const DEFAULT_MAX_LIFETIME_MS = (6 * 60 + 15) * 60 * 1000;

export async function startCapture(readInput: InputReader): Promise<void> {
  const inputs = readStartInputs(readInput);
  const paths = createWorkspace(process.env);
  // The telemetry secret goes to Codex's config.toml; the control secret (shutdown, health) only
  // to the private collector.json; the instance id, not a secret, to the collector's command line.
  const secret = randomBytes(32).toString('base64url');
  const controlSecret = randomBytes(32).toString('base64url');
  const instance = randomBytes(8).toString('hex');
  const core = runnerCommands;
  core.setSecret(secret);
  core.setSecret(controlSecret);
  for (const value of Object.values(inputs.forward?.headers ?? {})) for (const part of maskedPartsOfHeader(value)) core.setSecret(part);
  // Saved before anything can fail, so that the post step cleans up after a half-done start.
  core.saveState(STATE_WORK_DIR, paths.workDir);
  core.saveState(STATE_ROLE, 'start');
  core.exportVariable(WORK_DIR_ENV, paths.workDir);

  // Bound here, so the port is known now and the endpoint answers as soon as the collector is up.
  const listener = await bindLoopback();
  // The run's secret values are masked in everything written from here on, the attribution included.
  const maskValues = secretValuesOf(process.env, inputs.forward?.headers);
  setMaskedValues(maskValues);
  const collectorConfig: CollectorConfig = {
    secret,
    controlSecret,
    port: portOf(listener),
    capturePath: paths.capture,
    statsPath: paths.stats,
    readyPath: paths.ready,
    harness: 'codex',
    includeSpans: inputs.includeCodexSpans,
    logUserPrompt: inputs.logUserPrompt,
    maxBodyBytes: MAX_BODY_BYTES,
    maxLifetimeMs: Number(process.env.BEACON_COLLECTOR_MAX_LIFETIME_MS) || DEFAULT_MAX_LIFETIME_MS,
    attribution: redactDeep(attributionFromEnv(process.env)),
    maskValues,
  };
  if (inputs.forward) {
    const shutdownLimitMs = Number(process.env.BEACON_FORWARD_SHUTDOWN_LIMIT_MS) || DEFAULT_FORWARD_SHUTDOWN_LIMIT_MS;
    collectorConfig.forward = { endpoint: inputs.forward.endpoint, headers: inputs.forward.headers, required: inputs.forward.required, shutdownLimitMs };
  }
  // The collector bundle beside ours (dist/start → dist/collector). Not `new URL(..., import.meta.url)`:
  // ncc would copy the file it points at as an asset.
  const script = path.resolve(path.dirname(process.argv[1] ?? '.'), '..', 'collector', 'index.js');
  try {
    writePrivateJson(paths.collectorConfig, collectorConfig);
  } catch (error) {
    listener.close();
    throw error;
  }
  // Closes the listener whatever happens: from here on the collector's copy is the only one.
  const collector = await launchCollector({ script, configPath: paths.collectorConfig, instance, readyPath: paths.ready, logPath: paths.collectorLog, listener, timeoutMs: 15_000 });

  try {
    await finishStart(core, inputs, paths, secret, { script, instance }, collector);
  } catch (error) {
    collector.kill();
    throw error;
  }
}

/** Everything after the hand-over: the collector boots meanwhile, and nothing here waits for it. */
async function finishStart(core: RunnerCommands, inputs: StartInputs, paths: ReturnType<typeof createWorkspace>, secret: string, { script, instance }: { script: string; instance: string }, collector: LaunchedCollector): Promise<void> {
  const endpoint = `http://127.0.0.1:${collector.port}`;
  core.info(`Collector started on ${endpoint} (pid ${collector.pid}); requests wait on the port until it is up.`);

  const codexHome = path.resolve(inputs.codexHome ?? paths.codexHome);
  ensureCodexHome(codexHome);
  const configFile = path.join(codexHome, 'config.toml');
  const sources: { name: string; text: string }[] = [];
  const existing = fs.existsSync(configFile);
  if (existing) sources.push({ name: `the existing ${configFile}`, text: fs.readFileSync(configFile, 'utf8') });
  if (inputs.codexConfig) sources.push({ name: `codex-config "${inputs.codexConfig}"`, text: fs.readFileSync(inputs.codexConfig, 'utf8') });
  const merged = buildCodexConfig(sources, {
    endpoint,
    secret,
    protocol: inputs.otelProtocol,
    environment: inputs.environment,
    logUserPrompt: inputs.logUserPrompt,
    includeSpans: inputs.includeCodexSpans,
  });
  for (const warning of merged.warnings) core.warning(warning);
  for (const notice of merged.notices) core.info(notice);
  // A new one readable by the user who runs Codex (the telemetry secret is the only secret in it,
  // good for sending telemetry only). An existing one keeps its mode: never more readable than it was.
  fs.writeFileSync(configFile, merged.toml, { mode: 0o644 });
  if (!existing) fs.chmodSync(configFile, 0o644);

  const run: RunFile = {
    version: 1,
    workDir: paths.workDir,
    codexHome,
    logPath: paths.runtimeLog,
    usagePath: paths.usage,
    collector: { pid: collector.pid, port: collector.port, endpoint, script, instance },
    harness: 'codex',
    startedAt: new Date().toISOString(),
  };
  writePrivateJson(paths.runFile, run);

  core.setOutput('codex-home', codexHome);
  core.setOutput('collector-endpoint', endpoint);
  core.setOutput('log-path', paths.runtimeLog);
  if (inputs.exportEnv) core.exportVariable('CODEX_HOME', codexHome);
  if (inputs.forward) core.info(`Kept events are also forwarded to ${inputs.forward.endpoint} (OTLP/HTTP JSON).`);
  core.info(`CODEX_HOME ${codexHome} sends Codex telemetry to the collector; the runtime log will be ${paths.runtimeLog}.`);
}

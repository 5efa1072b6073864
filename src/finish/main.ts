import fs from 'node:fs';
import * as core from '@actions/core';
import { attributionFromEnv } from '../beacon/attribution.js';
import type { Attribution } from '../beacon/event.js';
import { redactDeep, setMaskedValues } from '../beacon/redact.js';
import type { CollectorConfig, CollectorStats, ForwardConfig, ReadyFile } from '../handoff/collector-config.js';
import { WORK_DIR_ENV, workspacePaths, type RunFile, type WorkspacePaths } from '../handoff/workspace.js';
import { readFinishInputs, type FinishInputs } from '../inputs.js';
import { sessionReaderFor } from '../harness/sessions.js';
import { STATE_ROLE, STATE_WORK_DIR } from '../start/state.js';
import { stopCollector, type StopOutcome } from './stop-collector/stop-collector.js';
import { SecretScanner } from './runtime-log/secret-scan.js';
import { writeRuntimeLogWithReport } from './account-usage/process-capture.js';
import { CODEX_HARNESS, totalTokens, type RunReport } from './account-usage/run-report.js';
import type { SessionReconciliation } from './account-usage/sessions/reconcile.js';
import { validateRun } from './validate/validate.js';
import { RunComparison } from './compare/run-comparison.js';
import { defaultArtifactName, uploadRuntimeArtifact, type RuntimeArtifactResult } from './publish/artifact.js';
import { forwardRun, problemText, UsageSeriesBuilder, type ForwardingReport, type UsageSeries } from './publish/forward-usage.js';
import { publishWhatExists, type FinishProgress } from './publish/failed-part-way.js';
import { renderSummary } from './publish/summary.js';
import { buildUsageFile, writeUsageFile } from './publish/usage-file.js';
import { removeSecretsAtRest } from './secrets-at-rest.js';
import { isoUtc } from '../beacon/utc-time.js';

/**
 * The finish: stop the collector → build the runtime log → account usage → validate → publish
 * (usage file, forwarding, artifact, summary). Runs as the post step of a start, or as the
 * main step of a later `mode: finish` use (which also sets the token outputs; the post steps then
 * do nothing more). It never fails the job for a reason the user cannot act on: only a run with
 * fewer Codex events than `min-events` under `require-telemetry` fails the step, or, under
 * `require-telemetry`, a finish that failed part way (after uploading what it had: see failedPartWay).
 */

export type FinishTrigger = 'post' | 'finish-step';

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function locateWorkDir(trigger: FinishTrigger, inputs: FinishInputs): string | undefined {
  if (trigger === 'post') {
    // The post step of a `mode: finish` use: its main step already did the work.
    if (inputs.mode === 'finish' || core.getState(STATE_ROLE) === 'finish-step') return undefined;
    const workDir = core.getState(STATE_WORK_DIR);
    if (!workDir) core.notice('beacon: nothing to finish: the start step of this action failed or did not run.');
    return workDir || undefined;
  }
  core.saveState(STATE_ROLE, 'finish-step');
  const workDir = process.env[WORK_DIR_ENV];
  if (!workDir) core.warning('beacon: mode: finish found no capture started earlier in this job. Add the action (mode: start, the default) before the step that runs Codex.');
  return workDir || undefined;
}

/** How the collector stopped, for the log; validateRun turns the unusual cases into warnings. */
function describeStop(outcome: StopOutcome): void {
  if (outcome.status === 'stopped') core.info(`beacon: collector (pid ${outcome.pid}) stopped after ${outcome.waitedMs} ms.`);
  else core.info(`beacon: collector ${outcome.status}${'reason' in outcome ? `: ${outcome.reason}` : ''}.`);
}

export async function finishCapture(trigger: FinishTrigger): Promise<void> {
  const inputs = readFinishInputs(core.getInput);
  const workDir = locateWorkDir(trigger, inputs);
  if (!workDir) return;
  const paths = workspacePaths(workDir);
  const run = readJson<RunFile>(paths.runFile);
  const collectorConfig = readJson<CollectorConfig>(paths.collectorConfig);
  // The run's own secret values (the start step's), masked in everything the post step writes.
  setMaskedValues(collectorConfig?.maskValues ?? []);
  let endNow = false;
  try {
    if (fs.existsSync(paths.finished)) core.info('beacon: this capture was already finished (by a mode: finish step, or an earlier run of this post step).');
    else endNow = await finishRun(trigger, inputs, paths, run, collectorConfig);
  } finally {
    // Once finished (and after a post step in any case: nothing comes after it), no file of the run
    // keeps a secret. A `mode: finish` step that failed half way leaves them to its post step.
    if (trigger === 'post' || fs.existsSync(paths.finished)) {
      removeSecretsAtRest(paths, { telemetrySecret: collectorConfig?.secret, codexHome: run?.codexHome ?? paths.codexHome }, (message) => core.warning(`beacon: ${message}`));
    }
  }
  // A cache call given up on keeps running inside @actions/cache (retries, or a request with no
  // timeout) and would hold the step open; like actions/cache itself, end the step now.
  if (endNow) process.exit();
}

/** Everything but the clean-up; true when the step must end at once (see finishCapture). */
async function finishRun(trigger: FinishTrigger, inputs: FinishInputs, paths: WorkspacePaths, run: RunFile | undefined, collectorConfig: CollectorConfig | undefined): Promise<boolean> {
  const { outcome, lastWrite } = await stopTheCollector(paths, run, collectorConfig);
  if (!run) {
    // The start step failed half way and has already failed the job with its reason: do not
    // fail it a second time for the missing events.
    core.warning('beacon: the start step did not complete (see its error), so nothing was captured in this job.');
    return false;
  }

  // With forward-endpoint, the token metrics are summed as the log is written: no second read.
  const usageSeries = collectorConfig?.forward ? new UsageSeriesBuilder() : undefined;
  // The second net for secrets (the full rule set and the run's values): the log, the usage file, the summary.
  const scanner = new SecretScanner(collectorConfig?.maskValues ?? []);
  // What is done so far: a stage that throws (a full disk, a bug) must not lose what came before it.
  const progress: FinishProgress = { stage: 'writing the runtime log', runtimeLogComplete: false, artifactAttempted: false };
  // Outside the try: a cache call given up on must still end the step when a later stage throws.
  let comparison: RunComparison | undefined;
  try {
    const { report, sessions } = await buildRuntimeLog({ paths, run, collectorConfig, outcome, usageSeries, scanner });
    progress.runtimeLogComplete = true;
    // Before the usage file and the summary: both carry what this run is compared with.
    progress.stage = 'looking up the run to compare with';
    const compared = (comparison = await RunComparison.begin({ enabled: inputs.compare !== false, artifactName: inputs.artifactName, log: { info: core.info } }));
    progress.stage = 'writing the usage file';
    const usage = buildUsageFile(report, { logName: 'beacon-runtime.jsonl', ...(sessions ? { sessions } : {}), ...(compared.baseline ? { baseline: compared.baseline } : {}) });
    writeUsageFile(paths.usage, await scanner.redactValue(usage));
    progress.stage = 'validating the run';
    const stats = readJson<CollectorStats>(paths.stats);
    const validation = validateRun(report, stats, {
      minEvents: inputs.minEvents,
      requireTelemetry: inputs.requireTelemetry,
      collectorExit: { status: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}) },
      ...(lastWrite ? { collectorLastWrite: lastWrite } : {}),
      ...(sessions ? { sessions } : {}),
    });
    for (const warning of validation.warnings) core.warning(`beacon: ${warning}`);
    for (const diagnosis of validation.diagnoses) core.info(`beacon: ${diagnosis}`);
    progress.failures = validation.failures;

    progress.stage = 'forwarding';
    const forwarding = collectorConfig?.forward && usageSeries ? await forward(collectorConfig.forward, collectorConfig.attribution, stats, usageSeries.build()) : undefined;
    if (forwarding?.required && forwarding.problems.length > 0) progress.forwardingFailure = `beacon: forwarding (forward-required): ${forwarding.problems.map(problemText).join('; ')}.`;
    progress.stage = 'uploading the artifact';
    progress.artifactAttempted = inputs.uploadArtifact;
    const artifact = inputs.uploadArtifact ? await upload(paths, inputs, [paths.runtimeLog, paths.usage]) : undefined;
    progress.stage = 'writing the job summary';
    if (inputs.jobSummary) {
      await writeSummary(() =>
        scanner.redactText(renderSummary(report, usage, validation, {
          ...(artifact?.status === 'uploaded' ? { artifact: { name: artifact.name, url: artifact.url } } : {}),
          ...(forwarding ? { forwarding } : {}),
          ...(sessions ? { sessions } : {}),
          comparison: compared.summaryMarkdown(report),
        })),
      );
    }
    progress.stage = 'setting the outputs';
    setOutputs(trigger, report, paths);
    progress.stage = 'recording that the run is finished';
    fs.writeFileSync(paths.finished, JSON.stringify({ finishedAt: new Date().toISOString(), trigger }), { mode: 0o600 });
    progress.stage = 'saving the record for later comparisons';
    await compared.saveRecord(report);
    reportFailures(progress);
    return compared.abandoned;
  } catch (error) {
    await failedPartWay(error, progress, { trigger, inputs, paths, scanner });
    reportFailures(progress);
    return comparison?.abandoned ?? false;
  }
}

function reportFailures(progress: FinishProgress): void {
  if (progress.failures && progress.failures.length > 0) core.setFailed(`beacon: ${progress.failures.join(' ')}`);
  if (progress.forwardingFailure) core.setFailed(progress.forwardingFailure);
}

/** A stage threw: publish what exists, then fail the step under require-telemetry (else a warning). */
async function failedPartWay(error: unknown, progress: FinishProgress, context: { trigger: FinishTrigger; inputs: FinishInputs; paths: WorkspacePaths; scanner: SecretScanner }): Promise<void> {
  const { trigger, inputs, paths, scanner } = context;
  const message = await publishWhatExists(error, progress, {
    stepName: trigger === 'post' ? 'post step' : 'finish step',
    paths,
    uploadArtifact: inputs.uploadArtifact,
    jobSummary: inputs.jobSummary,
    redact: (text) => scanner.redactText(text),
    upload: (files) => upload(paths, inputs, files),
    writeSummary: (markdown) => writeSummary(() => markdown),
    warn: (text) => core.warning(`beacon: ${text}`),
  });
  if (inputs.requireTelemetry) core.setFailed(message);
  else core.warning(message);
}

/**
 * Stop: the collector is asked to stop (or found gone). Also when it last wrote, read before the
 * runtime log is made of its capture (which changes the capture's time).
 */
async function stopTheCollector(paths: WorkspacePaths, run: RunFile | undefined, collectorConfig: CollectorConfig | undefined): Promise<{ outcome: StopOutcome; lastWrite: string | undefined }> {
  const outcome = await stopCollector({
    config: collectorConfig,
    ready: readJson<ReadyFile>(paths.ready),
    script: run?.collector.script,
    instance: run?.collector.instance,
  });
  describeStop(outcome);
  let lastWrite: number | undefined;
  for (const file of [paths.capture, paths.tokenPoints]) {
    try {
      lastWrite = Math.max(lastWrite ?? 0, fs.statSync(file).mtimeMs);
    } catch {
      // not written
    }
  }
  return { outcome, lastWrite: lastWrite === undefined ? undefined : isoUtc(lastWrite) };
}

interface RuntimeLogInputs {
  paths: WorkspacePaths;
  run: RunFile;
  collectorConfig: CollectorConfig | undefined;
  outcome: StopOutcome;
  usageSeries: UsageSeriesBuilder | undefined;
  scanner: SecretScanner;
}

/**
 * The runtime log and the report of its events, with the session files read between its stages
 * (account-usage/process-capture.ts). A collector left running may still write: then the log is
 * a copy of what was read, not the capture itself.
 */
async function buildRuntimeLog({ paths, run, collectorConfig, outcome, usageSeries, scanner }: RuntimeLogInputs): Promise<{ report: RunReport; sessions: SessionReconciliation | undefined }> {
  const reader = sessionReaderFor(CODEX_HARNESS);
  const attribution = collectorConfig?.attribution ?? redactDeep(attributionFromEnv(process.env));
  const { report, sessions } = await writeRuntimeLogWithReport(
    {
      capturePath: paths.capture,
      tokenPath: paths.tokenPoints,
      logPath: paths.runtimeLog,
      linkCapture: outcome.status !== 'left-alone',
      secretScan: scanner,
      ...(usageSeries ? { onTokenEvent: (event: Record<string, any>) => usageSeries.add(event) } : {}),
    },
    reader ? { reader, home: run.codexHome, since: new Date(run.startedAt), attribution } : undefined,
  );
  return { report, sessions };
}

/** The job summary; a summary that cannot be written is a warning, never a failure. */
async function writeSummary(render: () => string | Promise<string>): Promise<void> {
  try {
    await core.summary.addRaw(await render()).write();
  } catch (error) {
    core.warning(`beacon: the job summary could not be written: ${(error as Error).message}`);
  }
}

/** The log line with the totals; in a `mode: finish` step, the token numbers as step outputs. */
function setOutputs(trigger: FinishTrigger, report: RunReport, paths: WorkspacePaths): void {
  const total = report.usage.total;
  core.info(`beacon: ${report.events} events, ${totalTokens(total)} tokens (input ${total.input_tokens}, cached ${total.cache_read_input_tokens}, output ${total.output_tokens}, reasoning ${total.reasoning_output_tokens}). Log: ${paths.runtimeLog}`);
  core.setOutput('log-path', paths.runtimeLog);
  if (trigger !== 'finish-step') return;
  core.setOutput('input-tokens', String(total.input_tokens));
  core.setOutput('cached-input-tokens', String(total.cache_read_input_tokens));
  core.setOutput('output-tokens', String(total.output_tokens));
  core.setOutput('reasoning-output-tokens', String(total.reasoning_output_tokens));
  core.setOutput('total-tokens', String(totalTokens(total)));
  core.setOutput('events', String(report.events));
  core.setOutput('usage-json', paths.usage);
}

/** With forward-endpoint: the token metrics go out now; what was lost is a warning, or a failure under forward-required. */
async function forward(config: ForwardConfig, attribution: Attribution, stats: CollectorStats | undefined, usage: UsageSeries[]): Promise<ForwardingReport> {
  const report = await forwardRun({ config, attribution, usage, collectorStats: stats });
  const events = report.logs ? `${report.logs.recordsSent} events in ${report.logs.batchesSent} batches (${report.logs.retries} retries)` : 'an unknown number of events';
  core.info(`beacon: forwarded to ${report.endpoint}: ${events}; token metrics: ${report.metrics.status} (${report.metrics.dataPoints} data points, ${report.metrics.durationMs} ms).`);
  if (!report.required) for (const problem of report.problems) core.warning(`beacon: forwarding: ${problemText(problem)}.`);
  return report;
}

async function upload(paths: WorkspacePaths, inputs: FinishInputs, files: string[]): Promise<RuntimeArtifactResult> {
  const result = await uploadRuntimeArtifact({
    name: inputs.artifactName ?? defaultArtifactName(process.env),
    files: files.filter((file) => fs.existsSync(file)),
    rootDirectory: paths.workDir,
    retentionDays: inputs.retentionDays,
    log: { info: core.info, warning: core.warning },
  });
  if (result.status === 'failed') core.warning(`beacon: the artifact was not uploaded: ${result.reason}`);
  if (result.status === 'skipped') core.info(`beacon: no artifact upload: ${result.reason}.`);
  return result;
}

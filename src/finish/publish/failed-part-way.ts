import fs from 'node:fs';
import path from 'node:path';
import type { WorkspacePaths } from '../../handoff/workspace.js';
import { codeSpan } from '../markdown.js';
import { restoreLinkedCapture } from '../runtime-log/capture-link.js';
import type { RuntimeArtifactResult } from './artifact.js';

/**
 * When a stage of the finish throws (a full disk, a bug), what reached us is still published:
 * what exists is uploaded and the summary says what failed and why.
 */

/** Where the finish got to, for a stage that throws. */
export interface FinishProgress {
  /** What was being done, in words for a sentence: "the post step failed while <stage>". */
  stage: string;
  /** The runtime log was written to its end: it, not the raw capture, is what to upload. */
  runtimeLogComplete: boolean;
  /** The artifact upload was tried already (it never throws; a second try would only be renamed). */
  artifactAttempted: boolean;
  /** The run's own failures (validation under require-telemetry, forward-required), reported whatever happens after. */
  failures?: string[];
  forwardingFailure?: string;
}

/** What publishing after a failure needs from the step. */
export interface FallbackContext {
  /** `post step` or `finish step`, for our sentences. */
  stepName: string;
  paths: WorkspacePaths;
  uploadArtifact: boolean;
  jobSummary: boolean;
  /** The error text as it may be shown (secrets redacted). */
  redact: (text: string) => string | Promise<string>;
  upload: (files: string[]) => Promise<RuntimeArtifactResult>;
  writeSummary: (markdown: string) => Promise<void>;
  warn: (text: string) => void;
}

/**
 * A stage threw: upload what exists (the runtime log when it is complete, else the raw capture
 * and token file as the collector wrote them, with the usage file if it was written) and say so
 * in the summary. Returns the message the step fails (or warns) with. Nothing here throws.
 */
export async function publishWhatExists(error: unknown, progress: FinishProgress, context: FallbackContext): Promise<string> {
  const { paths, stepName: step } = context;
  const safely = <T, F>(work: () => T | Promise<T>, fallback: F) => safelyOr(work, fallback, context.warn);
  const reason = await safely(() => context.redact(errorText(error)), errorText(error));
  let uploaded: RuntimeArtifactResult | undefined;
  let files: string[] = [];
  if (context.uploadArtifact && !progress.artifactAttempted) {
    if (progress.runtimeLogComplete) {
      files = [paths.runtimeLog, paths.usage];
    } else {
      // A log linked to the capture may have had token events appended part way: cut them off
      // again, so that the capture uploaded is what the collector wrote.
      await safely(() => restoreLinkedCapture(paths.capture, paths.captureLink), undefined);
      files = [paths.capture, paths.tokenPoints, paths.usage];
    }
    files = files.filter(isFile);
    uploaded = await safely(() => context.upload(files), undefined);
  }
  if (context.jobSummary) {
    const lines = [`## Beacon: the ${step} failed`, '', `The ${step} failed while ${progress.stage}: ${codeSpan(reason)}`, ''];
    if (uploaded?.status === 'uploaded') {
      const what = progress.runtimeLogComplete ? 'The runtime log, complete before the failure,' : 'The raw capture, as the collector wrote it,';
      lines.push(`${what} was uploaded as the artifact ${codeSpan(uploaded.name)}: ${files.map((file) => codeSpan(path.relative(paths.workDir, file))).join(', ')}.`, '');
    } else if (progress.artifactAttempted) {
      lines.push('The artifact upload was tried before the failure (see the step log).', '');
    } else {
      lines.push(`Nothing was uploaded; the files written so far are in ${codeSpan(paths.workDir)} for the rest of this job.`, '');
    }
    await context.writeSummary(lines.join('\n'));
  }
  return `beacon: the ${step} failed while ${progress.stage}: ${reason}`;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim() || (error instanceof Error ? error.name : 'an unknown error');
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function safelyOr<T, F>(work: () => T | Promise<T>, fallback: F, warn: (text: string) => void): Promise<T | F> {
  try {
    return await work();
  } catch (error) {
    warn(errorText(error));
    return fallback;
  }
}

import fs from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { checkForwardEndpoint, parseForwardHeaders } from './forward/endpoint.js';

/**
 * The action's inputs (action.yml), read and checked in one place. A wrong value fails the step
 * with a message that names the input and the value.
 */

export type InputReader = (name: string) => string;

export class InputError extends Error {
  override name = 'InputError';
}

export interface StartInputs {
  includeCodexSpans: boolean;
  logUserPrompt: boolean;
  otelProtocol: 'binary' | 'json';
  environment: string;
  codexHome?: string;
  codexConfig?: string;
  exportEnv: boolean;
  /** Set when `forward-endpoint` is. */
  forward?: ForwardInputs;
}

export interface ForwardInputs {
  endpoint: string;
  headers: Record<string, string>;
  required: boolean;
}

export interface FinishInputs {
  mode: 'start' | 'finish';
  minEvents: number;
  requireTelemetry: boolean;
  uploadArtifact: boolean;
  artifactName?: string;
  retentionDays?: number;
  jobSummary: boolean;
  /** Compare with the previous run through the Actions cache; set only when the input is (unset means on). */
  compare?: boolean;
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function booleanInput(read: InputReader, name: string, fallback: boolean): boolean {
  const value = read(name).trim();
  if (value === '') return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new InputError(`Input "${name}" must be true or false, got "${value}".`);
}

function oneOf<T extends string>(read: InputReader, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(name).trim();
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`Input "${name}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${value}".`);
}

function integerInput(read: InputReader, name: string, min: number, max: number): number | undefined {
  const value = read(name).trim();
  if (value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(`Input "${name}" must be a whole number from ${min} to ${max}, got "${value}".`);
  }
  return Number(value);
}

// Characters the artifact service refuses in names.
const BAD_ARTIFACT_NAME = /[":<>|*?\r\n\\/]/;

export function readStartInputs(read: InputReader): StartInputs {
  const inputs: StartInputs = {
    includeCodexSpans: booleanInput(read, 'include-codex-spans', false),
    logUserPrompt: booleanInput(read, 'log-user-prompt', false),
    otelProtocol: oneOf(read, 'otel-protocol', ['binary', 'json'] as const, 'binary'),
    environment: read('environment').trim() || 'ci',
    exportEnv: booleanInput(read, 'export-env', true),
  };
  const codexHome = read('codex-home').trim();
  if (codexHome) {
    if (fs.existsSync(codexHome) && !fs.statSync(codexHome).isDirectory()) {
      throw new InputError(`Input "codex-home" must be a folder, got "${codexHome}", which is a file.`);
    }
    inputs.codexHome = codexHome;
  }
  const codexConfig = read('codex-config').trim();
  if (codexConfig) {
    let text: string;
    try {
      text = fs.readFileSync(codexConfig, 'utf8');
    } catch (error) {
      throw new InputError(`Input "codex-config" names "${codexConfig}", which cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    try {
      parseToml(text);
    } catch (error) {
      throw new InputError(`Input "codex-config" names "${codexConfig}", which is not valid TOML: ${firstLine((error as Error).message)}`);
    }
    inputs.codexConfig = codexConfig;
  }
  const forward = readForwardInputs(read);
  if (forward) inputs.forward = forward;
  return inputs;
}

/** forward-endpoint, forward-headers, forward-required. A header value is never repeated in an error. */
function readForwardInputs(read: InputReader): ForwardInputs | undefined {
  const required = booleanInput(read, 'forward-required', false);
  const endpointText = read('forward-endpoint').trim();
  // Without an endpoint nothing is forwarded, whatever the headers say.
  if (!endpointText) {
    if (required) throw new InputError('Input "forward-required" is true, but "forward-endpoint" is empty.');
    return undefined;
  }
  const endpoint = checkForwardEndpoint(endpointText);
  if ('problem' in endpoint) throw new InputError(`Input "forward-endpoint" ${endpoint.problem}.`);
  const headers = parseForwardHeaders(read('forward-headers'));
  if ('problem' in headers) throw new InputError(`Input "forward-headers" ${headers.problem}.`);
  return { endpoint: endpoint.value, headers: headers.value, required };
}

export function readFinishInputs(read: InputReader): FinishInputs {
  const inputs: FinishInputs = {
    mode: oneOf(read, 'mode', ['start', 'finish'] as const, 'start'),
    minEvents: integerInput(read, 'min-events', 0, 1_000_000_000) ?? 1,
    requireTelemetry: booleanInput(read, 'require-telemetry', true),
    uploadArtifact: booleanInput(read, 'upload-artifact', true),
    jobSummary: booleanInput(read, 'job-summary', true),
  };
  if (read('compare').trim() !== '') inputs.compare = booleanInput(read, 'compare', true);
  const retention = integerInput(read, 'retention-days', 1, 90);
  if (retention !== undefined) inputs.retentionDays = retention;
  const artifactName = read('artifact-name').trim();
  if (artifactName) {
    if (BAD_ARTIFACT_NAME.test(artifactName)) {
      throw new InputError(`Input "artifact-name" must not contain any of " : < > | * ? \\ / or line breaks, got "${artifactName}".`);
    }
    inputs.artifactName = artifactName;
  }
  return inputs;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

import fs from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';

/**
 * The few runner commands the main step needs (outputs, state, env, masking, log lines), written
 * exactly as @actions/core writes them. The main step is on every job's critical path, and
 * loading @actions/core costs ~85 ms here (it bundles its HTTP client for OIDC, ~1 MB of code);
 * the main step loads it only to fail (`setFailed`) or to run a `mode: finish` use.
 */

export interface RunnerCommands {
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  warning(message: string): void;
}

/** `name<<DELIMITER\nvalue\nDELIMITER\n`, as @actions/core's prepareKeyValueMessage. */
function appendKeyValue(fileVariable: string, name: string, value: string): boolean {
  const file = process.env[fileVariable];
  if (!file) return false;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`Unexpected input: the value of ${name} contains the delimiter`);
  fs.appendFileSync(file, `${name}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}${os.EOL}`, { encoding: 'utf8' });
  return true;
}

/** Workflow command data escaping (`%`, CR, LF), as @actions/core's escapeData. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function issue(command: string, message: string): void {
  process.stdout.write(`::${command}::${escapeData(message)}${os.EOL}`);
}

export const runnerCommands: RunnerCommands = {
  setOutput(name, value) {
    if (!appendKeyValue('GITHUB_OUTPUT', name, value)) process.stdout.write(`${os.EOL}::set-output name=${name}::${escapeData(value)}${os.EOL}`);
  },
  saveState(name, value) {
    if (!appendKeyValue('GITHUB_STATE', name, value)) process.stdout.write(`::save-state name=${name}::${escapeData(value)}${os.EOL}`);
  },
  exportVariable(name, value) {
    process.env[name] = value;
    if (!appendKeyValue('GITHUB_ENV', name, value)) process.stdout.write(`::set-env name=${name}::${escapeData(value)}${os.EOL}`);
  },
  setSecret(value) {
    issue('add-mask', value);
  },
  info(message) {
    process.stdout.write(message + os.EOL);
  },
  warning(message) {
    issue('warning', message);
  },
};

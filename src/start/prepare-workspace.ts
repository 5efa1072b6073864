import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workspacePaths, type WorkspacePaths } from '../handoff/workspace.js';

/**
 * A fresh private working folder under RUNNER_TEMP (the OS temp folder outside Actions).
 * 0711: other users may reach CODEX_HOME inside it (openai/codex-action can run Codex as an
 * unprivileged user) but cannot list it; everything else in it is 0600.
 */
export function createWorkspace(env: NodeJS.ProcessEnv): WorkspacePaths {
  const parent = env.RUNNER_TEMP || os.tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(parent, 'beacon-'));
  fs.chmodSync(workDir, 0o711);
  return workspacePaths(workDir);
}

/** CODEX_HOME must exist before Codex starts and be readable by the user who runs Codex. */
export function ensureCodexHome(codexHome: string): void {
  fs.mkdirSync(codexHome, { recursive: true, mode: 0o755 });
}

export function writePrivateJson(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
}

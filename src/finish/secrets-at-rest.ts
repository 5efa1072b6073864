import fs from 'node:fs';
import path from 'node:path';
import type { WorkspacePaths } from '../handoff/workspace.js';

/**
 * The end of the finish: what still holds a secret of the run is no longer needed, so it goes.
 * collector.json holds both secrets and the `forward-headers` values in clear text: removed.
 * CODEX_HOME's config.toml holds the telemetry secret: taken out, the rest of the file (the
 * user's settings, its mode) kept as it is. run.json holds none. Never throws, and finds nothing
 * to do a second time (a post step after a `mode: finish` step, or run again).
 */
export function removeSecretsAtRest(paths: WorkspacePaths, run: { telemetrySecret: string | undefined; codexHome: string }, warn: (message: string) => void): void {
  const secret = run.telemetrySecret;
  if (secret) {
    const codexConfig = path.join(run.codexHome, 'config.toml');
    try {
      const text = fs.readFileSync(codexConfig, 'utf8');
      // Written in place: the file keeps its owner and mode.
      if (text.includes(secret)) fs.writeFileSync(codexConfig, text.split(secret).join(''));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`the telemetry secret could not be taken out of ${codexConfig}: ${(error as Error).message}`);
    }
  }
  try {
    fs.rmSync(paths.collectorConfig, { force: true });
  } catch (error) {
    warn(`${paths.collectorConfig}, which holds the run's secrets, could not be removed: ${(error as Error).message}`);
  }
}

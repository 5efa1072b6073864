import path from 'node:path';

/** What to put in the start step's working folder the moment it exists (paths relative to it). */
export type WorkDirSpoiler = { mkdir: string } | { symlink: { path: string; target: string } };

/**
 * The environment for a start step (`runner.main({ env })`) that spoils its own working folder as
 * soon as it creates it (./preload/spoil-work-dir.cjs), on every OS and without a race. Neither
 * variable reaches the collector (its environment is an allowlist).
 */
export function spoilWorkDir(spoiler: WorkDirSpoiler): Record<string, string> {
  const preload = path.join(import.meta.dirname, 'preload', 'spoil-work-dir.cjs');
  // Quoted as NODE_OPTIONS reads it (a backslash escapes inside double quotes): JSON's form.
  return { NODE_OPTIONS: `--require ${JSON.stringify(preload)}`, BEACON_TEST_SPOIL_WORK_DIR: JSON.stringify(spoiler) };
}

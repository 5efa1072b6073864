import path from 'node:path';

/**
 * The private working folder of one use of the action, and what lives in it. The start step
 * creates it; the post step (or a later `mode: finish` step) finds it through state or
 * `BEACON_WORK_DIR`, and reads `run.json` there.
 */
export const WORK_DIR_ENV = 'BEACON_WORK_DIR';

export function workspacePaths(workDir: string) {
  return {
    workDir,
    runFile: path.join(workDir, 'run.json'),
    collectorConfig: path.join(workDir, 'collector.json'),
    ready: path.join(workDir, 'collector-ready.json'),
    collectorLog: path.join(workDir, 'collector.log'),
    capture: path.join(workDir, 'capture.jsonl'),
    ...captureCompanions(path.join(workDir, 'capture.jsonl')),
    stats: path.join(workDir, 'collector-stats.json'),
    runtimeLog: path.join(workDir, 'beacon-runtime.jsonl'),
    usage: path.join(workDir, 'beacon-usage.json'),
    finished: path.join(workDir, 'finished.json'),
    codexHome: path.join(workDir, 'codex-home'),
  };
}

/**
 * The files that go with a capture. `tokenPoints`: the collector writes its `token.usage` events
 * there, not in the capture, so that the post step can make the capture itself the runtime log
 * (a hard link, no copy) and append the normalized token events after it. `captureLink`: written
 * by the post step before it links, so that a second pass can cut those appended lines off again.
 * `suspectLines`: the byte offsets of the capture lines that may hold a secret (one decimal a
 * line), noted by the collector as it writes them, so that the post step scans only those lines.
 */
export function captureCompanions(capturePath: string): { tokenPoints: string; captureLink: string; suspectLines: string } {
  const stem = capturePath.endsWith('.jsonl') ? capturePath.slice(0, -'.jsonl'.length) : capturePath;
  return { tokenPoints: `${stem}.tokens.jsonl`, captureLink: `${stem}.link.json`, suspectLines: `${stem}.suspect-lines` };
}

export type WorkspacePaths = ReturnType<typeof workspacePaths>;

/**
 * What the start step leaves for the finish side (run.json). It holds no secret: the telemetry
 * secret is in CODEX_HOME's config.toml, the control secret in collector.json (removed, and taken
 * out of config.toml, by the post step once it is done).
 */
export interface RunFile {
  version: 1;
  workDir: string;
  codexHome: string;
  logPath: string;
  usagePath: string;
  /** `instance`: the random id on the collector's command line (collector-command-line.ts). */
  collector: { pid: number; port: number; endpoint: string; script: string; instance: string };
  harness: string;
  startedAt: string;
}

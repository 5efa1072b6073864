import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attributionFromEnv, ciRunFromEnv, endpointOs } from '../src/beacon/attribution.js';
import { collectorEnvironment } from '../src/start/launch-collector.js';
import { runnerCommands } from '../src/start/runner-commands.js';
import { parseCommandFile } from './support/runner.js';
import { testTempDir } from './support/temp-dir.js';

/** Code paths where runners differ (OS names, environments, command files), tested on any OS. */

describe('endpoint OS', () => {
  it.each([
    ['win32', 'windows'],
    ['darwin', 'darwin'],
    ['linux', 'linux'],
    ['freebsd', 'linux'],
  ] as const)('%s → %s', (platform, os) => expect(endpointOs(platform)).toBe(os));
});

describe("the collector's environment", () => {
  it('keeps what Node needs on each OS and the tracking id, and nothing else', () => {
    const env = {
      PATH: '/usr/bin',
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
      TEMP: 'C:\\Temp',
      RUNNER_TRACKING_ID: 'github_1',
      ACTIONS_RUNTIME_TOKEN: 'x',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'y',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'z',
      ACTIONS_RESULTS_URL: 'u',
      GITHUB_TOKEN: 't',
      'INPUT_LOG-USER-PROMPT': 'true',
      OPENAI_API_KEY: 'sk',
    };
    expect(collectorEnvironment(env)).toEqual({ PATH: '/usr/bin', Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', TEMP: 'C:\\Temp', RUNNER_TRACKING_ID: 'github_1' });
  });
});

describe('the CI run', () => {
  it('reads a pull request number only from a refs/pull ref of a pull_request event', () => {
    const base = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '9' };
    expect(ciRunFromEnv({ ...base, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/17/merge', GITHUB_HEAD_REF: 'feature' })).toEqual({
      provider: 'github_actions',
      run_id: '9',
      event_name: 'pull_request',
      repository: 'o/r',
      branch: 'feature',
      pr: 'https://github.com/o/r/pull/17',
      pr_number: '17',
      ephemeral: true,
    });
    expect(ciRunFromEnv({ ...base, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/pull/17/merge' })?.pr_number).toBeUndefined();
    expect(ciRunFromEnv({ CI: 'true' })).toEqual({ provider: 'ci', ephemeral: true });
    expect(ciRunFromEnv({})).toBeUndefined();
    expect(attributionFromEnv({ ...base, GITHUB_REF_NAME: 'main' }, 'host-1')).toMatchObject({ origin: 'ci', repository: 'https://github.com/o/r', branch: 'main', endpoint: { hostname: 'host-1' } });
    expect(attributionFromEnv({}, 'laptop').origin).toBe('local');
  });
});

describe('runner commands of the main step', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('writes outputs, state and env in the format @actions/core writes and the runner reads', () => {
    const dir = testTempDir('commands-');
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV']) {
      process.env[name] = path.join(dir, name);
      fs.writeFileSync(process.env[name]!, '');
    }
    const windowsPath = 'C:\\Users\\runner\\AppData\\Local\\Temp\\beacon-x\\codex-home';
    runnerCommands.setOutput('codex-home', windowsPath);
    runnerCommands.saveState('workDir', 'multi\nline');
    runnerCommands.exportVariable('CODEX_HOME', windowsPath);
    expect(parseCommandFile(fs.readFileSync(path.join(dir, 'GITHUB_OUTPUT'), 'utf8'))).toEqual({ 'codex-home': windowsPath });
    expect(parseCommandFile(fs.readFileSync(path.join(dir, 'GITHUB_STATE'), 'utf8'))).toEqual({ workDir: 'multi\nline' });
    expect(parseCommandFile(fs.readFileSync(path.join(dir, 'GITHUB_ENV'), 'utf8'))).toEqual({ CODEX_HOME: windowsPath });
    expect(process.env.CODEX_HOME).toBe(windowsPath);
    expect(fs.readFileSync(path.join(dir, 'GITHUB_OUTPUT'), 'utf8')).toMatch(new RegExp(`^codex-home<<ghadelimiter_[0-9a-f-]{36}${os.EOL.replace('\r', '\\r')}`));
  });
});

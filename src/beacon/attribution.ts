import os from 'node:os';
import type { Attribution, CiRun, EndpointOs } from './event.js';

type Env = Record<string, string | undefined>;

export function endpointOs(platform: NodeJS.Platform = process.platform): EndpointOs {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'darwin';
  return 'linux';
}

/** `refs/pull/123/merge` → `123`. */
function pullRequestNumber(ref: string | undefined): string | undefined {
  return /^refs\/pull\/(\d+)\//.exec(ref ?? '')?.[1];
}

/** The CI run as the schema page defines it, from the runner's variables. */
export function ciRunFromEnv(env: Env): CiRun | undefined {
  if (env.GITHUB_ACTIONS === 'true') {
    const run: CiRun = { provider: 'github_actions', ephemeral: true };
    const set = (key: Exclude<keyof CiRun, 'ephemeral' | 'provider'>, value: string | undefined) => {
      if (value) run[key] = value;
    };
    set('run_id', env.GITHUB_RUN_ID);
    set('run_attempt', env.GITHUB_RUN_ATTEMPT);
    set('workflow', env.GITHUB_WORKFLOW);
    set('job', env.GITHUB_JOB);
    set('event_name', env.GITHUB_EVENT_NAME);
    set('commit', env.GITHUB_SHA);
    set('repository', env.GITHUB_REPOSITORY);
    set('branch', env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME);
    set('actor', env.GITHUB_ACTOR);
    const isPullRequest = env.GITHUB_EVENT_NAME === 'pull_request' || env.GITHUB_EVENT_NAME === 'pull_request_target';
    const prNumber = isPullRequest ? pullRequestNumber(env.GITHUB_REF) : undefined;
    if (prNumber) {
      run.pr = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/pull/${prNumber}`;
      run.pr_number = prNumber;
    }
    return run;
  }
  if (env.CI) return { provider: 'ci', ephemeral: true };
  return undefined;
}

export function attributionFromEnv(env: Env, hostname = os.hostname()): Attribution {
  const run = ciRunFromEnv(env);
  const attribution: Attribution = { endpoint: { hostname, os: endpointOs() } };
  if (run) {
    attribution.origin = 'ci';
    attribution.run = run;
  } else {
    attribution.origin = 'local';
  }
  if (env.GITHUB_REPOSITORY) {
    attribution.repository = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}`;
  }
  const branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME;
  if (branch) attribution.branch = branch;
  return attribution;
}

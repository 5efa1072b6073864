// Runs after the action's post step (post steps run last-in, first-out) in the same job, and checks
// that the post step finished the capture and wrote the job summary.
//
// A step cannot read another step's GITHUB_STEP_SUMMARY file through the toolkit. The runner keeps
// each step's summary beside this step's own, in its file-command folder (RUNNER_TEMP/
// _runner_file_commands): the file it attaches to the job is `step_summary_<step id>-scrubbed`,
// the summary with registered secrets masked, and it is left there until the job ends
// (actions/runner FileCommandManager.cs, CreateStepSummaryCommand). So the summary the runner
// received from the action's post step is read from there.
import fs from 'node:fs';
import path from 'node:path';
import { checkCaptureFolder, checkSummary, endpointOsOf, ranCodexVersion, report } from '../check.mjs';

const SUMMARY_HEADING = '## Codex telemetry';

function finishedCaptureProblems(workDir) {
  if (!workDir) return ['BEACON_WORK_DIR is not set: the action\'s start step did not export it (did it run before this step?)'];
  const finishedPath = path.join(workDir, 'finished.json');
  if (!fs.existsSync(finishedPath)) return [`${finishedPath} does not exist: the action's post step did not finish (it writes this file last)`];
  const trigger = JSON.parse(fs.readFileSync(finishedPath, 'utf8')).trigger;
  return trigger === 'post' ? [] : [`${finishedPath} says the capture was finished by "${trigger}", expected the post step ("post")`];
}

/** Step summaries the runner holds from earlier steps of this job that are the action's. */
function beaconSummaries(ownSummaryPath) {
  const folder = path.dirname(ownSummaryPath);
  const own = path.basename(ownSummaryPath);
  return fs
    .readdirSync(folder)
    .filter((name) => name.startsWith('step_summary_') && !name.startsWith(own))
    .map((name) => ({ name, text: fs.readFileSync(path.join(folder, name), 'utf8') }))
    .filter((file) => file.text.includes(SUMMARY_HEADING));
}

async function main() {
  const env = process.env;
  const problems = finishedCaptureProblems(env.BEACON_WORK_DIR);
  if (problems.length === 0) {
    problems.push(...(await checkCaptureFolder(env.BEACON_WORK_DIR, { endpointOs: endpointOsOf(process.platform), job: env.GITHUB_JOB, env })));
  }

  let found = [];
  if (!env.GITHUB_STEP_SUMMARY) {
    problems.push('GITHUB_STEP_SUMMARY is not set: not a step of a GitHub Actions job');
  } else {
    found = beaconSummaries(env.GITHUB_STEP_SUMMARY);
    if (found.length === 0) {
      problems.push(`no step summary beside ${env.GITHUB_STEP_SUMMARY} holds "${SUMMARY_HEADING}": the action's post step wrote no job summary (or this runner no longer keeps step summaries there)`);
    }
    const codexVersion = await ranCodexVersion();
    for (const file of found) problems.push(...checkSummary(file.text, codexVersion).map((problem) => `${file.name}: ${problem}`));
  }

  if (!report('post probe', problems)) return 1;
  const names = found.map((file) => file.name).join(', ');
  console.log(`self-test: the action's post step finished the capture in ${env.BEACON_WORK_DIR} and wrote its job summary (${names}).`);
  fs.appendFileSync(env.GITHUB_STEP_SUMMARY, `### Self-test post probe\n\nThe action's post step ran after every other step, finished the capture and wrote the job summary above; all of it was checked.\n`);
  return 0;
}

process.exitCode = await main();

// Preloaded into the built start step (NODE_OPTIONS=--require, see ../spoil-work-dir.ts) by tests
// that need its working folder spoiled the moment the step creates it, before it writes anything
// there. Watching RUNNER_TEMP for the folder instead races the step, on a busy machine and on macOS,
// which reports changes tens of milliseconds late. BEACON_TEST_SPOIL_WORK_DIR says what to put in it:
//   {"mkdir": "<relative path>"}                               a folder, e.g. where the step will write a file
//   {"symlink": {"path": "<relative path>", "target": "..."}}  a link, e.g. a dangling one
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const plan = JSON.parse(process.env.BEACON_TEST_SPOIL_WORK_DIR);
const mkdtempSync = fs.mkdtempSync;
let done = false;
fs.mkdtempSync = function spoilingMkdtempSync(prefix, ...rest) {
  const dir = mkdtempSync.call(this, prefix, ...rest);
  // The step's working folder (src/start/prepare-workspace.ts): `beacon-` and six characters in RUNNER_TEMP.
  if (!done && path.basename(prefix) === 'beacon-') {
    done = true;
    if (plan.mkdir) fs.mkdirSync(path.join(dir, plan.mkdir), { recursive: true });
    if (plan.symlink) fs.symlinkSync(plan.symlink.target, path.join(dir, plan.symlink.path));
  }
  return dir;
};

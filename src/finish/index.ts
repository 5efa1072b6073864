/** Entry of the post step (`dist/finish/index.js`). */
import * as core from '@actions/core';
import { finishCapture } from './main.js';

finishCapture('post').catch((error: unknown) => {
  // The post step never fails a job for a reason the user cannot act on.
  core.warning(`beacon: the post step could not finish: ${(error as Error).message}`);
});

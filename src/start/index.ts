/** Entry of the main step (`dist/start/index.js`). */
import * as core from '@actions/core';
import { readFinishInputs } from '../inputs.js';
import { startCapture } from './main.js';

async function main(): Promise<void> {
  try {
    if (readFinishInputs(core.getInput).mode === 'finish') {
      // A later use of the action with `mode: finish`: loaded only then, so start stays small and fast.
      const { finishCapture } = await import('../finish/main.js');
      await finishCapture('finish-step');
    } else {
      await startCapture();
    }
  } catch (error) {
    core.setFailed((error as Error).message);
  }
}

void main();

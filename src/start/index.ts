/**
 * Entry of the main step (`dist/start/index.js`). It imports no @actions/* statically (see
 * runner-commands.ts): @actions/core is a chunk of its own, loaded only to fail the step or for a
 * `mode: finish` use.
 */
import { readFinishInputs, type InputReader } from '../inputs.js';
import { startCapture } from './main.js';

/** What `core.getInput` does: `INPUT_<NAME>` with spaces as underscores, upper case, trimmed. */
const readInput: InputReader = (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
const loadCore = () => import('@actions/core');

async function main(): Promise<void> {
  try {
    // The post step's inputs are checked here too: a wrong value fails now, not at the end.
    if (readFinishInputs(readInput).mode === 'finish') {
      // A later use of the action with `mode: finish`: loaded only then, so start stays small and fast.
      const { finishCapture } = await import('../finish/main.js');
      await finishCapture('finish-step');
    } else {
      await startCapture(readInput);
    }
  } catch (error) {
    (await loadCore()).setFailed((error as Error).message);
  }
}

void main();

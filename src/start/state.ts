/** Names of the values the main step saves for its own post step (`core.saveState`). */
export const STATE_WORK_DIR = 'workDir';
/** `start`, or `finish-step` for a `mode: finish` use whose post step must do nothing. */
export const STATE_ROLE = 'role';

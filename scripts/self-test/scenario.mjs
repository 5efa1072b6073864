// What the self-test workflow (.github/workflows/self-test.yml) asks of Codex, shared by the step
// that runs Codex (run-codex.mjs) and the checks of what the action made of it (check.mjs).

export const MODEL = 'gpt-5.5';
// Plain enough for bash, zsh and PowerShell alike (Codex on Windows runs it in PowerShell).
export const COMMAND = 'echo beacon-self-test-ok';
export const COMMAND_OUTPUT = 'beacon-self-test-ok';
export const FINAL_ANSWER = 'The self-test command ran.';
// A phrase found nowhere else, so a prompt that leaks into the log or summary is visible.
export const PROMPT_MARKER = 'otter-basalt-2291';
export const PROMPT = `Run the self-test echo for ticket ${PROMPT_MARKER}, then report back.`;

// Distinct numbers per call, so a total that dropped or doubled a call cannot match by accident.
export const CALLS = [
  { kind: 'tool_call', command: COMMAND, usage: { input: 3120, cached: 2048, output: 180, reasoning: 64, total: 3300 } },
  { kind: 'final_answer', text: FINAL_ANSWER, usage: { input: 3410, cached: 3072, output: 75, reasoning: 25, total: 3485 } },
];

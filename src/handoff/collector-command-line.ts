/**
 * How the collector gets its config, and how the post step tells it from any other process. Its
 * command line names no path into the private working folder and holds no secret:
 * - `--config-fd=N` (Linux, macOS): the start step opens collector.json and the collector inherits
 *   it as file descriptor N;
 * - `--config-ipc`: the start step sends the file's text over the IPC channel (Windows, whose
 *   handles are not inherited by number), before the listening socket (listen-socket.ts);
 * - a plain path argument: the collector reads that file (the tests and benchmarks that run it alone).
 * `--instance=ID` is a random id of the run, not a secret: the post step finds it in run.json and
 * on the command line of the process it is about to stop, so that a reused pid is told apart.
 */

import { fdArgument } from './listen-socket.js';

export const CONFIG_FD_FLAG = '--config-fd=';
export const CONFIG_IPC_FLAG = '--config-ipc';
const INSTANCE_FLAG = '--instance=';
/** Sent over IPC with the config's JSON text: `{ type: CONFIG_MESSAGE, text }`. */
export const CONFIG_MESSAGE = 'beacon:config';

export type ConfigSource = { kind: 'fd'; fd: number } | { kind: 'ipc' } | { kind: 'path'; path: string };

/** The instance argument of a run's collector, as its command line shows it. */
export function instanceArgument(instance: string): string {
  return `${INSTANCE_FLAG}${instance}`;
}

export function configSourceOf(args: readonly string[]): ConfigSource {
  for (const arg of args) {
    if (arg === CONFIG_IPC_FLAG) return { kind: 'ipc' };
    const fd = fdArgument(arg, CONFIG_FD_FLAG);
    if (fd !== undefined) return { kind: 'fd', fd };
  }
  const path = args.find((arg) => !arg.startsWith('--'));
  if (path === undefined) throw new Error(`usage: collector (<config.json> | ${CONFIG_FD_FLAG}N | ${CONFIG_IPC_FLAG}) [--listen-fd=N | --listen-ipc] [${INSTANCE_FLAG}ID]`);
  return { kind: 'path', path };
}

export function isConfigMessage(message: unknown): message is { type: typeof CONFIG_MESSAGE; text: string } {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === CONFIG_MESSAGE && typeof (message as { text?: unknown }).text === 'string';
}

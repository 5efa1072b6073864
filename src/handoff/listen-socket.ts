/**
 * How the collector gets its listening socket. The start step binds 127.0.0.1:0 itself and hands
 * the bound socket to the collector, so the endpoint exists (the kernel queues connections) before
 * the collector has booted, and the step need not wait for that boot. The collector's arguments
 * say which way it came (its config comes its own way: collector-command-line.ts):
 * - `--listen-fd=N` (Linux, macOS): inherited as file descriptor N at spawn;
 * - `--listen-ipc`: sent over the IPC channel (Windows, where a socket cannot be inherited as a
 *   descriptor); the collector answers LISTENING_MESSAGE once it serves it;
 * - neither: the collector binds `config.port` itself (the tests and benchmarks that run it alone).
 */

export const LISTEN_FD_FLAG = '--listen-fd=';
export const LISTEN_IPC_FLAG = '--listen-ipc';
/** Sent with the socket over IPC. */
export const LISTEN_MESSAGE = 'beacon:listen';
/** The collector's answer over IPC once it accepts on the socket it was sent. */
export const LISTENING_MESSAGE = 'beacon:listening';

export type ListenSource = { kind: 'fd'; fd: number } | { kind: 'ipc' } | { kind: 'own-port' };

export function listenSourceOf(args: readonly string[]): ListenSource {
  for (const arg of args) {
    if (arg === LISTEN_IPC_FLAG) return { kind: 'ipc' };
    const fd = fdArgument(arg, LISTEN_FD_FLAG);
    if (fd !== undefined) return { kind: 'fd', fd };
  }
  return { kind: 'own-port' };
}

/** N of an argument `<flag>N`: a descriptor from 3 up (after stdin, stdout, stderr); undefined for another argument. */
export function fdArgument(arg: string, flag: string): number | undefined {
  if (!arg.startsWith(flag)) return undefined;
  const fd = Number(arg.slice(flag.length));
  if (!Number.isInteger(fd) || fd < 3) throw new Error(`bad argument ${arg}: expected a file descriptor from 3 up`);
  return fd;
}

/**
 * How the collector gets its listening socket. The start step binds 127.0.0.1:0 itself and hands
 * the bound socket to the collector, so the endpoint exists (the kernel queues connections) before
 * the collector has booted, and the step need not wait for that boot. The collector's arguments
 * after its config path say which way it came:
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
    if (arg.startsWith(LISTEN_FD_FLAG)) {
      const fd = Number(arg.slice(LISTEN_FD_FLAG.length));
      if (!Number.isInteger(fd) || fd < 3) throw new Error(`bad argument ${arg}: expected a file descriptor from 3 up`);
      return { kind: 'fd', fd };
    }
  }
  return { kind: 'own-port' };
}

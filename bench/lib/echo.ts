/** The baseline receiver (echo-server.mjs) as its own process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { NODE } from './env.js';

/** How long a stopping echo server gets to exit by itself. */
const STOP_GRACE_MS = 5_000;

export interface EchoServer {
  port: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startEchoServer(): Promise<EchoServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [path.join(import.meta.dirname, 'echo-server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let out = '';
    child.once('error', reject);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!out.includes('\n')) return;
      const { port, pid } = JSON.parse(out.split('\n')[0]!) as { port: number; pid: number };
      resolve({
        port,
        pid,
        child,
        stop: async () => {
          child.stdin!.end();
          // Node has been seen to hang at exit, joining one of its own threads: a row must not wait on that.
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(kill);
        },
      });
    });
  });
}

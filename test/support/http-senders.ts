import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { CollectorConfig } from '../../src/handoff/collector-config.js';
import { instanceArgument } from '../../src/handoff/collector-command-line.js';
import { workspacePaths, type RunFile } from '../../src/handoff/workspace.js';

/** Senders and probes for the reliability and security tests: real sockets on 127.0.0.1. */

export interface Outcome {
  /** HTTP status, when an answer came. */
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: Buffer;
  /** The socket error (ECONNREFUSED, ECONNRESET, ...) when no answer came. */
  error?: string;
  ms: number;
}

/** How `KeepAliveSender.sendInParts` writes a body. */
export interface PartOptions {
  /** Writes of about equal size the body is cut into. */
  parts: number;
  /** Waited for after the first part is written. */
  afterFirstPart?: () => Promise<void>;
  /** Pause between later parts, in ms (default 1). */
  pauseMs?: number;
  /** Send without content-length (chunked transfer encoding). */
  chunked?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One keep-alive connection at a time, like an OTLP exporter's client; never rejects. */
export class KeepAliveSender {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    readonly port: number,
    readonly host = '127.0.0.1',
  ) {}

  send(urlPath: string, headers: Record<string, string>, body: Buffer, timeoutMs = 20_000): Promise<Outcome> {
    return this.request(urlPath, { ...headers, 'content-length': String(body.length) }, timeoutMs, (req) => void req.end(body));
  }

  /** The body in slow parts, so that the server reads it in many chunks. */
  sendInParts(urlPath: string, headers: Record<string, string>, body: Buffer, options: PartOptions, timeoutMs = 20_000): Promise<Outcome> {
    const partBytes = Math.ceil(body.length / options.parts);
    const sized = options.chunked ? headers : { ...headers, 'content-length': String(body.length) };
    return this.request(urlPath, sized, timeoutMs, async (req, settled) => {
      for (let at = 0, part = 0; at < body.length && !settled(); at += partBytes, part++) {
        req.write(body.subarray(at, at + partBytes));
        if (part === 0) await options.afterFirstPart?.();
        else await sleep(options.pauseMs ?? 1);
      }
      if (!settled()) req.end();
    });
  }

  private request(urlPath: string, headers: Record<string, string>, timeoutMs: number, write: (req: http.ClientRequest, settled: () => boolean) => void | Promise<void>): Promise<Outcome> {
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Omit<Outcome, 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...outcome, ms: performance.now() - started });
      };
      const req = http.request({ host: this.host, port: this.port, method: 'POST', path: urlPath, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => settle({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e: NodeJS.ErrnoException) => settle({ error: e.code ?? e.message }));
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => settle({ error: e.code ?? e.message }));
      void write(req, () => settled);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * A request sent in two parts: the headers and the first half of the body now, the rest when
 * `finish()` is called. Until then the collector holds it in flight.
 */
export function slowRequest(port: number, urlPath: string, headers: Record<string, string>, body: Buffer): { finish(): Promise<Outcome> } {
  const started = performance.now();
  const half = Math.floor(body.length / 2);
  let outcome!: Promise<Outcome>;
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, agent: false, headers: { ...headers, 'content-length': String(body.length) } });
  outcome = new Promise((resolve) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: performance.now() - started }));
  });
  req.flushHeaders();
  req.write(body.subarray(0, half));
  return {
    finish() {
      req.end(body.subarray(half));
      return outcome;
    },
  };
}

/** A raw TCP connection, for clients that misbehave below HTTP (silent, trickling). */
export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the error code when connecting fails, or 'connected'. */
export function tryConnect(port: number, host: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Resident memory of a process in KiB (Linux /proc). */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** What a start step left for the finish: the run file of its working folder. */
export function runFileOf(workDir: string): RunFile {
  return JSON.parse(fs.readFileSync(path.join(workDir, 'run.json'), 'utf8')) as RunFile;
}

/**
 * A started use of the action, read while its collector runs (the post step removes collector.json):
 * its collector, both secrets, and the marker its command line holds (for killIfStillOurs).
 */
export function startedCaptureIn(workDir: string) {
  const run = runFileOf(workDir);
  const paths = workspacePaths(workDir);
  const config = JSON.parse(fs.readFileSync(paths.collectorConfig, 'utf8')) as CollectorConfig;
  return { workDir, paths, run, port: run.collector.port, pid: run.collector.pid, secret: config.secret, controlSecret: config.controlSecret, marker: instanceArgument(run.collector.instance) };
}

export function waitUntil(condition: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      if (condition()) resolve(true);
      else if (Date.now() > deadline) resolve(false);
      else setTimeout(check, stepMs);
    };
    check();
  });
}

/**
 * The collector process: spawned detached by the start step, stopped by the post step's
 * authenticated shutdown request (or SIGTERM, or its maximum lifetime). Imports no @actions/*:
 * it must start fast and stay small. It serves the listening socket the start step bound and
 * handed it (see handoff/listen-socket.ts), or, run alone, binds its own port.
 */
import fs from 'node:fs';
import { Server as NetServer } from 'node:net';
import { BOOT_FAILURE, type CollectorConfig, type ReadyFile } from '../handoff/collector-config.js';
import { LISTEN_IPC_FLAG, LISTEN_MESSAGE, LISTENING_MESSAGE, listenSourceOf } from '../handoff/listen-socket.js';
import { COLLECTOR_FLUSH_SHARE } from '../forward/settings.js';
import { isoUtc } from '../beacon/utc-time.js';
import { EventForwarder } from './forwarder.js';
import { createCollector, type ListenSocket } from './server.js';
import { StatsRecorder } from './stats.js';
import { CaptureWriter } from './writer.js';

function log(message: string): void {
  process.stderr.write(`${isoUtc(Date.now())} collector: ${message}\n`);
}

/** The socket the start step sends over IPC (Windows): waited for from the first moment. */
function receiveSocket(): Promise<NetServer> {
  return new Promise((resolve, reject) => {
    if (!process.send) throw new Error(`${LISTEN_IPC_FLAG} needs an IPC channel to the start step`);
    process.once('message', (message: unknown, socket: unknown) => {
      if (message === LISTEN_MESSAGE && socket instanceof NetServer) resolve(socket);
      else reject(new Error(`expected the listening socket over IPC, got ${JSON.stringify(message)}`));
    });
    process.once('disconnect', () => reject(new Error('the start step disconnected before it sent the listening socket')));
  });
}

/** Set once the config is read: records a failed boot where the post step reports it (the stats file). */
let recordBootFailure: ((message: string) => void) | undefined;

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: collector <config.json> [--listen-fd=N | --listen-ipc]');
  const source = listenSourceOf(process.argv.slice(3));
  const received = source.kind === 'ipc' ? receiveSocket() : undefined;
  received?.catch(() => undefined); // awaited below; a failure before that is fatal anyway
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as CollectorConfig;

  const stats = new StatsRecorder();
  // The start step does not wait for this boot: the post step reports a failure from the stats file.
  recordBootFailure = (message) => stats.writeTo(config.statsPath, `${BOOT_FAILURE}: ${message}`);
  const writer = new CaptureWriter(config.capturePath);
  // Only with the forward-endpoint input: otherwise nothing leaves loopback.
  const forwarder = config.forward ? new EventForwarder(config.forward, config.attribution, {}, log) : undefined;
  const collector = createCollector(config, writer, stats, forwarder ? [forwarder] : []);
  const socket: ListenSocket | undefined = source.kind === 'fd' ? { fd: source.fd } : await received;
  const port = await collector.listen(socket);
  // Over IPC the start step holds its copy of the socket until we have ours (Windows): release it.
  if (source.kind === 'ipc') process.send?.(LISTENING_MESSAGE, () => process.connected && process.disconnect());

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      log(`stopping (${reason})`);
      await collector.stop();
      stats.stats.eventsWritten = writer.eventsWritten;
      writer.close();
      if (forwarder && config.forward) stats.stats.forward = await forwarder.close(config.forward.shutdownLimitMs * COLLECTOR_FLUSH_SHARE);
      stats.writeTo(config.statsPath, reason);
      log(`stopped: ${writer.eventsWritten} events written`);
      process.exit(0);
    })());

  void collector.shutdownRequested.then(() => stop('shutdown request'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Never outlive the job by long, even if no post step ever asks us to stop.
  setTimeout(() => void stop("maximum lifetime reached"), Math.min(config.maxLifetimeMs, 2 ** 31 - 1)).unref();

  // Given a socket, the start step wrote the ready file at the hand-over; run alone, we do.
  if (source.kind === 'own-port') {
    const ready: ReadyFile = { port, pid: process.pid };
    fs.writeFileSync(`${config.readyPath}.tmp`, JSON.stringify(ready), { mode: 0o600 });
    fs.renameSync(`${config.readyPath}.tmp`, config.readyPath);
  }
  recordBootFailure = undefined;
  log(`listening on 127.0.0.1:${port}${source.kind === 'own-port' ? '' : ` (socket from the start step, ${source.kind})`}`);
}

main().catch((error: unknown) => {
  log(`fatal: ${(error as Error).stack ?? String(error)}`);
  try {
    recordBootFailure?.((error as Error).message ?? String(error));
  } catch (statsError) {
    log(`could not record the failure: ${(statsError as Error).message}`);
  }
  process.exit(1);
});

/**
 * The collector process: spawned detached by the start step, stopped by the post step's
 * shutdown request with the control secret (or SIGTERM, or its maximum lifetime). Imports no
 * @actions/*: it must start fast and stay small. It reads its config from the descriptor or IPC
 * message the start step gives it (handoff/collector-command-line.ts), and serves the listening
 * socket the start step bound and handed it (handoff/listen-socket.ts); run alone, it reads a
 * config file and binds its own port.
 */
import fs from 'node:fs';
import { Server as NetServer } from 'node:net';
import { BOOT_FAILURE, type CollectorConfig, type ReadyFile } from '../handoff/collector-config.js';
import { LISTEN_MESSAGE, LISTENING_MESSAGE, listenSourceOf } from '../handoff/listen-socket.js';
import { configSourceOf, isConfigMessage, type ConfigSource } from '../handoff/collector-command-line.js';
import { COLLECTOR_FLUSH_SHARE } from '../forward/settings.js';
import { setMaskedValues } from '../beacon/redact.js';
import { isoUtc } from '../beacon/utc-time.js';
import { EventForwarder } from './forwarder.js';
import { createCollector, type ListenSocket } from './server.js';
import { StatsRecorder } from './stats.js';
import { CaptureWriter } from './writer.js';

function log(message: string): void {
  process.stderr.write(`${isoUtc(Date.now())} collector: ${message}\n`);
}

/** What the start step sends over IPC (Windows): its config's text, then the listening socket. */
interface FromStartStep {
  config: Promise<string>;
  socket: Promise<NetServer>;
}

/** Listens from the first moment (a message emitted before a listener would be lost). */
function receiveOverIpc(): FromStartStep {
  if (!process.send) throw new Error('--config-ipc and --listen-ipc need an IPC channel to the start step');
  let gotConfig!: (text: string) => void;
  let gotSocket!: (socket: NetServer) => void;
  let failConfig!: (error: Error) => void;
  let failSocket!: (error: Error) => void;
  const config = new Promise<string>((resolve, reject) => ((gotConfig = resolve), (failConfig = reject)));
  const socket = new Promise<NetServer>((resolve, reject) => ((gotSocket = resolve), (failSocket = reject)));
  // Awaited later; a failure meanwhile is fatal anyway.
  config.catch(() => undefined);
  socket.catch(() => undefined);
  const fail = (error: Error) => {
    failConfig(error);
    failSocket(error);
  };
  process.on('message', (message: unknown, handle: unknown) => {
    if (isConfigMessage(message)) gotConfig(message.text);
    else if (message === LISTEN_MESSAGE && handle instanceof NetServer) gotSocket(handle);
    else fail(new Error(`unexpected message from the start step: ${JSON.stringify(message)}`));
  });
  process.once('disconnect', () => fail(new Error('the start step disconnected before it sent the config and the listening socket')));
  return { config, socket };
}

/** The config's text: from the inherited descriptor (closed once read), the IPC channel, or a file. */
async function readConfig(source: ConfigSource, ipc: FromStartStep | undefined): Promise<CollectorConfig> {
  let text: string;
  if (source.kind === 'fd') {
    text = fs.readFileSync(source.fd, 'utf8');
    fs.closeSync(source.fd);
  } else if (source.kind === 'ipc') {
    text = await ipc!.config;
  } else {
    text = fs.readFileSync(source.path, 'utf8');
  }
  const config = JSON.parse(text) as CollectorConfig;
  const secrets = [config.secret, config.controlSecret];
  if (!secrets.every((secret) => typeof secret === 'string' && secret.length > 0) || config.secret === config.controlSecret) {
    throw new Error('the config needs a telemetry secret and a control secret, two different non-empty strings');
  }
  return config;
}

/** Set once the config is read: records a failed boot where the post step reports it (the stats file). */
let recordBootFailure: ((message: string) => void) | undefined;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const configSource = configSourceOf(args);
  const source = listenSourceOf(args);
  const ipc = configSource.kind === 'ipc' || source.kind === 'ipc' ? receiveOverIpc() : undefined;
  const config = await readConfig(configSource, ipc);
  setMaskedValues(config.maskValues ?? []);

  const stats = new StatsRecorder();
  // The start step does not wait for this boot: the post step reports a failure from the stats file.
  recordBootFailure = (message) => stats.writeTo(config.statsPath, `${BOOT_FAILURE}: ${message}`);
  const writer = new CaptureWriter(config.capturePath, { maskValues: config.maskValues ?? [] });
  // Only with the forward-endpoint input: otherwise nothing leaves loopback.
  const forwarder = config.forward ? new EventForwarder(config.forward, config.attribution, {}, log) : undefined;
  const collector = createCollector(config, writer, stats, forwarder ? [forwarder] : []);
  const socket: ListenSocket | undefined = source.kind === 'fd' ? { fd: source.fd } : source.kind === 'ipc' ? await ipc!.socket : undefined;
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
  // While Codex starts, not on its first request's time.
  setImmediate(() => {
    try {
      writer.warmUp();
    } catch (error) {
      log(`warm-up failed (the first requests compile what it would have): ${(error as Error).message}`);
    }
  });
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

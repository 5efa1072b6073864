/**
 * The collector process: spawned detached by the start step, stopped by the post step's
 * authenticated shutdown request (or SIGTERM, or its maximum lifetime). Imports no @actions/*:
 * it must start fast and stay small.
 */
import fs from 'node:fs';
import type { CollectorConfig, ReadyFile } from '../handoff/collector-config.js';
import { COLLECTOR_FLUSH_SHARE } from '../forward/settings.js';
import { EventForwarder } from './forwarder.js';
import { createCollector } from './server.js';
import { StatsRecorder } from './stats.js';
import { CaptureWriter } from './writer.js';

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} collector: ${message}\n`);
}

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: collector <config.json>');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as CollectorConfig;

  const stats = new StatsRecorder();
  const writer = new CaptureWriter(config.capturePath);
  // Only with the forward-endpoint input: otherwise nothing leaves loopback.
  const forwarder = config.forward ? new EventForwarder(config.forward, config.attribution, {}, log) : undefined;
  const collector = createCollector(config, writer, stats, forwarder ? [forwarder] : []);
  const port = await collector.listen();

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

  const ready: ReadyFile = { port, pid: process.pid };
  fs.writeFileSync(`${config.readyPath}.tmp`, JSON.stringify(ready), { mode: 0o600 });
  fs.renameSync(`${config.readyPath}.tmp`, config.readyPath);
  log(`listening on 127.0.0.1:${port}`);
}

main().catch((error: unknown) => {
  log(`fatal: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});

import fs from 'node:fs';
import type { BeaconEvent } from '../beacon/event.js';
import { toJsonLine } from '../beacon/sanitize.js';

/**
 * Appends the events of one request to the capture file in a single write, synchronously, so
 * that the request is acknowledged only once its events are on disk. A failed or short write is
 * rolled back to the last whole line: the file never holds a torn line that we acknowledged.
 */
export class CaptureWriter {
  private readonly fd: number;
  private size: number;
  eventsWritten = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Throws when the events could not be written; nothing of them stays in the file then. */
  append(events: BeaconEvent[]): void {
    if (events.length === 0) return;
    let text = '';
    for (const event of events) text += toJsonLine(event);
    const buffer = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < buffer.length) {
        written += fs.writeSync(this.fd, buffer, written, buffer.length - written);
      }
    } catch (error) {
      if (written > 0) {
        try {
          fs.ftruncateSync(this.fd, this.size);
        } catch {
          // The file may be gone or read-only: nothing more to undo.
        }
      }
      throw error;
    }
    this.size += buffer.length;
    this.eventsWritten += events.length;
  }

  close(): void {
    try {
      fs.fsyncSync(this.fd);
    } catch {
      // fsync is best effort (not supported everywhere).
    }
    fs.closeSync(this.fd);
  }
}

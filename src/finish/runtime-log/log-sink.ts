import type fs from 'node:fs';

/** Size of the buffers new text is encoded into. */
const TEXT_BUFFER_BYTES = 256 << 10;
/** UTF-8 bytes per UTF-16 code unit, at most (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Buffered output: byte ranges of the read buffers (merged when contiguous) and new text. Each
 * flush starts writing in the background and first waits for the previous write, so writing
 * one chunk's output overlaps parsing the next; a read buffer is reused only after its write ended.
 * New text is encoded into buffers that are reused once their write has ended: a Buffer per
 * piece would outlive the write it waits for, get promoted, and pile up until a full GC (tens of
 * MB over the token events of a large log).
 */
export class LogSink {
  private parts: Buffer[] = [];
  private range: { buffer: Buffer; start: number; end: number } | undefined;
  /** The buffer new text goes to, and its part not yet in `parts`. */
  private textBuffer: Buffer | undefined;
  private textStart = 0;
  private textEnd = 0;
  /** Text buffers of the parts collected since the last flush, and those free again. */
  private textBuffersInUse: Buffer[] = [];
  private readonly spareTextBuffers: Buffer[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly output: fs.promises.FileHandle) {}

  copy(buffer: Buffer, start: number, end: number): void {
    if (this.range && this.range.buffer === buffer && this.range.end === start) {
      this.range.end = end;
      return;
    }
    this.closePart();
    this.range = { buffer, start, end };
  }

  text(text: string): void {
    if (this.range) this.closePart();
    const room = text.length * MAX_UTF8_PER_UNIT;
    if (!this.textBuffer || this.textBuffer.length - this.textEnd < room) {
      this.closePart();
      this.textBuffer = undefined;
      if (room > TEXT_BUFFER_BYTES) {
        this.parts.push(Buffer.from(text, 'utf8'));
        return;
      }
      this.textBuffer = this.spareTextBuffers.pop() ?? Buffer.allocUnsafe(TEXT_BUFFER_BYTES);
      this.textBuffersInUse.push(this.textBuffer);
      this.textStart = this.textEnd = 0;
    }
    this.textEnd += this.textBuffer.write(text, this.textEnd);
  }

  private closePart(): void {
    if (this.textBuffer && this.textEnd > this.textStart) {
      this.parts.push(this.textBuffer.subarray(this.textStart, this.textEnd));
      this.textStart = this.textEnd;
    }
    if (this.range) {
      this.parts.push(this.range.buffer.subarray(this.range.start, this.range.end));
      this.range = undefined;
    }
  }

  /** Waits for the previous write, then starts writing everything collected since. */
  async flush(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure;
    this.closePart();
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    // The text buffers of these parts are free again once they are written; new text starts a new one.
    const textBuffers = this.textBuffersInUse;
    this.textBuffersInUse = [];
    this.textBuffer = undefined;
    // Caught here so a failure cannot surface as an unhandled rejection; rethrown by the next flush.
    this.inFlight = this.writeAll(parts).then(
      () => void this.spareTextBuffers.push(...textBuffers),
      (error: unknown) => {
        this.failure = error;
      },
    );
  }

  /** Flushes and waits until everything is written. */
  async drain(): Promise<void> {
    await this.flush();
    await this.inFlight;
    if (this.failure) throw this.failure;
  }

  private async writeAll(parts: Buffer[]): Promise<void> {
    let pending = parts;
    while (pending.length > 0) {
      const { bytesWritten } = await this.output.writev(pending);
      // A short write: keep what was not written yet.
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const part of pending) {
        if (skip >= part.length) {
          skip -= part.length;
          continue;
        }
        rest.push(skip > 0 ? part.subarray(skip) : part);
        skip = 0;
      }
      pending = rest;
    }
  }
}


/**
 * Request bodies received into a few reused buffers. Copying a multi-MB body into a fresh buffer
 * (`Buffer.concat`) pays a page fault for each 4 kB page on its first touch (~13 µs each on the
 * bench machine, 11% of JSON ingest: BENCHMARKS.md), and the external memory it adds makes V8
 * collect more often; a buffer that held an earlier body has its pages mapped already.
 *
 * Requests are read concurrently and their chunks interleave, so each request takes a buffer of its
 * own while its body is read and decoded, and gives it back once it is done with the bytes. The
 * decoders copy out what they keep (strings), so nothing refers into a buffer once it is back.
 */

/** Buffer capacities are rounded up to this: bodies of about the same size then fit one buffer. */
const CAPACITY_STEP = 64 * 1024;

export interface BodyPoolLimits {
  /** At most this many buffers are kept between requests. */
  maxKept: number;
  /** A buffer larger than this is never kept (the body limit). */
  maxBufferBytes: number;
  /** Kept buffers are freed after this long without a request taking or giving one, in ms. */
  idleMs: number;
}

/**
 * Frees a buffer's memory now rather than at some later GC: an idle process may not collect for a
 * long time. A view left behind in JS reads as empty, never as another body's bytes; native code
 * must be done with it too (zlib reads its input on the thread pool: hence the release only after
 * the decode). `ArrayBuffer.prototype.transfer` exists from Node 21; on Node 20 the GC frees it.
 */
function freeMemory(buffer: Buffer): void {
  const whole = buffer.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (typeof whole.transfer === 'function' && buffer.byteOffset === 0 && buffer.byteLength === whole.byteLength) whole.transfer(0);
}

/** Grow-only buffers kept between requests; each is lent to one request at a time. */
export class BodyBufferPool {
  private readonly free: Buffer[] = [];
  private lastUsedAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly limits: BodyPoolLimits) {}

  /** How many buffers are kept, and their bytes. */
  get kept(): { buffers: number; bytes: number } {
    return { buffers: this.free.length, bytes: this.free.reduce((n, b) => n + b.length, 0) };
  }

  /**
   * Lends a kept buffer for a body of `bytes`: the smallest one that holds it, else the largest
   * (the caller grows it). Undefined when none is kept.
   */
  take(bytes: number): Buffer | undefined {
    this.lastUsedAt = performance.now();
    const free = this.free;
    let pick = -1;
    for (let i = 0; i < free.length; i++) {
      if (pick < 0) {
        pick = i;
        continue;
      }
      const length = free[i]!.length;
      const best = free[pick]!.length;
      if (best >= bytes ? length >= bytes && length < best : length > best) pick = i;
    }
    if (pick < 0) return undefined;
    const buffer = free[pick]!;
    free[pick] = free[free.length - 1]!;
    free.pop();
    return buffer;
  }

  /** A new buffer for a body that needs `needed` bytes now, `expected` in all (0: not declared), growing one of `current` bytes. */
  allocate(needed: number, expected: number, current: number): Buffer {
    // The declared size, or double: a body of unknown length grows a few times, not per chunk.
    let capacity = Math.max(needed, expected, current * 2);
    capacity += capacity >>> 3; // headroom: the next body of about this size fits too
    capacity = Math.ceil(capacity / CAPACITY_STEP) * CAPACITY_STEP;
    // Past the limit it could never be kept; `needed` was checked against the limit already.
    capacity = Math.max(needed, Math.min(capacity, this.limits.maxBufferBytes));
    return Buffer.allocUnsafeSlow(capacity);
  }

  /** Takes back a lent buffer (the caller no longer reads or writes it); it is kept or freed. */
  give(buffer: Buffer): void {
    // Kept twice, it would be lent to two requests at once.
    if (this.free.includes(buffer)) throw new Error('a body buffer was given back twice');
    this.lastUsedAt = performance.now();
    if (buffer.length > this.limits.maxBufferBytes) return this.discard(buffer);
    this.free.push(buffer);
    if (this.free.length > this.limits.maxKept) {
      // Keep the largest: a small body fits them too.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[smallest]!.length) smallest = i;
      const [dropped] = this.free.splice(smallest, 1);
      this.discard(dropped!);
    }
    this.scheduleIdleRelease(this.limits.idleMs);
  }

  /** Frees a buffer nobody uses any more (one outgrown, or one the pool does not keep). */
  discard(buffer: Buffer): void {
    freeMemory(buffer);
  }

  /** Frees every kept buffer. */
  clear(): void {
    for (const buffer of this.free.splice(0)) this.discard(buffer);
  }

  private scheduleIdleRelease(delayMs: number): void {
    if (this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const idleFor = performance.now() - this.lastUsedAt;
      if (idleFor >= this.limits.idleMs) this.clear();
      else this.scheduleIdleRelease(this.limits.idleMs - idleFor);
    }, Math.max(1, delayMs));
    // Never what keeps the collector alive.
    this.idleTimer.unref();
  }
}

/**
 * One request's body as its chunks arrive. A body of one chunk is that chunk, not copied; from the
 * second chunk on, the body is copied into a buffer lent by the pool (or a new one, grown as needed)
 * until `release`.
 */
export class BodyReceiver {
  private firstChunk: Buffer | undefined;
  private buffer: Buffer | undefined;
  private released = false;
  /** Bytes received so far. */
  size = 0;

  /** `expectedBytes`: the declared content-length, 0 when not declared. */
  constructor(
    private readonly pool: BodyBufferPool,
    private readonly expectedBytes: number,
  ) {}

  append(chunk: Buffer): void {
    if (this.released) throw new Error('body appended to after its buffer was released');
    if (chunk.length === 0) return;
    if (this.size === 0) {
      this.firstChunk = chunk;
      this.size = chunk.length;
      return;
    }
    const needed = this.size + chunk.length;
    if (this.buffer === undefined || this.buffer.length < needed) this.grow(needed);
    chunk.copy(this.buffer!, this.size);
    this.size = needed;
  }

  /** The body's bytes: valid until `release`. */
  bytes(): Buffer {
    if (this.released) throw new Error('body read after its buffer was released');
    if (this.buffer !== undefined) return this.buffer.subarray(0, this.size);
    return this.firstChunk ?? Buffer.alloc(0);
  }

  /** Done with the bytes (nothing refers into them any more): the buffer can serve another request. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const buffer = this.buffer;
    this.buffer = undefined;
    this.firstChunk = undefined;
    if (buffer !== undefined) this.pool.give(buffer);
  }

  private grow(needed: number): void {
    const held = this.buffer ?? this.firstChunk!;
    // Of unknown length, the largest kept buffer: it grows the fewest times.
    let next = this.buffer === undefined ? this.pool.take(this.expectedBytes > 0 ? Math.max(needed, this.expectedBytes) : Infinity) : undefined;
    if (next === undefined || next.length < needed) {
      // Outgrown: a kept buffer too small for this body is replaced by a larger one.
      const outgrown = next ?? this.buffer;
      next = this.pool.allocate(needed, this.expectedBytes, outgrown?.length ?? 0);
      held.copy(next, 0, 0, this.size);
      if (outgrown !== undefined) this.pool.discard(outgrown);
    } else {
      held.copy(next, 0, 0, this.size);
    }
    this.buffer = next;
    this.firstChunk = undefined;
  }
}

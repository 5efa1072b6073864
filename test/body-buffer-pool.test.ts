import { describe, expect, it } from 'vitest';
import { BodyBufferPool, BodyReceiver } from '../src/collector/body-buffers.js';
import { Prng } from './support/otlp/prng.js';

/** The pool and the receiver of src/collector/body-buffers.ts, on their own (the HTTP side: collector-body-buffers.test.ts). */

const KiB = 1024;
const limits = (overrides: Partial<ConstructorParameters<typeof BodyBufferPool>[0]> = {}) => ({ maxKept: 4, maxBufferBytes: 8 * 1024 * KiB, idleMs: 60_000, ...overrides });

/** A body of `size` bytes whose every byte depends on `seed` and its position. */
function bodyOf(seed: number, size: number): Buffer {
  const body = Buffer.allocUnsafeSlow(size); // its own memory, never Node's shared pool
  for (let i = 0; i < size; i++) body[i] = (seed * 131 + i * 7 + (i >> 8)) & 0xff;
  return body;
}

/** Receives `body` whole in `parts` chunks and returns the receiver, not released. */
function receiveWhole(pool: BodyBufferPool, body: Buffer, parts: number): BodyReceiver {
  const receiver = new BodyReceiver(pool, body.length);
  const step = Math.ceil(body.length / parts);
  for (let at = 0; at < body.length; at += step) receiver.append(body.subarray(at, at + step));
  return receiver;
}

const storeOf = (receiver: BodyReceiver) => receiver.bytes().buffer;

describe('BodyReceiver', () => {
  it('a body of one chunk is that chunk, not copied, and takes no buffer', () => {
    const pool = new BodyBufferPool(limits());
    pool.give(Buffer.allocUnsafeSlow(256 * KiB));
    const chunk = bodyOf(1, 10 * KiB);
    const receiver = new BodyReceiver(pool, chunk.length);
    receiver.append(chunk);
    expect(receiver.bytes()).toBe(chunk);
    expect(pool.kept).toEqual({ buffers: 1, bytes: 256 * KiB });
    receiver.release();
    expect(pool.kept).toEqual({ buffers: 1, bytes: 256 * KiB });
  });

  it('an empty body is empty', () => {
    const receiver = new BodyReceiver(new BodyBufferPool(limits()), 0);
    expect(receiver.bytes().length).toBe(0);
    receiver.release();
  });

  it('a body of several chunks lands in a kept buffer, exactly its bytes; released, the buffer is kept again', () => {
    const pool = new BodyBufferPool(limits());
    const kept = Buffer.allocUnsafeSlow(512 * KiB).fill(0xee);
    pool.give(kept);
    const body = bodyOf(2, 300 * KiB + 5);
    const receiver = receiveWhole(pool, body, 7);
    expect(receiver.size).toBe(body.length);
    expect(receiver.bytes().equals(body)).toBe(true);
    expect(receiver.bytes().length).toBe(body.length);
    expect(storeOf(receiver)).toBe(kept.buffer);
    expect(pool.kept.buffers).toBe(0);
    receiver.release();
    expect(pool.kept).toEqual({ buffers: 1, bytes: 512 * KiB });
    expect(() => receiver.bytes()).toThrow(/released/);
    receiver.release(); // a second release gives nothing back twice
    expect(pool.kept.buffers).toBe(1);
  });

  it('a declared body larger than every kept buffer replaces the largest with one that holds it, with headroom', () => {
    const pool = new BodyBufferPool(limits());
    pool.give(Buffer.allocUnsafeSlow(100 * KiB));
    pool.give(Buffer.allocUnsafeSlow(200 * KiB));
    const body = bodyOf(3, 1000 * KiB);
    const receiver = receiveWhole(pool, body, 16);
    expect(receiver.bytes().equals(body)).toBe(true);
    // 1000 KiB + 1/8, rounded up to 64 KiB.
    expect(receiver.bytes().buffer.byteLength).toBe(1152 * KiB);
    expect(pool.kept).toEqual({ buffers: 1, bytes: 100 * KiB });
    receiver.release();
    expect(pool.kept).toEqual({ buffers: 2, bytes: 1252 * KiB });
    // A slightly larger body next fits the same buffer.
    const next = receiveWhole(pool, bodyOf(4, 1100 * KiB), 16);
    expect(next.bytes().equals(bodyOf(4, 1100 * KiB))).toBe(true);
    expect(next.bytes().buffer.byteLength).toBe(1152 * KiB);
    next.release();
  });

  it('a body of unknown length grows by doubling, keeping every byte', () => {
    const pool = new BodyBufferPool(limits());
    const body = bodyOf(5, 2000 * KiB + 3);
    const receiver = new BodyReceiver(pool, 0);
    const sizes: number[] = [];
    for (let at = 0; at < body.length; at += 16 * KiB) {
      receiver.append(body.subarray(at, at + 16 * KiB));
      sizes.push(receiver.bytes().buffer.byteLength);
    }
    expect(receiver.bytes().equals(body)).toBe(true);
    const growths = sizes.filter((size, i) => i > 0 && size !== sizes[i - 1]);
    expect(growths).toEqual([64 * KiB, 192 * KiB, 448 * KiB, 1024 * KiB, 2304 * KiB]);
  });

  it('the smallest kept buffer that holds a declared body is lent', () => {
    const pool = new BodyBufferPool(limits());
    const sizes = [900, 300, 600, 100].map((k) => k * KiB);
    const kept = sizes.map((size) => Buffer.allocUnsafeSlow(size));
    for (const b of kept) pool.give(b);
    const receiver = receiveWhole(pool, bodyOf(6, 250 * KiB), 3);
    expect(storeOf(receiver)).toBe(kept[1]!.buffer);
    const big = receiveWhole(pool, bodyOf(7, 650 * KiB), 3);
    expect(storeOf(big)).toBe(kept[0]!.buffer);
    receiver.release();
    big.release();
  });
});

describe('BodyBufferPool', () => {
  it('concurrent bodies never share a buffer: chunks interleaved at random, each body exactly its own bytes', () => {
    const rng = new Prng(0xb0d1);
    const pool = new BodyBufferPool(limits({ maxKept: 3 }));
    interface Live {
      body: Buffer;
      at: number;
      receiver: BodyReceiver;
    }
    const live: Live[] = [];
    let finished = 0;
    let seed = 0;
    while (finished < 300) {
      // Up to 8 bodies in flight; sizes from one chunk to 600 kB, declared or not.
      while (live.length < 8) {
        const size = 1 + Math.floor(rng.next() ** 2 * 600 * KiB);
        const body = bodyOf(++seed, size);
        live.push({ body, at: 0, receiver: new BodyReceiver(pool, rng.next() < 0.8 ? size : 0) });
      }
      const item = live[Math.floor(rng.next() * live.length)]!;
      const chunk = 1 + Math.floor(rng.next() * 64 * KiB);
      item.receiver.append(item.body.subarray(item.at, item.at + chunk));
      item.at = Math.min(item.body.length, item.at + chunk);
      // No two bodies in flight are held in the same memory.
      const stores = live.filter((l) => l.at > 0).map((l) => storeOf(l.receiver));
      expect(new Set(stores).size).toBe(stores.length);
      if (item.at === item.body.length) {
        expect(item.receiver.bytes().equals(item.body)).toBe(true);
        item.receiver.release();
        live.splice(live.indexOf(item), 1);
        finished += 1;
      }
      expect(pool.kept.buffers).toBeLessThanOrEqual(3);
    }
    for (const l of live) l.receiver.release();
  });

  it('keeps at most maxKept buffers, the largest, and none above maxBufferBytes; the others are freed', () => {
    const pool = new BodyBufferPool(limits({ maxKept: 2, maxBufferBytes: 1024 * KiB }));
    const buffers = [300, 100, 200, 2048].map((k) => Buffer.allocUnsafeSlow(k * KiB));
    for (const b of buffers) pool.give(b);
    expect(pool.kept).toEqual({ buffers: 2, bytes: 500 * KiB });
    // Node ≥ 21 frees a dropped buffer at once (ArrayBuffer.prototype.transfer); a view reads empty.
    if (typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function') {
      expect(buffers.map((b) => b.length)).toEqual([300 * KiB, 0, 200 * KiB, 0]);
    }
  });

  it('refuses a buffer given back twice: it would be lent to two requests', () => {
    const pool = new BodyBufferPool(limits());
    const buffer = Buffer.allocUnsafeSlow(64 * KiB);
    pool.give(buffer);
    expect(() => pool.give(buffer)).toThrow('a body buffer was given back twice');
    expect(pool.take(1)).toBe(buffer);
    expect(pool.take(1)).toBeUndefined();
  });

  it('frees the kept buffers after idleMs without use, not before', async () => {
    const pool = new BodyBufferPool(limits({ idleMs: 150 }));
    pool.give(Buffer.allocUnsafeSlow(128 * KiB));
    await new Promise((r) => setTimeout(r, 100));
    // Used again before the idle time is up: the clock starts over.
    const lent = pool.take(1)!;
    pool.give(lent);
    await new Promise((r) => setTimeout(r, 100));
    expect(pool.kept.buffers).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(pool.kept).toEqual({ buffers: 0, bytes: 0 });
  });
});

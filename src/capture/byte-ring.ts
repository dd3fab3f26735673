// Capture stage, across threads: a byte stream in a SharedArrayBuffer ring, one writer thread and
// one reader thread (an inflate worker writes a gzip file's decompressed bytes; the thread that
// decodes them reads the ring as its ByteSource). The writer blocks when the ring is full, so
// memory stays bounded; each side wakes the other only when it sleeps.

import type { ByteSource } from './byte-source.js';
import { waitForChange } from './wait-for-change.js';

/** Ring capacity: two of the decoder's 4 MiB windows, so inflating runs a window ahead. */
export const BYTE_RING_BYTES = 8 * 1024 * 1024;
/** Most bytes the writer fills before publishing them, so the reader never waits on a big fill. */
const FILL_BYTES = 1024 * 1024;
/** A reader with nothing to read sleeps until this much has been written (or the end): waking it
 *  for every small fill costs more than the copying. */
const WAKE_BYTES = 1024 * 1024;
/** Longest end message kept (zlib's messages are one line). */
const MAX_MESSAGE = 1024;

// Control words. Positions count bytes modulo 2^32 (the capacity is a power of two far below).
const WRITTEN = 0;
const TAKEN = 1;
const STATE = 2;
const WRITER_WAITING = 3;
const READER_WAITING = 4; // 0, or the bytes the sleeping reader waits for
const ABORT = 5;
const RAW_LO = 6; // bytes the writer has read from its own source (progress), low and high words
const RAW_HI = 7;
const MESSAGE_LENGTH = 8; // -1: ended cleanly
const CONTROL_WORDS = 16;

const RUNNING = 0;
const DONE = 1;

const TWO32 = 4294967296;

export function createByteRing(capacity = BYTE_RING_BYTES): SharedArrayBuffer {
  if (capacity <= 0 || (capacity & (capacity - 1)) !== 0 || capacity > 1 << 30) {
    throw new RangeError(`byte ring capacity must be a power of two up to 1 GiB, got ${capacity}`);
  }
  return new SharedArrayBuffer(4 * CONTROL_WORDS + 2 * MAX_MESSAGE + capacity);
}

function views(buffer: SharedArrayBuffer): { control: Int32Array; message: Uint16Array; data: Buffer } {
  const control = new Int32Array(buffer, 0, CONTROL_WORDS);
  const message = new Uint16Array(buffer, 4 * CONTROL_WORDS, MAX_MESSAGE);
  const data = Buffer.from(buffer, 4 * CONTROL_WORDS + 2 * MAX_MESSAGE);
  return { control, message, data };
}

/** Thrown in the writer once the reader has gone away (closed the source before its end). */
export class ByteRingAborted extends Error {
  constructor() {
    super('reader closed the byte ring');
    this.name = 'ByteRingAborted';
  }
}

/** Writer side: blocks (Atomics.wait) while the ring is full. */
export class ByteRingWriter {
  private readonly control: Int32Array;
  private readonly message: Uint16Array;
  private readonly data: Buffer;
  private readonly mask: number;
  private written = 0;

  constructor(buffer: SharedArrayBuffer) {
    ({ control: this.control, message: this.message, data: this.data } = views(buffer));
    this.mask = this.data.length - 1;
  }

  /**
   * Let `produce` write straight into the ring's free space (one contiguous stretch), then publish
   * what it wrote. Returns that count; 0 means `produce` has nothing more.
   */
  async fill(produce: (into: Buffer, offset: number, length: number) => Promise<number>): Promise<number> {
    const capacity = this.data.length;
    if (capacity - ((this.written - Atomics.load(this.control, TAKEN)) >>> 0) === 0) this.waitForRoom();
    const free = capacity - ((this.written - Atomics.load(this.control, TAKEN)) >>> 0);
    const pos = this.written & this.mask;
    const n = await produce(this.data, pos, Math.min(free, capacity - pos, FILL_BYTES));
    if (n > 0) this.publish(n);
    return n;
  }

  /** Copy all of `chunk` into the ring, waiting for room as often as needed. */
  write(chunk: Uint8Array): void {
    const capacity = this.data.length;
    for (let at = 0; at < chunk.length;) {
      const free = capacity - ((this.written - Atomics.load(this.control, TAKEN)) >>> 0);
      if (free === 0) {
        this.waitForRoom();
        continue;
      }
      const pos = this.written & this.mask;
      const n = Math.min(free, chunk.length - at, capacity - pos);
      this.data.set(chunk.subarray(at, at + n), pos);
      at += n;
      this.publish(n);
    }
  }

  /** Bytes read from the writer's own source so far, for the reader's progress. */
  progress(rawBytes: number): void {
    Atomics.store(this.control, RAW_LO, rawBytes % TWO32);
    Atomics.store(this.control, RAW_HI, Math.floor(rawBytes / TWO32));
  }

  /** Mark the end of the stream; `error` (null for a clean end) reaches the reader after the
   *  last byte. */
  finish(error: string | null): void {
    const text = error ?? '';
    const n = Math.min(text.length, MAX_MESSAGE);
    for (let i = 0; i < n; i++) this.message[i] = text.charCodeAt(i);
    Atomics.store(this.control, MESSAGE_LENGTH, error === null ? -1 : n);
    Atomics.store(this.control, STATE, DONE);
    Atomics.notify(this.control, WRITTEN);
  }

  private publish(n: number): void {
    this.written = (this.written + n) >>> 0;
    Atomics.store(this.control, WRITTEN, this.written | 0);
    // A wake-up is a system call and a context switch: only when the reader sleeps, and only once
    // it can take as much as it asked to wait for.
    const wanted = Atomics.load(this.control, READER_WAITING);
    if (wanted !== 0 && ((this.written - Atomics.load(this.control, TAKEN)) >>> 0) >= wanted) {
      Atomics.notify(this.control, WRITTEN);
    }
  }

  private waitForRoom(): void {
    // Sleep until half the ring is free, so the threads trade places once per half ring.
    const half = this.data.length / 2;
    for (;;) {
      if (Atomics.load(this.control, ABORT) !== 0) throw new ByteRingAborted();
      Atomics.store(this.control, WRITER_WAITING, 1);
      const taken = Atomics.load(this.control, TAKEN);
      if (((this.written - taken) >>> 0) <= half) break;
      Atomics.wait(this.control, TAKEN, taken, 1000);
    }
    Atomics.store(this.control, WRITER_WAITING, 0);
    if (Atomics.load(this.control, ABORT) !== 0) throw new ByteRingAborted();
  }
}

/**
 * Reader side, as a ByteSource. At the end of the stream `onEnd` is called once, with the
 * writer's error message (null for a clean end) and the bytes delivered. `writerGone` is asked
 * while waiting: when it says the writer died without finishing, the stream ends with that error.
 */
export class ByteRingSource implements ByteSource {
  private readonly control: Int32Array;
  private readonly message: Uint16Array;
  private readonly data: Buffer;
  private readonly mask: number;
  private taken = 0;
  private delivered = 0;
  private ended = false;

  constructor(buffer: SharedArrayBuffer, private readonly onEnd: (error: string | null, bytes: number) => void,
    private readonly writerGone: () => string | null = () => null, private readonly waitMs = 250) {
    ({ control: this.control, message: this.message, data: this.data } = views(buffer));
    this.mask = this.data.length - 1;
  }

  /** Bytes the writer has read from its own source. */
  get rawBytes(): number {
    return Atomics.load(this.control, RAW_HI) * TWO32 + (Atomics.load(this.control, RAW_LO) >>> 0);
  }

  async read(into: Buffer, offset: number, length: number): Promise<number> {
    if (this.ended || length <= 0) return 0;
    for (;;) {
      const available = (Atomics.load(this.control, WRITTEN) - this.taken) >>> 0;
      if (available > 0) return this.copy(into, offset, Math.min(length, available));
      if (Atomics.load(this.control, STATE) === DONE) {
        // Everything written before DONE is visible: check once more, then end.
        if (((Atomics.load(this.control, WRITTEN) - this.taken) >>> 0) > 0) continue;
        const n = Atomics.load(this.control, MESSAGE_LENGTH);
        let error: string | null = null;
        if (n >= 0) {
          error = '';
          for (let i = 0; i < n; i++) error += String.fromCharCode(this.message[i]!);
        }
        this.end(error);
        return 0;
      }
      const gone = this.writerGone();
      if (gone !== null) {
        this.end(gone);
        return 0;
      }
      await this.waitForWriter(Math.min(length, WAKE_BYTES));
    }
  }

  /** Tell the writer to stop (it is blocked or will block on a full ring). */
  async close(): Promise<void> {
    Atomics.store(this.control, ABORT, 1);
    Atomics.notify(this.control, TAKEN);
  }

  private copy(into: Buffer, offset: number, n: number): number {
    const capacity = this.data.length;
    const pos = this.taken & this.mask;
    const first = Math.min(n, capacity - pos);
    this.data.copy(into, offset, pos, pos + first);
    if (first < n) this.data.copy(into, offset + first, 0, n - first);
    this.taken = (this.taken + n) >>> 0;
    this.delivered += n;
    Atomics.store(this.control, TAKEN, this.taken | 0);
    if (Atomics.load(this.control, WRITER_WAITING) !== 0 && ((Atomics.load(this.control, WRITTEN) - this.taken) >>> 0) <= capacity / 2) {
      Atomics.notify(this.control, TAKEN);
    }
    return n;
  }

  /** Sleep until `wanted` bytes are in the ring, the writer finishes, or the timeout. */
  private async waitForWriter(wanted: number): Promise<void> {
    Atomics.store(this.control, READER_WAITING, wanted);
    const seen = Atomics.load(this.control, WRITTEN);
    if (((seen - this.taken) >>> 0) < wanted && Atomics.load(this.control, STATE) !== DONE) {
      await waitForChange(this.control, WRITTEN, seen, this.waitMs);
    }
    Atomics.store(this.control, READER_WAITING, 0);
  }

  private end(error: string | null): void {
    this.ended = true;
    this.onEnd(error, this.delivered);
  }
}

// A sliding window over one input: readers parse bytes in buf[start, end) in place and never see
// a chunk boundary; when a record does not fit, they ask for `want` bytes and the driver refills.

import type { ByteSource } from './byte-source.js';

/** Default window; grows (up to MAX_WINDOW) only for a record larger than this. */
export const DEFAULT_WINDOW = 4 * 1024 * 1024;
/** No record, block or line may need more than this; beyond it readers report damage. */
export const MAX_WINDOW = 64 * 1024 * 1024;

export class InputBuffer {
  buf: Buffer;
  /** First unconsumed byte. Readers advance it. */
  start = 0;
  /** One past the last valid byte. */
  end = 0;
  /** The source has no more bytes. */
  eof = false;
  /** Offset, in the input's (decompressed) byte stream, of buf[0]. */
  base = 0;
  /** Bytes taken from the source so far (for progress). */
  bytesRead = 0;

  constructor(private readonly source: ByteSource, size = DEFAULT_WINDOW) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get available(): number {
    return this.end - this.start;
  }

  /** Offset in the input of buffer position `pos`. */
  offsetOf(pos: number): number {
    return this.base + pos;
  }

  /**
   * Make at least `want` bytes available from `start` if the input has them: moves the unread
   * tail to the front and reads once (a stream may deliver fewer bytes; call again while
   * `available < want && !eof`). Returns false when nothing more can come.
   */
  async fill(want = 1): Promise<boolean> {
    if (this.eof) return false;
    if (this.start > 0 && (this.start === this.end || this.buf.length - this.end < Math.max(want, 65536))) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (want > this.buf.length - this.start) {
      const size = Math.min(MAX_WINDOW, Math.max(want + this.start, this.buf.length * 2));
      const bigger = Buffer.allocUnsafe(size);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const room = this.buf.length - this.end;
    if (room === 0) return false;
    const n = await this.source.read(this.buf, this.end, room);
    if (n === 0) {
      this.eof = true;
      return false;
    }
    this.end += n;
    this.bytesRead += n;
    return true;
  }

  /** Fill until `want` bytes are available or the input ends. */
  async ensure(want: number): Promise<boolean> {
    while (this.available < want) {
      if (!(await this.fill(want))) return this.available >= want;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

// Sources of raw bytes: a file read sequentially into the caller's buffer, or a stream (stdin, a
// gunzip stream) whose chunks are copied into it. Both deliver into one reused buffer, which
// measured 1.6x faster than consuming a stream's freshly allocated chunks.

import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ByteSource {
  /** Read up to `length` bytes into `into` at `offset`; 0 means end of input. */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export class FileByteSource implements ByteSource {
  constructor(private readonly handle: FileHandle) {}

  async read(into: Buffer, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.handle.read(into, offset, length, null);
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Adapts a Readable. A stream error ends the input (the error is handed to `onError`), so a gzip
 *  stream cut short keeps everything decompressed before the cut. */
export class StreamByteSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private done = false;

  constructor(private readonly stream: Readable, private readonly onError: (error: Error) => void) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(into: Buffer, offset: number, length: number): Promise<number> {
    if (this.pending === null) {
      if (this.done) return 0;
      try {
        const r = await this.chunks.next();
        if (r.done) { this.done = true; return 0; }
        this.pending = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        this.pendingOffset = 0;
      } catch (error) {
        this.done = true;
        this.onError(error instanceof Error ? error : new Error(String(error)));
        return 0;
      }
    }
    const chunk = this.pending!;
    const n = Math.min(length, chunk.length - this.pendingOffset);
    chunk.copy(into, offset, this.pendingOffset, this.pendingOffset + n);
    this.pendingOffset += n;
    if (this.pendingOffset >= chunk.length) this.pending = null;
    return n;
  }

  async close(): Promise<void> {
    this.stream.destroy();
  }
}

// Where command output goes: standard output or `-o FILE`, written in large chunks with
// backpressure so that millions of rows neither pile up in memory nor cost a syscall each.

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const CHUNK = 1 << 16;
/** Unwritten bytes the stream may hold before backpressure() asks the producer to wait. Above the
 *  pipe's own 64 KiB, so that a consumer keeping up never makes the producer wait. */
const HIGH_WATER = 1 << 20;

export class OutputWriter {
  private parts: string[] = [];
  private pending = 0;
  private readonly stream: Writable;
  private readonly file: WriteStream | null;
  /** The first write error (cannot create -o FILE, disk full, reader of the pipe gone): rethrown by
   *  the next write, never left as an unhandled 'error' event. */
  private failure: Error | null = null;

  constructor(path: string | undefined) {
    this.file = path && path !== '-' ? createWriteStream(path) : null;
    this.stream = this.file ?? process.stdout;
    this.stream.on('error', (error: NodeJS.ErrnoException) => {
      if (this.file && error.path === undefined) error.path = path; // name the file in the message
      this.failure ??= error;
    });
  }

  /** True when the output is an interactive terminal (decides table vs ndjson, colour). */
  get isTerminal(): boolean {
    return this.file === null && process.stdout.isTTY === true;
  }

  /** Append text; returns a promise only when the buffer was flushed into a full stream. */
  write(text: string): Promise<void> | undefined {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= CHUNK) return this.flush();
    return undefined;
  }

  /**
   * Append text without waiting, for a producer that cannot await per line (packets' segment
   * callback): full chunks go to the stream at once, and the producer keeps the stream's buffer
   * bounded by awaiting backpressure() between its batches. Throws the first write error.
   */
  append(text: string): void {
    if (this.failure) throw this.failure;
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= CHUNK) this.writeParts();
  }

  /**
   * undefined while the stream can take more; when more than HIGH_WATER bytes wait in it (a slow
   * pipe), a promise that resolves once it has drained, or rejects with the write error (EPIPE when
   * the reader went away). A stream that writes synchronously (a file, a terminal) never waits.
   */
  backpressure(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    // needDrain too: 'drain' comes only after a write() that returned false, and goes to 0 bytes.
    if (this.stream.writableLength < HIGH_WATER || !this.stream.writableNeedDrain) return undefined;
    return this.drained();
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.parts.length === 0) return;
    if (!this.writeParts()) await this.drained();
  }

  /** Hand the buffered parts to the stream as one string; write()'s answer (false: it is full). */
  private writeParts(): boolean {
    const text = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    return this.stream.write(text);
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.file) {
      if (!this.file.closed) {
        this.file.end();
        await once(this.file, 'close');
      }
      if (this.failure) throw this.failure;
    }
  }

  /** Raw bytes (PNG). */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    if (!this.stream.write(bytes)) await this.drained();
  }

  /** Until the stream drains or fails (no listener is left behind to reject later). */
  private async drained(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
    if (this.failure) throw this.failure;
  }
}

/** Colour follows NO_COLOR / --no-color and is off when stdout is not a terminal (contract). */
export function useColor(flag: boolean | undefined, out: OutputWriter): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (flag === true) return true;
  return out.isTerminal;
}

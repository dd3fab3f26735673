// Where command output goes: standard output or `-o FILE`, written in large chunks with
// backpressure so that millions of rows neither pile up in memory nor cost a syscall each.

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const CHUNK = 1 << 16;

export class OutputWriter {
  private parts: string[] = [];
  private pending = 0;
  private readonly stream: NodeJS.WritableStream;
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

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    if (!this.stream.write(text)) await this.drained();
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

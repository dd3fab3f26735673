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

  constructor(path: string | undefined) {
    this.file = path && path !== '-' ? createWriteStream(path) : null;
    this.stream = this.file ?? process.stdout;
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
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    if (!this.stream.write(text)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.file) {
      this.file.end();
      await once(this.file, 'close');
    }
  }

  /** Raw bytes (PNG). */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }
}

/** Colour follows NO_COLOR / --no-color and is off when stdout is not a terminal (contract). */
export function useColor(flag: boolean | undefined, out: OutputWriter): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (flag === true) return true;
  return out.isTerminal;
}

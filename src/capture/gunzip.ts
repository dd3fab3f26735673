// Capture stage: a gzip input's compressed bytes -> zlib -> decompressed bytes, as a ByteSource the
// capture readers read like any file. zlib runs synchronously, on the reading thread straight into
// the reader's buffer, or on a thread of its own (big files) into a byte ring; Node's gunzip
// stream is the fallback when this Node lacks what the synchronous engine uses.

import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';
import { ByteRingSource, createByteRing } from './byte-ring.js';
import { StreamByteSource, type ByteSource } from './byte-source.js';
import type { InflateWorkerData } from './inflate-worker.js';
import { spawnWorker } from './spawn-worker.js';

/** Compressed bytes staged per read of the raw source; always filled whole (but at the end), so
 *  zlib meets the same input boundaries however a pipe delivers the bytes. */
const GZIP_READ = 1024 * 1024;
/** Decompressed bytes per zlib call at most. Node does not say how much a call that meets damage
 *  produced, so its output is dropped: on damage, at most this much capture before the damaged
 *  spot is lost. Calls are cheap here: reading the 2 M-packet gzip bench file took the same time
 *  with 64 KiB as with 256 KiB, and 7% longer with 16 KiB. */
export const GZIP_OUT_CALL = 64 * 1024;

/** A gzip input's decompressed bytes. */
export interface GzipSource extends ByteSource {
  /** Compressed bytes read from the raw source so far. */
  compressed(): number;
}

/** Called once at the end: `error` is null when the stream ended cleanly, else zlib's message
 *  (what zlib produced before the call that met the damage has been delivered; see GZIP_OUT_CALL);
 *  `produced` counts the decompressed bytes delivered. */
export type GzipEnd = (error: string | null, produced: number) => void;

export type GzipEngine = 'sync' | 'stream';

/**
 * Decompress `head` (compressed bytes already read) and then the rest of `raw`. The engine is
 * zlib called synchronously ('sync', when this Node offers it) or Node's gunzip stream ('stream');
 * both keep the same data before a damaged spot however the input arrives.
 */
export function gzipSource(raw: ByteSource, head: Buffer, onEnd: GzipEnd, engine: GzipEngine = 'sync'): GzipSource {
  const zlib = engine === 'sync' ? SyncGunzip.open() : null;
  return zlib !== null ? new InflatingSource(raw, head, onEnd, zlib) : new StreamInflatingSource(raw, head, onEnd);
}

/** Whether this Node offers the synchronous engine (a test notices when a Node release drops it). */
export function syncGunzipAvailable(): boolean {
  const zlib = SyncGunzip.open();
  zlib?.close();
  return zlib !== null;
}

/**
 * Inflate the gzip file at `path` on a worker thread of its own (the synchronous engine there),
 * read through a byte ring: inflating then runs beside the decoding instead of before it.
 */
export function gzipFileOnThread(path: string, onEnd: GzipEnd): GzipSource {
  const ring = createByteRing();
  const worker = spawnWorker('inflate-worker', { path, buffer: ring } satisfies InflateWorkerData);
  let gone: string | null = null;
  worker.on('error', (error) => {
    gone = `the inflating thread failed: ${error.message}`;
  });
  worker.on('exit', (code) => {
    gone ??= `the inflating thread exited (code ${code}) before the end`;
  });
  const source = new ByteRingSource(ring, onEnd, () => gone);
  return {
    compressed: () => source.rawBytes,
    read: (into, offset, length) => source.read(into, offset, length),
    close: async () => {
      await source.close();
      await worker.terminate();
    },
  };
}

// ---- the synchronous engine ----------------------------------------------------------------------

/** The native zlib handle behind Node's zlib streams (lib/zlib.js: `_handle`, `_writeState`). */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number) => void;
}

/**
 * zlib's inflate called synchronously through the handle Node's own gunzip stream drives: the same
 * native code (multi-member files, trailing zeros and error messages included), without a round
 * trip through the thread pool and the event loop per call. Reading the 2 M-packet gzip bench
 * file: 0.85 s this way against 1.48 s through the stream. The handle is not public API: when a
 * Node lacks it, `open` returns null and the stream engine is used.
 */
class SyncGunzip {
  error: string | null = null;
  /** After `write`: input bytes consumed and output bytes produced. */
  consumed = 0;
  produced = 0;

  private constructor(private readonly stream: { destroy(): void }, private readonly handle: ZlibHandle,
    private readonly state: Uint32Array) {
    // Replaces the stream's handler, which would destroy the stream and emit 'error'.
    handle.onerror = (message) => {
      this.error = message;
    };
  }

  static open(): SyncGunzip | null {
    const stream = createGunzip() as unknown as { _handle?: Partial<ZlibHandle>; _writeState?: unknown; destroy(): void };
    const handle = stream._handle;
    if (handle === undefined || typeof handle.writeSync !== 'function' || !(stream._writeState instanceof Uint32Array)
      || stream._writeState.length !== 2) {
      stream.destroy();
      return null;
    }
    return new SyncGunzip(stream, handle as ZlibHandle, stream._writeState);
  }

  /** One inflate call. False on damage (this call's output is then unknown, so lost). */
  write(finish: boolean, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): boolean {
    this.handle.writeSync(finish ? constants.Z_FINISH : constants.Z_NO_FLUSH, input, inOff, inLen, out, outOff, outLen);
    if (this.error !== null) return false;
    this.produced = outLen - this.state[0]!;
    this.consumed = inLen - this.state[1]!;
    return true;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** Inflates on demand, when the reader asks for bytes, into the reader's own buffer. */
class InflatingSource implements GzipSource {
  private readonly stage = Buffer.allocUnsafe(GZIP_READ);
  private inOff = 0;
  private inLen = 0;
  private headAt = 0;
  private rawEnded = false;
  private rawError: string | null = null;
  private rawBytes = 0;
  private total = 0;
  private ended = false;

  constructor(private readonly raw: ByteSource, private readonly head: Buffer, private readonly onEnd: GzipEnd,
    private readonly zlib: SyncGunzip) {}

  compressed(): number {
    return this.rawBytes;
  }

  async read(into: Buffer, offset: number, length: number): Promise<number> {
    let produced = 0;
    while (!this.ended && produced < length) {
      if (this.inLen === 0 && !this.rawEnded) await this.stageMore();
      const finish = this.inLen === 0 && this.rawEnded;
      const want = Math.min(length - produced, GZIP_OUT_CALL);
      const z = this.zlib;
      if (!z.write(finish, this.stage, this.inOff, this.inLen, into, offset + produced, want)) {
        this.end(z.error);
        break;
      }
      produced += z.produced;
      this.total += z.produced;
      this.inOff += z.consumed;
      this.inLen -= z.consumed;
      if (z.produced === want) continue; // the output was full: more may follow
      // Room was left: zlib needs more input, or the stream is complete.
      if (finish) this.end(this.rawError);
      // Input left over with room to spare: the stream ended before the file did (trailing zeros,
      // which gunzip ignores, like Node's gunzip stream).
      else if (this.inLen > 0) this.end(null);
      else if (produced > 0) break;
    }
    return produced;
  }

  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.zlib.close();
    }
    await this.raw.close();
  }

  /** Fill the stage whole from the head and the raw source (less only at the end). */
  private async stageMore(): Promise<void> {
    let filled = 0;
    if (this.headAt < this.head.length) {
      filled = this.head.copy(this.stage, 0, this.headAt);
      this.headAt += filled;
      this.rawBytes += filled;
    }
    try {
      while (filled < GZIP_READ) {
        const n = await this.raw.read(this.stage, filled, GZIP_READ - filled);
        if (n === 0) {
          this.rawEnded = true;
          break;
        }
        filled += n;
        this.rawBytes += n;
      }
    } catch (error) {
      // What was staged is still inflated; the stream then ends with the read error.
      this.rawEnded = true;
      this.rawError = error instanceof Error ? error.message : String(error);
    }
    this.inOff = 0;
    this.inLen = filled;
  }

  private end(error: string | null): void {
    this.ended = true;
    this.zlib.close();
    this.onEnd(error, this.total);
  }
}

// ---- the stream engine (fallback) ----------------------------------------------------------------

/** Compressed bytes per gunzip write. Each write is a round trip to the thread pool: 16 KiB pieces
 *  made an incompressible 1.8 GB capture take 13 s to read instead of 8.5. */
const STREAM_PIECE = 256 * 1024;
/** Decompressed bytes per zlib call, so at most lost before damage. Each call is a round trip
 *  through the event loop: 64 KiB made the round trips, not inflating, set the pace (2.7 s instead
 *  of 1.9 s for a 1.9 GB capture); with 1 MiB a damaged capture under 1 MiB kept nothing at all. */
export const STREAM_OUT_CHUNK = 256 * 1024;
/** Decompressed bytes buffered ahead of the reader, at most (about: one compressed piece more). */
const STREAM_OUT_BUFFER = 4 * 1024 * 1024;

/**
 * Node's gunzip stream. Compressed bytes go to gunzip in pieces of STREAM_PIECE at fixed offsets,
 * whatever sizes the file or pipe delivered: the output zlib has made when it meets damage, and so
 * what is read before it, is then the same for every way the input arrives. gunzip flows (it is
 * never paused) into a PassThrough, which never fails and is drained at the reader's pace (reading
 * gunzip itself lost its buffered output on error, an amount that depended on how the input was
 * chunked); the PassThrough's fill paces the feeding.
 */
class StreamInflatingSource implements GzipSource {
  private rawBytes = 0;
  private ended = false;
  private readonly gunzip = createGunzip({ chunkSize: STREAM_OUT_CHUNK });
  private readonly out = new PassThrough({ highWaterMark: STREAM_OUT_BUFFER });
  private readonly source = new StreamByteSource(this.out, () => undefined);
  /** Aborted by close(): a feeder waiting for 'drain' from a stream nobody reads any more would
   *  otherwise wait forever (destroy() emits 'close', never 'drain'). */
  private readonly closing = new AbortController();
  /** The feeder's run: settles once every compressed byte is fed, or soon after close(). */
  readonly feeding: Promise<void>;

  constructor(private readonly raw: ByteSource, head: Buffer, onEnd: GzipEnd) {
    let produced = 0;
    const finish = (error: string | null): void => {
      if (this.ended) return;
      this.ended = true;
      onEnd(error, produced);
      this.out.end();
    };
    this.gunzip.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      produced += chunk.length;
      this.out.write(chunk);
    });
    this.gunzip.on('end', () => finish(null));
    this.gunzip.on('error', (error) => finish(error.message));
    this.feeding = this.feed(head).catch((error: unknown) => {
      if (this.closing.signal.aborted) return;
      if (!this.gunzip.destroyed) this.gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  }

  compressed(): number {
    return this.rawBytes;
  }

  read(into: Buffer, offset: number, length: number): Promise<number> {
    return this.source.read(into, offset, length);
  }

  async close(): Promise<void> {
    this.ended = true;
    this.closing.abort();
    this.gunzip.destroy();
    await this.source.close();
    await this.raw.close();
  }

  private async feed(head: Buffer): Promise<void> {
    const piece = Buffer.allocUnsafe(STREAM_PIECE);
    let filled = 0;
    const take = async (data: Buffer): Promise<void> => {
      for (let at = 0; at < data.length;) {
        const n = Math.min(STREAM_PIECE - filled, data.length - at);
        data.copy(piece, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === STREAM_PIECE) {
          filled = 0;
          await this.write(Buffer.from(piece));
        }
      }
    };
    this.rawBytes += head.length;
    await take(head);
    const scratch = Buffer.allocUnsafe(GZIP_READ);
    for (;;) {
      if (this.gunzip.destroyed) return;
      const n = await this.raw.read(scratch, 0, scratch.length);
      if (n === 0) break;
      this.rawBytes += n;
      await take(scratch.subarray(0, n));
    }
    if (filled > 0) await this.write(Buffer.from(piece.subarray(0, filled)));
    this.gunzip.end();
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.gunzip.destroyed) return;
    const signal = this.closing.signal;
    if (!this.gunzip.write(chunk)) await once(this.gunzip, 'drain', { signal });
    if (this.out.writableLength > STREAM_OUT_BUFFER && !this.out.destroyed) await once(this.out, 'drain', { signal });
  }
}

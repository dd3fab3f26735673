// Capture stage: a gzip input's compressed bytes -> zlib (on Node's thread pool) -> decompressed
// chunks handed to a sink, in pieces that make what is read before damage independent of how the
// input arrived.

import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import type { ByteSource } from './byte-source.js';

/** Read size for the compressed side. */
const GZIP_READ = 1024 * 1024;
/** Compressed bytes per gunzip write. Each write is a round trip to the thread pool: 16 KiB pieces
 *  made an incompressible 1.8 GB capture take 13 s to read instead of 8.5. */
const GZIP_PIECE = 256 * 1024;
/** Decompressed bytes per zlib call. Each call is a round trip through the reading thread's event
 *  loop, and Node drops a failing call's output: on damage, at most this much capture before the
 *  damaged spot is lost. 64 KiB made the round trips, not inflating, set the pace (2.7 s instead of
 *  1.9 s for a 1.9 GB capture). 1 MiB read and tracked the 2 M-packet gzip bench file in 1.94-2.10 s
 *  against 2.17-2.34 s, but then a damaged capture under 1 MiB kept nothing at all (the fuzz
 *  regression "a damaged gzip stream keeps the same data however a pipe delivers it" fails). */
const GZIP_OUT_CHUNK = 256 * 1024;

export interface GunzipSink {
  /** The next decompressed chunk, in order. */
  data(chunk: Buffer): void;
  /** Called once: `error` is null when the stream ended cleanly, else zlib's message (everything
   *  before the damage has been handed to `data`). `produced` counts the decompressed bytes. */
  end(error: string | null, produced: number): void;
  /** A promise when the sink wants the feeding to wait (between compressed pieces). */
  room(): Promise<void> | undefined;
}

export interface Gunzip {
  /** Compressed bytes read from the source so far. */
  compressed(): number;
  /** Stop inflating; the sink gets no more calls. */
  destroy(): void;
}

/**
 * Inflate `head` (compressed bytes already read) and then the rest of `raw` into `sink`.
 * Compressed bytes go to gunzip in pieces of GZIP_PIECE at fixed offsets, whatever sizes the file
 * or pipe delivered: the output zlib has made when it meets damage, and so what is read before it,
 * is then the same for every way the input arrives. gunzip flows (it is never paused), so every
 * chunk it produced before a damaged or cut-short spot reaches the sink before its error, whatever
 * the pace of the consumer; the sink paces the feeding instead (`room`).
 */
export function gunzipInto(raw: ByteSource, head: Buffer, sink: GunzipSink): Gunzip {
  let compressed = 0;
  let produced = 0;
  let ended = false;
  const finish = (error: string | null): void => {
    if (ended) return;
    ended = true;
    sink.end(error, produced);
  };

  // One read buffer; each piece is a copy (a pipe delivers 64 KiB or less per read: a fresh 1 MiB
  // buffer each time cost more than the decompression).
  async function* compressedChunks(): AsyncGenerator<Buffer> {
    const piece = Buffer.allocUnsafe(GZIP_PIECE);
    let filled = 0;
    function* take(data: Buffer): Generator<Buffer> {
      for (let at = 0; at < data.length;) {
        const n = Math.min(GZIP_PIECE - filled, data.length - at);
        data.copy(piece, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === GZIP_PIECE) {
          yield Buffer.from(piece);
          filled = 0;
        }
      }
    }
    compressed += head.length;
    yield* take(head);
    const scratch = Buffer.allocUnsafe(GZIP_READ);
    for (;;) {
      const n = await raw.read(scratch, 0, scratch.length);
      if (n === 0) break;
      compressed += n;
      yield* take(scratch.subarray(0, n));
    }
    if (filled > 0) yield Buffer.from(piece.subarray(0, filled));
  }

  const gunzip = createGunzip({ chunkSize: GZIP_OUT_CHUNK });
  gunzip.on('data', (chunk: Buffer) => {
    if (ended) return;
    produced += chunk.length;
    sink.data(chunk);
  });
  gunzip.on('end', () => finish(null));
  gunzip.on('error', (error) => finish(error.message));
  const feed = async (): Promise<void> => {
    for await (const chunk of compressedChunks()) {
      if (gunzip.destroyed) return;
      if (!gunzip.write(chunk)) await once(gunzip, 'drain');
      const wait = sink.room();
      if (wait !== undefined) await wait;
    }
    gunzip.end();
  };
  feed().catch((error: unknown) => {
    if (!gunzip.destroyed) gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return {
    compressed: () => compressed,
    destroy: () => {
      ended = true;
      gunzip.destroy();
    },
  };
}

// The byte ring between an inflating thread and the decoding one: bytes come out in order across
// the wrap-around, the writer's end message arrives after the last byte, the reader can stop the
// writer, and a writer that cannot start (or dies) ends the stream with a reason instead of a hang.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteRingAborted, ByteRingSource, ByteRingWriter, createByteRing } from '../../src/capture/byte-ring.js';
import { gzipFileOnThread } from '../../src/capture/gunzip.js';

/** Bytes 0..n-1 of a fixed pseudo-random stream. */
function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.allocUnsafe(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

describe('byte ring', () => {
  it('delivers every byte in order across many wrap-arounds, then the end message', async () => {
    const ring = createByteRing(1024);
    const writer = new ByteRingWriter(ring);
    const ends: Array<[string | null, number]> = [];
    const reader = new ByteRingSource(ring, (error, bytes) => ends.push([error, bytes]));
    const data = pattern(50_000);
    const got: Buffer[] = [];
    const into = Buffer.alloc(700);
    let at = 0;
    let buffered = 0;
    // One thread plays both sides, so the writer must never wait for room: fill while there is
    // some (odd sizes, so stretches straddle the end of the ring), then read part of it back.
    for (let round = 0; at < data.length; round++) {
      for (let k = 0; k < 3 && at < data.length && buffered < 1024; k++) {
        const n = await writer.fill(async (buf, offset, length) => {
          const m = Math.min(length, 333 + (round % 5) * 17, data.length - at);
          data.copy(buf, offset, at, at + m);
          return m;
        });
        at += n;
        buffered += n;
      }
      const n = await reader.read(into, 0, 100 + (round % 7) * 90);
      buffered -= n;
      got.push(Buffer.from(into.subarray(0, n)));
    }
    for (let n; buffered > 0; buffered -= n) {
      n = await reader.read(into, 0, into.length);
      got.push(Buffer.from(into.subarray(0, n)));
    }
    writer.write(Buffer.from('tail'));
    writer.finish('the stream was damaged');
    for (let n; (n = await reader.read(into, 0, into.length)) > 0;) got.push(Buffer.from(into.subarray(0, n)));
    assert.deepEqual(Buffer.concat(got), Buffer.concat([data, Buffer.from('tail')]));
    assert.deepEqual(ends, [['the stream was damaged', data.length + 4]]);
    assert.equal(await reader.read(into, 0, 10), 0, 'ended for good');
  });

  it('a clean end reports null; progress carries raw byte counts past 2^32', async () => {
    const ring = createByteRing(256);
    const writer = new ByteRingWriter(ring);
    let end: unknown = 'not yet';
    const reader = new ByteRingSource(ring, (error) => { end = error; });
    writer.progress(5 * 2 ** 32 + 12345);
    assert.equal(reader.rawBytes, 5 * 2 ** 32 + 12345);
    writer.write(Buffer.from('abc'));
    writer.finish(null);
    const into = Buffer.alloc(10);
    assert.equal(await reader.read(into, 0, 10), 3);
    assert.equal(await reader.read(into, 0, 10), 0);
    assert.equal(end, null);
  });

  it('a reader that closes stops a writer waiting for room', async () => {
    const ring = createByteRing(256);
    const writer = new ByteRingWriter(ring);
    const reader = new ByteRingSource(ring, () => undefined);
    writer.write(pattern(256));
    await reader.close();
    assert.throws(() => writer.write(Buffer.from('x')), ByteRingAborted);
  });

  it('a writer that is gone without finishing ends the stream with the reason', async () => {
    const ring = createByteRing(256);
    let end: unknown;
    const reader = new ByteRingSource(ring, (error) => { end = error; }, () => 'the writer exited', 5);
    assert.equal(await reader.read(Buffer.alloc(4), 0, 4), 0);
    assert.equal(end, 'the writer exited');
  });

  it('an inflating thread that cannot open its file ends the stream with why, and no hang', async () => {
    let end: unknown;
    const source = gzipFileOnThread('/nonexistent/finscope/x.pcap.gz', (error) => { end = error; });
    assert.equal(await source.read(Buffer.alloc(64), 0, 64), 0);
    await source.close();
    assert.match(String(end), /cannot reopen it to decompress: .*ENOENT/);
  });
});

// Robustness: damaged inputs (every prefix, random byte and bit damage, corrupt lengths) never
// throw out of the readers: either CaptureFormatError before the first segment (the file is not a
// capture at all) or segments plus issues.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { CaptureFormatError } from '../../src/errors.js';
import { collect } from './collect-segments.js';
import { writePcap, writePcapng } from './capture-writer.js';
import { syntheticRecords } from './synthetic-traffic.js';

const records = syntheticRecords(40, 9);
const samples: Array<[string, Buffer]> = [
  ['pcap', writePcap(records, { linkType: 1 })],
  ['pcap ns big-endian', writePcap(records.map((r) => ({ ...r, frac: r.frac * 1000 })), { linkType: 1, nano: true, bigEndian: true })],
  ['pcapng two sections', writePcapng([
    { interfaces: [{ linkType: 1 }, { linkType: 113 }], packets: records.slice(0, 20).map((r) => ({ interfaceId: 0, ticks: BigInt(r.sec) * 1_000_000n, data: r.data, origLen: r.origLen })) },
    { bigEndian: true, interfaces: [{ linkType: 1, tsresol: 0x80 | 20 }], packets: records.slice(20).map((r) => ({ interfaceId: 0, ticks: BigInt(r.sec) << 20n, data: r.data, origLen: r.origLen })) },
  ])],
];

async function readBytes(bytes: Buffer): Promise<void> {
  try {
    const { segments, summary } = await collect(['-'], { stdin: Readable.from([bytes]) });
    assert.ok(segments.length <= summary.records);
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
  }
}

describe('damaged inputs never throw out of a reader', () => {
  for (const [name, bytes] of samples) {
    it(`${name}: every prefix`, async () => {
      for (let n = 0; n <= bytes.length; n += n < 200 ? 1 : 7) await readBytes(bytes.subarray(0, n));
    });

    it(`${name}: 250 random mutations`, async () => {
      let state = 7;
      const rand = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) % n; };
      for (let round = 0; round < 250; round++) {
        const copy = Buffer.from(bytes);
        const edits = 1 + rand(8);
        for (let e = 0; e < edits; e++) {
          const at = rand(copy.length);
          switch (rand(4)) {
            case 0: copy[at] = copy[at]! ^ (1 << rand(8)); break; // bit flip
            case 1: copy[at] = rand(256); break; // random byte
            case 2: if (at + 4 <= copy.length) copy.writeUInt32LE(rand(2 ** 31) * 2, at); break; // wild length
            default: if (at + 2 <= copy.length) copy.writeUInt16BE([0, 5, 20, 40, 0xffff][rand(5)]!, at); break; // edge values
          }
        }
        await readBytes(copy.subarray(0, rand(4) === 0 ? rand(copy.length) : copy.length));
      }
    });
  }
});

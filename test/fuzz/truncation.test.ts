// Truncation at every record boundary and inside every record, of every sample pcap and of
// generated pcap and pcapng files: what was read before the cut is kept, and a cut inside a record
// is reported at that record's number and byte offset (found by layout.ts, not by the reader).

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analysis/analyze.js';
import { CaptureFormatError } from '../../src/errors.js';
import { conversations, writePcap, writePcapng } from './captures.js';
import { scanLayout } from './layout.js';
import { Rng } from './rng.js';
import { REPO_ROOT } from './seeds.js';

async function read(bytes: Buffer) {
  try {
    return await analyze('-', { stdin: Readable.from([bytes]) });
  } catch (error) {
    if (error instanceof CaptureFormatError) return null;
    throw error;
  }
}

function sources(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  const dir = join(REPO_ROOT, 'samples');
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.pcap')) out.push([`samples/${name}`, readFileSync(join(dir, name))]);
  for (let i = 0; i < 3; i++) {
    const rng = new Rng(500 + i, 1);
    const packets = conversations(rng, 3);
    out.push([`generated pcap ${i}`, writePcap(packets, rng)], [`generated pcapng ${i}`, writePcapng(packets, rng)]);
  }
  return out;
}

describe('truncation at and inside every record', () => {
  for (const [name, bytes] of sources()) {
    it(name, async () => {
      const layout = scanLayout(bytes);
      assert.notEqual(layout.format, 'other');
      const whole = await read(bytes);
      assert.ok(whole, 'the intact file is readable');
      const b = layout.boundaries;
      let reported = 0;
      for (let k = 1; k < b.length - 1; k++) {
        const at = b[k]!;
        // Exactly at a boundary: no damage to report from the cut itself, and never more segments than whole.
        const clean = await read(bytes.subarray(0, at));
        if (clean) {
          assert.ok(clean.segmentCount <= whole.segmentCount);
          assert.equal(clean.issues.counts.get('truncated-file') ?? 0, 0, `${name}: cut at boundary ${at} reported as truncated`);
        }
        // Inside the record (header and body): reported at that record's offset.
        for (const delta of [1, 9, Math.max(1, Math.floor((b[k + 1]! - at) / 2))]) {
          if (at + delta >= b[k + 1]!) continue;
          const cut = await read(bytes.subarray(0, at + delta));
          if (!cut) continue; // cut inside the first header block: not a capture at all
          assert.ok(cut.segmentCount <= whole.segmentCount);
          const t = cut.issues.kept.find((i) => i.code === 'truncated-file');
          assert.ok(t, `${name}: cut at ${at}+${delta} not reported`);
          assert.equal(t.byteOffset, at, `${name}: cut at ${at}+${delta} reported at byte ${t.byteOffset}`);
          reported++;
        }
      }
      assert.ok(reported >= b.length - 3, `${name}: only ${reported} cuts checked`);
    });
  }
});

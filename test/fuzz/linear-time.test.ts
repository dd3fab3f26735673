// Time linear in the input, for damaged input too (pcap-parser goes quadratic on a corrupt length;
// tcptrace has similar reports): 8x the input may cost at most ~8x the time (with slack for a busy
// machine), and two slow paths found while fuzzing stay fixed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { analyze, type AnalyzeOptions } from '../../src/analysis/analyze.js';
import { renderSummary } from '../../src/render/summary.js';
import { formatTable, ndjsonLine } from '../../src/render/flows.js';
import { renderTimeline, timelineModelFromConnections } from '../../src/render/svg/index.js';
import { renderHtmlReport } from '../../src/render/report/index.js';
import { conversations, writePcap, writeText } from './captures.js';
import { scanLayout, writeField, type FieldKind } from './layout.js';
import { Rng } from './rng.js';

function chunks(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

/** Best of three: the machine may be busy with other work. */
async function ms(fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function read(bytes: Buffer, size: number, options: AnalyzeOptions = {}) {
  return analyze('-', { ...options, stdin: Readable.from(chunks(bytes, size), { objectMode: false }) });
}

const DAMAGE: FieldKind[] = ['ip-ihl', 'tcp-data-offset', 'ip-total-length', 'tcp-option-length', 'ip6-ext-length', 'ip6-payload-length'];

/** A pcap of `conversations` conversations with a length field damaged in every third packet. */
function damagedPcap(count: number): Buffer {
  const rng = new Rng(count, 9);
  const bytes = Buffer.from(writePcap(conversations(rng, count), rng));
  const fields = scanLayout(bytes).fields.filter((f) => DAMAGE.includes(f.kind));
  for (let i = 0; i < fields.length; i += 3) writeField(bytes, fields[i]!, rng.pick([0, 1, 2, 3, 15, 0xff, 0xffff]));
  return bytes;
}

function assertLinear(what: string, small: number, large: number, factor: number): void {
  // 3x slack over the size ratio, plus a floor for timer noise on small runs.
  assert.ok(large <= small * factor * 3 + 300, `${what}: ${small.toFixed(0)} ms -> ${large.toFixed(0)} ms for ${factor}x the input`);
}

describe('time linear in the input', () => {
  it('pcap with a damaged length field in every third packet', async () => {
    const small = damagedPcap(150), large = damagedPcap(1200);
    const t1 = await ms(() => read(small, 1 << 20)), t8 = await ms(() => read(large, 1 << 20));
    assertLinear('damaged pcap', t1, t8, large.length / small.length);
  });

  it('tcpdump text with garbage, binary and over-long lines mixed in', async () => {
    const make = (count: number) => {
      const rng = new Rng(count, 4);
      const lines = writeText(conversations(rng, count), rng).toString('latin1').split('\n');
      for (let i = 5; i < lines.length; i += 7) lines.splice(i, 0, i % 21 === 5 ? 'y'.repeat(70_000) : `garbage \x00\x1b line ${i} : Flags [ seq , ack`);
      return Buffer.from(lines.join('\n'), 'latin1');
    };
    const small = make(100), large = make(800);
    const t1 = await ms(() => read(small, 65536, { inputFormat: 'tcpdump' })), t8 = await ms(() => read(large, 65536, { inputFormat: 'tcpdump' }));
    assertLinear('garbage text', t1, t8, large.length / small.length);
  });

  it('renderers (summary, flows, timeline, HTML report) over 8x the connections', async () => {
    const render = async (count: number) => {
      const rng = new Rng(count, 5);
      const r = await read(writePcap(conversations(rng, count), rng), 1 << 20, { keepSegments: true });
      renderSummary(r, { format: 'text' });
      formatTable(r.flows, false);
      for (const f of r.flows) ndjsonLine(f);
      renderTimeline(timelineModelFromConnections(r.connections, r.addresses, r.findings, r.captureStart, r.captureEnd));
      renderHtmlReport(r, { generator: 'test' });
    };
    const t1 = await ms(() => render(120)), t8 = await ms(() => render(960));
    assertLinear('renderers', t1, t8, 8);
  });

  // The two slow paths below cost O(window) or O(1 MiB) per refill, so their time grows with the
  // number of chunks, not the bytes: absolute budgets (best of three) with a wide margin, measured
  // at about 10x below what the old code took on the same (busy) machine.
  it('regression: a long text line arriving one byte at a time is searched for its newline once, not once per byte across the whole window', async () => {
    // The newline search ran on to the end of the 4 MiB window on every refill: 4 to 9 s here
    // (0.3 s now) for one 64 KiB line delivered in 1-byte chunks.
    const long = Buffer.alloc(64 * 1024, 0x41);
    const t = await ms(() => read(long, 1, { inputFormat: 'tcpdump' }));
    assert.ok(t < 3000, `one 64 KiB line in 1-byte chunks: ${t.toFixed(0)} ms`);
  });

  it('regression: gzip read from a pipe in small chunks allocates for the bytes read, not 1 MiB per chunk', async () => {
    // Each read of the compressed side took a fresh 1 MiB buffer: 33 KB of gzip in 4-byte chunks
    // took 4 to 5 s (0.5 s now).
    const z = gzipSync(writePcap(conversations(new Rng(1, 1), 60), new Rng(1, 2)));
    const t = await ms(() => read(z, 4));
    assert.ok(t < 2500, `${z.length} bytes of gzip in 4-byte chunks: ${t.toFixed(0)} ms`);
  });
});

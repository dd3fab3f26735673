// Format parity and damage: the same traffic as pcap (µs/ns, both byte orders, "modified"),
// pcapng (several sections, byte orders, resolutions, SPB/PB, unknown blocks), gzip and stdin
// must give identical segments; damaged copies keep what comes before the damage and say where.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ByteSource } from '../../src/capture/byte-source.js';
import { GZIP_OUT_CALL, STREAM_OUT_CHUNK, gzipSource, syncGunzipAvailable } from '../../src/capture/gunzip.js';
import { CaptureFormatError } from '../../src/errors.js';
import { formatIssue } from '../../src/segment/input-issues.js';
import { assertSameAsTcpdump, parseTcpdumpTcpLines, runTcpdump, tcpdumpMissing } from '../packets/tcpdump-oracle.js';
import { collect, wireFields, type SegmentSnapshot } from './collect-segments.js';
import { readPcap, writePcap, writePcapng, type NgSection, type PcapRecord } from './capture-writer.js';
import { syntheticRecords } from './synthetic-traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'finscope-formats-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const editcapMissing = spawnSync('editcap', ['-h']).error ? 'editcap (from tshark/wireshark-common) is not installed' : false;

const records = syntheticRecords(400, 3);
const base = writePcap(records, { linkType: 1 });
const basePath = put('base.pcap', base);
const layout = readPcap(base);
let reference: ReturnType<typeof wireFields>[] = [];
let referenceSegments: SegmentSnapshot[] = [];

function put(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** µs records as pcapng sections: `split` decides each record's section and interface. */
function asPcapng(sectionsSpec: Array<Omit<NgSection, 'packets'>>, place: (i: number) => [section: number, iface: number]): Buffer {
  const sections: NgSection[] = sectionsSpec.map((s) => ({ ...s, packets: [] }));
  records.forEach((r, i) => {
    const [si, ii] = place(i);
    const resolution = sections[si]!.interfaces[ii]!.tsresol ?? 6;
    const scale = 10n ** BigInt(resolution - 6);
    sections[si]!.packets.push({ interfaceId: ii, ticks: (BigInt(r.sec) * 1_000_000n + BigInt(r.frac)) * scale, data: r.data, origLen: r.origLen });
  });
  return writePcapng(sections);
}

function nsRecords(): PcapRecord[] {
  return records.map((r) => ({ ...r, frac: r.frac * 1000 }));
}

before(async () => {
  const c = await collect([basePath]);
  referenceSegments = c.segments;
  reference = c.segments.map(wireFields);
});

describe('the reference capture', () => {
  it('decodes as tcpdump prints it', { skip: tcpdumpMissing() ?? false }, () => {
    const lines = parseTcpdumpTcpLines(runTcpdump(basePath));
    assert.ok(lines.length > 300);
    assert.equal(referenceSegments.length, lines.length);
    lines.forEach((line, i) => assertSameAsTcpdump(referenceSegments[i]!, line, 'base.pcap', { nano: false }));
  });

  it('numbers records and gives their byte offsets as an independent parse finds them', () => {
    assert.equal(layout.records.length, 400);
    for (const s of referenceSegments) assert.equal(s.byteOffset, layout.records[s.record - 1]!.offset, `record ${s.record}`);
    const nonTcp = layout.records.length - referenceSegments.length;
    assert.ok(nonTcp > 10, 'the mix has non-TCP records');
  });
});

describe('same traffic, every format: identical segments', () => {
  const variants: Array<[string, () => Buffer, string?]> = [
    ['pcap µs big-endian', () => writePcap(records, { linkType: 1, bigEndian: true })],
    ['pcap ns little-endian', () => writePcap(nsRecords(), { linkType: 1, nano: true })],
    ['pcap ns big-endian', () => writePcap(nsRecords(), { linkType: 1, nano: true, bigEndian: true })],
    ['pcapng, one section, µs', () => asPcapng([{ interfaces: [{ linkType: 1 }] }], () => [0, 0])],
    ['pcapng big-endian, ns', () => asPcapng([{ bigEndian: true, interfaces: [{ linkType: 1, tsresol: 9 }] }], () => [0, 0])],
    ['pcapng, three sections in both byte orders, two interfaces, unknown blocks', () => asPcapng([
      { interfaces: [{ linkType: 1 }, { linkType: 1, tsresol: 9 }], extraBlocks: [{ type: 4, body: Buffer.alloc(8) }] },
      { bigEndian: true, interfaces: [{ linkType: 1, tsresol: 9 }], extraBlocks: [{ type: 0x40000bad, body: Buffer.alloc(20) }, { type: 5, body: Buffer.alloc(12) }] },
      { interfaces: [{ linkType: 1, tsresol: 7 }, { linkType: 1 }] },
    ], (i) => (i < 130 ? [0, i % 2] : i < 270 ? [1, 0] : [2, i % 2]))],
    ['gzip of pcap', () => gzipSync(base)],
    ['gzip of pcapng', () => gzipSync(asPcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }] }], () => [0, 0]))],
  ];
  for (const [name, make] of variants) {
    it(name, async () => {
      const path = put(`${name.replace(/[^a-z0-9]+/gi, '-')}.cap`, make());
      const { segments, summary, issues } = await collect([path]);
      assert.equal(issues.total, 0, issues.kept.map(formatIssue).join('\n'));
      assert.deepEqual(segments.map(wireFields), reference);
      assert.equal(summary.inputs[0]!.records, 400);
      assert.equal(summary.inputs[0]!.gzip, name.startsWith('gzip'));
      assert.deepEqual(summary.inputs[0]!.linkTypes, [1]);
    });
  }

  for (const [type, name] of [['pcapng', 'pcapng'], ['nsecpcap', 'pcap ns'], ['modpcap', 'modified pcap (a1b2cd34)']] as const) {
    it(`editcap -F ${type} (${name}, an independent writer)`, { skip: editcapMissing }, async () => {
      const path = join(dir, `editcap-${type}.cap`);
      const r = spawnSync('editcap', ['-F', type, basePath, path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const { segments, summary } = await collect([path]);
      assert.equal(summary.inputs[0]!.format, type === 'pcapng' ? 'pcapng' : 'pcap');
      assert.deepEqual(segments.map(wireFields), reference);
    });
  }

  it('standard input, plain and gzip', async () => {
    for (const bytes of [base, gzipSync(base)]) {
      const { segments, summary } = await collect(['-'], { stdin: Readable.from([bytes]) });
      assert.deepEqual(segments.map(wireFields), reference);
      assert.equal(summary.inputs[0]!.name, '-');
    }
  });
});

describe('chunk boundaries: the same bytes in 1..7-byte chunks give the same result', () => {
  function chunked(bytes: Buffer, seed: number): Readable {
    const chunks: Buffer[] = [];
    let state = seed;
    for (let p = 0; p < bytes.length;) {
      state = (state * 1103515245 + 12345) >>> 0;
      const n = 1 + ((state >>> 16) % 7);
      chunks.push(Buffer.from(bytes.subarray(p, p + n)));
      p += n;
    }
    return Readable.from(chunks);
  }
  const small = records.slice(0, 120);
  const inputs: Array<[string, Buffer]> = [
    ['pcap', writePcap(small, { linkType: 1 })],
    ['pcap ns big-endian', writePcap(small.map((r) => ({ ...r, frac: r.frac * 1000 })), { linkType: 1, nano: true, bigEndian: true })],
    ['pcapng, two sections', writePcapng([
      { interfaces: [{ linkType: 1 }], packets: small.slice(0, 60).map((r) => ({ interfaceId: 0, ticks: BigInt(r.sec) * 1_000_000n + BigInt(r.frac), data: r.data, origLen: r.origLen })) },
      { bigEndian: true, interfaces: [{ linkType: 1 }], packets: small.slice(60).map((r) => ({ interfaceId: 0, ticks: BigInt(r.sec) * 1_000_000n + BigInt(r.frac), data: r.data, origLen: r.origLen })) },
    ])],
  ];
  for (const [name, bytes] of inputs) {
    for (const variant of ['whole', 'cut inside the last record', 'gzip']) {
      it(`${name}, ${variant}`, async () => {
        const data = variant === 'whole' ? bytes : variant === 'gzip' ? gzipSync(bytes) : bytes.subarray(0, bytes.length - 37);
        const path = put(`chunks-${name.replace(/\W+/g, '-')}-${variant.replace(/\W+/g, '-')}`, data);
        const fromFile = await collect([path]);
        for (const seed of [1, 2]) {
          const fromChunks = await collect(['-'], { stdin: chunked(data, seed) });
          assert.deepEqual(fromChunks.segments, fromFile.segments);
          assert.deepEqual(fromChunks.issues.kept.map((i) => ({ ...i, input: '' })), fromFile.issues.kept.map((i) => ({ ...i, input: '' })));
        }
        assert.ok(fromFile.segments.length > 50);
      });
    }
  }
});

describe('damage: keep what comes before, report record and byte offset', () => {
  const k = 250; // 0-based index of the damaged record
  const at = layout.records[k]!.offset;
  const before = () => referenceSegments.filter((s) => s.record <= k).map(wireFields);

  for (const [where, cut] of [['inside the record header', 7], ['inside the packet data', 16 + 20]] as const) {
    it(`a pcap cut ${where}: truncated-file naming record ${k + 1} at byte ${at}`, async () => {
      const { segments, issues, summary } = await collect([put(`cut-${cut}.pcap`, base.subarray(0, at + cut))]);
      assert.deepEqual(segments.map(wireFields), before());
      assert.equal(summary.inputs[0]!.records, k);
      assert.equal(issues.counts.get('truncated-file'), 1);
      const issue = issues.kept[0]!;
      assert.deepEqual([issue.code, issue.record, issue.byteOffset], ['truncated-file', k + 1, at]);
      assert.match(formatIssue(issue), new RegExp(`record ${k + 1}, byte offset ${at}: truncated-file`));
    });
  }

  it('a truncated pcap inside gzip: the same warning', async () => {
    const { segments, issues } = await collect([put('cut.pcap.gz', gzipSync(base.subarray(0, at + 30)))]);
    assert.deepEqual(segments.map(wireFields), before());
    assert.deepEqual([issues.kept[0]!.code, issues.kept[0]!.record, issues.kept[0]!.byteOffset], ['truncated-file', k + 1, at]);
  });

  it('a gzip stream cut short: gzip-error, and the packets decompressed before the cut', async () => {
    const gz = gzipSync(base);
    const { segments, issues } = await collect([put('short.gz', gz.subarray(0, Math.floor(gz.length * 0.6)))]);
    assert.equal(issues.counts.get('gzip-error'), 1);
    assert.ok(segments.length > 50 && segments.length < reference.length, `${segments.length} segments`);
    assert.deepEqual(segments.map(wireFields), reference.slice(0, segments.length));
  });

  it('a pcapng cut inside a block: truncated-file at the block start', async () => {
    const ng = asPcapng([{ interfaces: [{ linkType: 1 }] }], () => [0, 0]);
    // independent block walk: SHB, IDB, then one EPB per record
    const offsets: number[] = [];
    for (let p = 0; p < ng.length; p += ng.readUInt32LE(p + 4)) offsets.push(p);
    const blockStart = offsets[2 + k]!;
    const { segments, issues } = await collect([put('cut.pcapng', ng.subarray(0, blockStart + 40))]);
    assert.deepEqual(segments.map(wireFields), before());
    assert.deepEqual([issues.kept[0]!.code, issues.kept[0]!.record, issues.kept[0]!.byteOffset], ['truncated-file', k + 1, blockStart]);
  });

  it('a corrupt caplen: bad-record-length at once (no buffering the rest of the file)', async () => {
    const bad = Buffer.from(base);
    bad.writeUInt32LE(0x7fffffff, at + 8);
    const { segments, issues } = await collect([put('caplen.pcap', bad)]);
    assert.deepEqual(segments.map(wireFields), before());
    assert.deepEqual([issues.kept[0]!.code, issues.kept[0]!.record, issues.kept[0]!.byteOffset], ['bad-record-length', k + 1, at]);
    assert.match(issues.kept[0]!.detail, /2147483647/);
  });

  it('a caplen above the snap length but within 256 KiB is not damage; above it is', async () => {
    const small = writePcap(records.slice(0, 3), { linkType: 1, snaplen: 96 });
    assert.equal((await collect([put('snap96.pcap', small)])).issues.total, 0);
    const bad = Buffer.from(small);
    bad.writeUInt32LE(262145, 24 + 8);
    const { issues } = await collect([put('snap96-bad.pcap', bad)]);
    assert.equal(issues.kept[0]!.code, 'bad-record-length');
  });

  it('a pcapng block whose trailing length disagrees: bad-block, and what came before', async () => {
    const ng = Buffer.from(asPcapng([{ interfaces: [{ linkType: 1 }] }], () => [0, 0]));
    const offsets: number[] = [];
    for (let p = 0; p < ng.length; p += ng.readUInt32LE(p + 4)) offsets.push(p);
    const blockStart = offsets[2 + k]!;
    const length = ng.readUInt32LE(blockStart + 4);
    ng.writeUInt32LE(length + 4, blockStart + length - 4);
    const { segments, issues } = await collect([put('trailer.pcapng', ng)]);
    assert.deepEqual(segments.map(wireFields), before());
    assert.deepEqual([issues.kept[0]!.code, issues.kept[0]!.byteOffset], ['bad-block', blockStart]);
  });

  it('a packet block naming an interface the section does not have: skipped, reported', async () => {
    const ng = writePcapng([{ interfaces: [{ linkType: 1 }], packets: [
      { interfaceId: 0, ticks: 1n, data: records[0]!.data },
      { interfaceId: 3, ticks: 2n, data: records[1]!.data },
      { interfaceId: 0, ticks: 3n, data: records[2]!.data },
    ] }]);
    const { segments, issues } = await collect([put('iface.pcapng', ng)]);
    assert.deepEqual(segments.map((s) => s.record), referenceSegments.filter((s) => s.record !== 2 && s.record <= 3).map((s) => s.record));
    assert.equal(issues.kept[0]!.code, 'bad-block');
    assert.equal(issues.kept[0]!.record, 2);
  });
});

describe('not a capture: CaptureFormatError (exit 65) saying what the bytes were', () => {
  it('a zip file', async () => {
    const path = put('x.bin', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]));
    await assert.rejects(collect([path]), (e: unknown) => {
      assert.ok(e instanceof CaptureFormatError);
      assert.equal(e.message, `${JSON.stringify(path)}: not a capture: starts with 50 4b 03 04 14 00 00 00 ("PK......") — expected pcap, pcapng, gzip or tcpdump text`);
      return true;
    });
  });

  it('an empty file, a missing file, a directory', async () => {
    await assert.rejects(collect([put('empty.pcap', Buffer.alloc(0))]), (e: unknown) => e instanceof CaptureFormatError && /empty/.test(e.message));
    await assert.rejects(collect([join(dir, 'nope.pcap')]), (e: unknown) => e instanceof CaptureFormatError && /no such file/.test(e.message));
    mkdirSync(join(dir, 'sub'));
    await assert.rejects(collect([join(dir, 'sub')]), (e: unknown) => e instanceof CaptureFormatError && /directory/.test(e.message));
  });

  it('a pcap file header cut short, gzip that is not gzip, a forced wrong format', async () => {
    await assert.rejects(collect([put('short-header.pcap', base.subarray(0, 10))]), (e: unknown) => e instanceof CaptureFormatError && /file header/.test(e.message));
    await assert.rejects(collect([put('fake.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9]))]), (e: unknown) => e instanceof CaptureFormatError && /gzip/.test(e.message));
    await assert.rejects(collect([basePath], { format: 'pcapng' }), (e: unknown) => e instanceof CaptureFormatError && /not a pcapng file/.test(e.message));
  });

  it('no input at all, or stdin twice: a usage error', async () => {
    const { UsageError } = await import('../../src/errors.js');
    await assert.rejects(collect([]), UsageError);
    await assert.rejects(collect(['-', '-']), UsageError);
  });

  it('with several inputs, a bad one fails before any segment is delivered', async () => {
    let delivered = 0;
    const { readSegments } = await import('../../src/capture/index.js');
    const { AddressTable } = await import('../../src/segment/address-table.js');
    const { IssueLog } = await import('../../src/segment/input-issues.js');
    await assert.rejects(readSegments([basePath, put('bad2.bin', Buffer.from('\x00\x01\x02\x03binary'))], { addresses: new AddressTable(), issues: new IssueLog() }, () => { delivered++; }), CaptureFormatError);
    assert.equal(delivered, 0);
  });
});

describe('several inputs: one timeline', () => {
  it('merges by timestamp, stable on ties by input order', async () => {
    // even records -> pcap µs; odd records -> big-endian pcapng ns
    const even = records.filter((_, i) => i % 2 === 0);
    const odd = records.filter((_, i) => i % 2 === 1);
    const a = put('even.pcap', writePcap(even, { linkType: 1 }));
    const b = put('odd.pcapng', writePcapng([{ bigEndian: true, interfaces: [{ linkType: 1, tsresol: 9 }],
      packets: odd.map((r) => ({ interfaceId: 0, ticks: BigInt(r.sec) * 1_000_000_000n + BigInt(r.frac) * 1000n, data: r.data, origLen: r.origLen })) }]));
    const { segments, summary } = await collect([a, b]);
    // expected: reference segments tagged with their input, stably sorted by (time, input)
    const expected = referenceSegments
      .map((s) => ({ ...wireFields(s), input: (s.record - 1) % 2 }))
      .sort((x, y) => x.tsSec - y.tsSec || x.tsNsec - y.tsNsec || x.input - y.input);
    assert.deepEqual(segments.map((s) => ({ ...wireFields(s), input: s.input })), expected);
    assert.deepEqual(summary.inputs.map((i) => [i.format, i.records]), [['pcap', 200], ['pcapng', 200]]);
    assert.equal(summary.segments, reference.length);
    const ties = expected.filter((s, i) => i > 0 && s.tsSec === expected[i - 1]!.tsSec && s.tsNsec === expected[i - 1]!.tsNsec && s.input !== expected[i - 1]!.input);
    assert.ok(ties.length > 5, 'the traffic has equal timestamps across inputs');
  });

  it('the same file twice: every segment twice, ties to the first input first', async () => {
    const { segments } = await collect([basePath, basePath]);
    const expected = [0, 1].flatMap((input) => reference.map((s) => ({ ...s, input })))
      .sort((x, y) => x.tsSec - y.tsSec || x.tsNsec - y.tsNsec || x.input - y.input);
    assert.deepEqual(segments.map((s) => ({ ...wireFields(s), input: s.input })), expected);
  });
});

describe('progress', () => {
  it('reports bytes of the total, at most every few MiB, and once at the end', async () => {
    const calls: Array<[number, number | undefined]> = [];
    await collect([basePath], { onProgress: (read, total) => calls.push([read, total]) });
    assert.deepEqual(calls, [[base.length, base.length]]);
    const gz = put('p.gz', gzipSync(base));
    const gzCalls: Array<[number, number | undefined]> = [];
    await collect([gz], { onProgress: (read, total) => gzCalls.push([read, total]) });
    assert.deepEqual(gzCalls.at(-1), [readFileSync(gz).length, readFileSync(gz).length]);
  });
});

describe('gzip: zlib on its own thread, synchronously on the reading thread, and through Node\'s gunzip stream agree', () => {
  // Big enough for many zlib calls: several MiB decompressed, some of it incompressible payload.
  const many = syntheticRecords(6000, 11);
  const plain = writePcap(many, { linkType: 1 });
  // file offset of record 3001: two members split between records
  const half = readPcap(plain).records[3000]!.offset;
  const gz = gzipSync(plain);
  let whole: SegmentSnapshot[] = [];
  before(async () => {
    whole = (await collect([put('many.pcap', plain)])).segments;
    assert.ok(plain.length > 2 * 1024 * 1024, `${plain.length} bytes`);
  });
  const engines = ['thread', 'sync', 'stream'] as const;
  const read = (name: string, bytes: Buffer, gzipEngine: typeof engines[number]) => collect([put(`${gzipEngine}-${name}`, bytes)], { gzipEngine });
  const codes = (c: Awaited<ReturnType<typeof collect>>) => c.issues.kept.map((i) => i.code);

  it('this Node offers the synchronous engine (else reading falls back to the slower stream)', () => {
    assert.equal(syncGunzipAvailable(), true);
  });

  const clean: Array<[string, () => Buffer]> = [
    ['one member', () => gz],
    ['two members (gzip a; gzip b) >> file', () => Buffer.concat([gzipSync(plain.subarray(0, half)), gzipSync(plain.subarray(half))])],
    ['trailing zero bytes after the stream', () => Buffer.concat([gz, Buffer.alloc(3000)])],
  ];
  for (const [name, bytes] of clean) {
    it(`${name}: every segment, no issue`, async () => {
      for (const engine of engines) {
        const c = await read(name.replace(/\W+/g, '-'), bytes(), engine);
        assert.equal(c.segments.length, whole.length, engine);
        assert.deepEqual(c.segments.map(wireFields), whole.map(wireFields), engine);
        assert.deepEqual(codes(c), [], engine);
        assert.equal(c.summary.inputs[0]!.bytes, plain.length, engine);
      }
    });
  }

  it('cut short: the same segments from all three, and gzip-error', async () => {
    const cut = gz.subarray(0, Math.floor(gz.length * 0.55));
    const [a, b, t] = [await read('cut', cut, 'sync'), await read('cut', cut, 'stream'), await read('cut', cut, 'thread')];
    assert.deepEqual(a.segments, b.segments);
    assert.deepEqual(t.segments, a.segments);
    assert.deepEqual(codes(t), codes(a));
    assert.ok(a.segments.length > 1000 && a.segments.length < whole.length, `${a.segments.length} segments`);
    assert.deepEqual(a.segments.map(wireFields), whole.slice(0, a.segments.length).map(wireFields));
    assert.ok(codes(a).includes('gzip-error') && codes(b).includes('gzip-error') && codes(t).includes('gzip-error'));
  });

  it('stream engine: closing the reader while the feeder waits for it to drain stops the feeder', async () => {
    // 12 MiB that does not compress: the output outgrows the 4 MiB the stream buffers for a reader
    // that reads nothing, so the feeder waits for 'drain', which a destroyed stream never emits.
    const gz = gzipSync(randomBytes(12 * 1024 * 1024), { level: 1 });
    let at = 0;
    const raw: ByteSource = {
      read: async (into, offset, length) => {
        const n = Math.min(length, gz.length - at);
        gz.copy(into, offset, at, at + n);
        at += n;
        return n;
      },
      close: async () => undefined,
    };
    const source = gzipSource(raw, Buffer.alloc(0), () => undefined, 'stream') as ReturnType<typeof gzipSource> & { feeding: Promise<void> };
    assert.ok(source.feeding instanceof Promise, 'the stream engine was used');
    for (let last = -1; source.compressed() !== last;) {
      last = source.compressed();
      await delay(100);
    }
    assert.ok(source.compressed() < gz.length, `the feeder waits (${source.compressed()} of ${gz.length} bytes fed)`);
    await source.close();
    const settled = await Promise.race([source.feeding.then(() => true), delay(3000).then(() => false)]);
    assert.equal(settled, true, 'the feeder settled after close()');
  });

  it('damaged, or garbage after the stream: what came before, and gzip-error', async () => {
    // deflate has no check before the stream's end: a flipped bit can decode to wrong bytes for a
    // while before zlib meets an impossible code, so only what precedes the damage is certain.
    const flipped = Buffer.from(gz);
    flipped[Math.floor(gz.length * 0.6)]! ^= 0x10;
    for (const [name, bytes] of [['flipped', flipped], ['garbage after', Buffer.concat([gz, Buffer.from('not gzip at all')])]] as const) {
      for (const engine of engines) {
        const c = await read(name.replace(/\W+/g, '-'), bytes, engine);
        // zlib does not say what a failing call produced: up to one call's output before the error
        // is dropped (64 KiB synchronously, 256 KiB through the stream), even after a clean stream.
        const lost = engine === 'stream' ? STREAM_OUT_CHUNK : GZIP_OUT_CALL;
        const certain = name === 'flipped' ? 1000 : whole.filter((s) => s.byteOffset + 2000 < plain.length - lost).length;
        assert.ok(c.segments.length >= certain, `${name}, ${engine}: ${c.segments.length} segments, ${certain} certain`);
        assert.deepEqual(c.segments.slice(0, certain).map(wireFields), whole.slice(0, certain).map(wireFields), `${name}, ${engine}`);
        assert.ok(codes(c).includes('gzip-error'), `${name}, ${engine}: ${codes(c).join(' ')}`);
      }
    }
  });
});

// Property tests (fast-check, `size: 'max'` so byte arrays and line lists get long): arbitrary bytes
// never make analyze() throw anything but CaptureFormatError; readers give the same segments and
// the same warnings however the bytes are chunked; the text reader survives any lines; the
// escapers leave no control character and no markup; the TCP engine survives any segment stream.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { analyze } from '../../src/analysis/analyze.js';
import { readSegments } from '../../src/capture/index.js';
import { CaptureFormatError } from '../../src/errors.js';
import { escapeTerminal, escapeXml } from '../../src/render/escape.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { TcpSegment } from '../../src/segment/tcp-segment.js';
import { ConnectionTracker } from '../../src/tcp/connection-tracker.js';
import { snapshot } from '../capture/collect-segments.js';
import { xmlProblems } from '../render/xml-check.js';
import { conversations, writePcap, writePcapng, writeText } from './captures.js';
import { HOSTILE_NAMES } from './mutate.js';
import { Rng } from './rng.js';

const RUNS = Number(process.env.FINSCOPE_PROPERTY_RUNS ?? 150);
const params = { numRuns: RUNS, size: 'max' as const, seed: 20261121 };

const HEADS: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'), // pcap LE, Ethernet
  Buffer.from('a1b23c4d00020004000000000000000000040000000000e5', 'hex'), // pcap BE ns, link type 229
  Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex'), // pcapng SHB
  Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000' + '01000000140000000100000000000000' + '14000000', 'hex'), // + IDB
  Buffer.from('12:00:00.000000 IP 10.0.0.1.1 > 10.0.0.2.2: Flags ['),
];

/** Bytes behind one of the headers above, so most inputs get past format detection. */
const hostileBytes = fc.tuple(fc.nat({ max: HEADS.length - 1 }), fc.uint8Array({ maxLength: 4096 }))
  .map(([h, body]) => Buffer.concat([HEADS[h]!, Buffer.from(body)]));

async function analyzeBytes(bytes: Buffer, inputFormat?: 'pcap' | 'pcapng' | 'tcpdump'): Promise<boolean> {
  try {
    await analyze('-', { stdin: Readable.from([bytes]), keepSegments: true, inputFormat });
    return true;
  } catch (error) {
    if (error instanceof CaptureFormatError) return false;
    throw error;
  }
}

interface Read {
  segments: ReturnType<typeof snapshot>[];
  issues: string[];
  counts: [string, number][];
  records: number;
}

async function readWith(chunks: Buffer[]): Promise<Read | 'rejected'> {
  const addresses = new AddressTable();
  const issues = new IssueLog();
  const segments: ReturnType<typeof snapshot>[] = [];
  try {
    const summary = await readSegments(['-'], { addresses, issues, stdin: Readable.from(chunks, { objectMode: false }) }, (seg) => segments.push(snapshot(seg, addresses)));
    return {
      segments,
      issues: issues.kept.map((i) => `${i.code} r${i.record} b${i.byteOffset} l${i.line}: ${i.detail}`),
      counts: [...issues.counts].sort(),
      records: summary.inputs[0]!.records,
    };
  } catch (error) {
    if (error instanceof CaptureFormatError) return 'rejected';
    throw error;
  }
}

function split(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const n = Math.max(1, sizes.length ? sizes[i++ % sizes.length]! : bytes.length);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** A small generated capture (seeded by fast-check) with a few bytes flipped. */
const damagedCapture = fc.record({
  seed: fc.nat(),
  kind: fc.constantFrom('pcap', 'pcapng', 'text', 'pcap.gz'),
  flips: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { maxLength: 6 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
}).map(({ seed, kind, flips, cut }) => {
  const rng = new Rng(seed, 1);
  const packets = conversations(rng, 1 + rng.int(4));
  let bytes = kind === 'pcapng' ? writePcapng(packets, rng) : kind === 'text' ? writeText(packets, rng) : writePcap(packets, rng);
  bytes = Buffer.from(bytes);
  for (const [at, bit] of flips) if (bytes.length) bytes[at % bytes.length] = bytes[at % bytes.length]! ^ (1 << bit);
  if (cut !== undefined && bytes.length) bytes = bytes.subarray(0, cut % (bytes.length + 1));
  return kind === 'pcap.gz' ? gzipSync(bytes) : bytes;
});

describe('properties', () => {
  it('any bytes: analyze() finishes or throws CaptureFormatError, nothing else', async () => {
    await fc.assert(fc.asyncProperty(hostileBytes, async (bytes) => {
      await analyzeBytes(bytes);
    }), params);
  });

  it('any bytes under a forced --input-format: same', async () => {
    await fc.assert(fc.asyncProperty(hostileBytes, fc.constantFrom('pcap', 'pcapng', 'tcpdump') as fc.Arbitrary<'pcap' | 'pcapng' | 'tcpdump'>, async (bytes, format) => {
      await analyzeBytes(bytes, format);
    }), params);
  });

  it('readers give identical segments and warnings whether fed whole or in random chunks', async () => {
    await fc.assert(fc.asyncProperty(damagedCapture, fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), async (bytes, sizes) => {
      const whole = await readWith([bytes]);
      const chunked = await readWith(split(bytes, sizes));
      assert.deepEqual(chunked, whole);
    }), { ...params, numRuns: Math.max(20, Math.floor(RUNS / 2)) });
  });

  it('a damaged gzip stream gives the same segments and warnings whether fed whole or in random chunks', async () => {
    const damagedGzip = fc.record({ seed: fc.nat(), cut: fc.double({ min: 0.05, max: 1, noNaN: true }), flip: fc.option(fc.double({ min: 0.05, max: 0.99, noNaN: true }), { nil: undefined }) })
      .map(({ seed, cut, flip }) => {
        const rng = new Rng(seed, 2);
        const z = Buffer.from(gzipSync(writePcap(conversations(rng, 20 + rng.int(60)), rng)));
        if (flip !== undefined) z[Math.floor(z.length * flip)] = z[Math.floor(z.length * flip)]! ^ 0x24;
        return z.subarray(0, Math.max(10, Math.floor(z.length * cut)));
      });
    await fc.assert(fc.asyncProperty(damagedGzip, fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), async (bytes, sizes) => {
      assert.deepEqual(await readWith(split(bytes, sizes)), await readWith([bytes]));
    }), { ...params, numRuns: Math.max(10, Math.floor(RUNS / 5)) });
  });

  it('one byte at a time gives the same as whole (pcap, pcapng, text, gzip)', async () => {
    const rng = new Rng(99, 3);
    const packets = conversations(rng, 3);
    for (const bytes of [writePcap(packets, rng), writePcapng(packets, rng), writeText(packets, rng), gzipSync(writePcap(packets, rng))]) {
      assert.deepEqual(await readWith(split(bytes, [1])), await readWith([bytes]));
    }
  });

  it('the text reader never throws on arbitrary lines (tokens, binary, long lines, CRLF)', async () => {
    const token = fc.constantFrom(': Flags [', ', seq ', ', ack ', ', win ', ', options [', ', length ', 'IP6 ', 'IP ', ' > ', '[|tcp]',
      ']', '[', ':', '.', ',', ' ', '{', '}', 'S.', 'F.', 'R', 'P.', 'sack 1 {', 'TS val ', ' ecr ', 'mss ', 'wscale ', 'nop',
      '12:00:00.000000 ', '1700000000.123456 ', '2024-01-01 ', '10.0.0.1.80', '::1.443', '4294967296', '-1', '\r', '\t', '\x00', '\x1b[2J', 'é');
    const line = fc.oneof(
      fc.array(token, { maxLength: 40 }).map((t) => t.join('')),
      fc.string({ maxLength: 300, unit: 'binary' }),
      fc.string({ maxLength: 80 }).map((s) => s.repeat(1 + (s.length % 7) * 200)),
    );
    await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 60 }), fc.boolean(), async (lines, crlf) => {
      const text = Buffer.from(lines.map((l) => l.replace(/\n/g, ' ')).join(crlf ? '\r\n' : '\n'), 'utf8');
      await analyzeBytes(text, 'tcpdump');
    }), params);
  });

  it('escapeTerminal leaves no control character; escapeXml leaves well-formed XML text', () => {
    const anyText = fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.constantFrom(...HOSTILE_NAMES), fc.string({ unit: 'grapheme', maxLength: 50 }));
    fc.assert(fc.property(anyText, (s) => {
      assert.doesNotMatch(escapeTerminal(s), /[\u0000-\u001f\u007f-\u009f]/);
      const x = escapeXml(s);
      assert.deepEqual(xmlProblems(`<t a="${x}">${x}</t>`), []);
      assert.doesNotMatch(x, /[<>"']/);
    }), { ...params, numRuns: RUNS * 4 });
  });

  it('the TCP engine survives any segment stream and reports only contract states', () => {
    const seg = fc.record({
      dir: fc.boolean(), flags: fc.nat({ max: 0x1ff }), seq: fc.nat({ max: 0xffffffff }), ack: fc.nat({ max: 0xffffffff }),
      len: fc.nat({ max: 3000 }), win: fc.nat({ max: 65535 }), dt: fc.integer({ min: -2_000_000, max: 200_000_000 }), port: fc.nat({ max: 3 }),
    });
    const states = new Set(['SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'CLOSED', 'UNKNOWN']);
    fc.assert(fc.property(fc.array(seg, { maxLength: 300 }), fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), (list, max) => {
      const tracker = new ConnectionTracker({ timeWait: 60, finTimeout: 60, keepSegments: true, maxConnections: max });
      const s = new TcpSegment();
      let t = 1_700_000_000_000_000_000n;
      for (const x of list) {
        t += BigInt(x.dt) * 1000n;
        s.tsSec = Number(t / 1_000_000_000n);
        s.tsNsec = Number(t % 1_000_000_000n);
        s.src = x.dir ? 1 : 2; s.dst = x.dir ? 2 : 1;
        s.sport = x.dir ? 40000 + x.port : 80; s.dport = x.dir ? 80 : 40000 + x.port;
        s.flags = x.flags; s.seq = x.seq; s.ack = x.ack; s.payloadLength = x.len; s.window = x.win;
        tracker.add(s);
      }
      tracker.finish();
      for (const c of tracker.connections) {
        assert.ok(states.has(c.origState) && states.has(c.respState));
        assert.ok(c.duration >= 0, `duration ${c.duration}`);
        for (const ch of c.changes) assert.ok(states.has(ch.from) && states.has(ch.to) && ch.from !== ch.to);
      }
    }), params);
  });
});

// Failures found by the fuzzer and the property tests, each kept as a test named after what broke.
// (Terminal escaping of host names and file names: test/hostile/hostile-names.test.ts; output
// errors of the CLI: cli-exit.test.ts; slow paths: linear-time.test.ts.)

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../src/analysis/analyze.js';
import { CaptureFormatError, quoteName } from '../../src/errors.js';
import { zeekLine, ndjsonLine } from '../../src/render/flows.js';
import { formatIssue } from '../../src/segment/input-issues.js';
import { conversations, writePcap } from './captures.js';
import { scanLayout, writeField } from './layout.js';
import { Rng } from './rng.js';
import { CORPUS_DIR } from './seeds.js';

function fromBytes(bytes: Buffer, chunks?: number) {
  const parts: Buffer[] = [];
  const size = chunks ?? bytes.length;
  for (let i = 0; i < bytes.length; i += Math.max(1, size)) parts.push(bytes.subarray(i, i + Math.max(1, size)));
  return analyze('-', { stdin: Readable.from(parts.length ? parts : [Buffer.alloc(0)], { objectMode: false }) });
}

const kday4 = join(CORPUS_DIR, 'tcpdump/kday4.pcap');
const noKday4 = existsSync(kday4) ? false : 'corpus not found at ../shared/corpus (skipped)';

describe('regressions found by fuzzing', () => {
  it('out-of-order timestamps no longer give a negative duration (kday4.pcap, unmutated)', { skip: noKday4 }, async () => {
    const r = await analyze(kday4);
    for (const f of r.flows) assert.ok(f.duration >= 0, `flow ${f.id}: duration ${f.duration}`);
  });

  it('a capture whose clock steps back inside one connection: duration is latest minus first', async () => {
    const rng = new Rng(3, 3);
    const pcap = Buffer.from(writePcap(conversations(rng, 1, 0), rng));
    const ts = scanLayout(pcap).fields.filter((f) => f.kind === 'pcap-ts');
    writeField(pcap, ts[ts.length - 1]!, 1_000_000_000); // the last record jumps back years
    const r = await fromBytes(pcap);
    assert.ok(r.flows[0]!.duration >= 0);
  });

  it('format detection does not depend on how the first chunk of a pipe is cut (fast-check counterexample)', async () => {
    // "2023\xad11-22 ..." is not UTF-8: rejected when read whole, but accepted as tcpdump text when
    // the first read of a pipe brought only "2023".
    const text = Buffer.from('2023\xad11-22 14:03:15.958726 IP 10.0.0.199.37863 > 10.1.0.21.366: Flags [S], seq 3422042711, win 19397, length 0\n', 'latin1');
    for (const chunk of [text.length, 1, 3, 4]) {
      await assert.rejects(fromBytes(text, chunk), CaptureFormatError, `chunks of ${chunk}`);
    }
  });

  it('text timestamps before 1970 (a negative -ttt delta) are left out with a warning, not NaN findings', async () => {
    const text = Buffer.from('-1:59:13.939985 IP 192.0.2.1.39829 > 192.168.0.1.8080: Flags [R.], seq 1:9, ack 334797553, win 0, length 8: HTTP\n' +
      '16:59:14.000000 IP 192.0.2.1.39830 > 192.168.0.1.8080: Flags [S], seq 1, win 0, length 0\n');
    const r = await fromBytes(text);
    for (const f of r.findings) assert.ok(Number.isFinite(f.since) && Number.isFinite(f.age), `${f.code}: since ${f.since}`);
    for (const f of r.flows) assert.ok(f.ts >= 0);
    const issue = r.issues.kept.find((i) => i.code === 'unparsable-line');
    assert.ok(issue, 'the dropped line is reported');
    assert.match(formatIssue(issue), /line 1, byte offset 0: unparsable-line: expected a time at or after 1970-01-01/);
  });

  it('zeek conn.log uids are C and 17 base62 characters (a negative XOR gave "undefined")', async () => {
    const rng = new Rng(4, 4);
    const r = await fromBytes(writePcap(conversations(rng, 40), rng));
    for (const f of r.flows) assert.match(zeekLine(f).split('\t')[1]!, /^C[0-9A-Za-z]{17}$/);
  });

  it('an IP datagram longer than its frame is reported, as tcpdump does (kday4: truncated-ip - 768 bytes missing)', { skip: noKday4 }, async () => {
    const r = await analyze(kday4);
    const found = r.issues.kept.filter((i) => /runs \d+ bytes past the end of the frame/.test(i.detail));
    assert.equal(found.length, 1);
    assert.match(found[0]!.detail, /IPv4 total length 820 runs 768 bytes past the end of the frame/);
    // tcpdump's own line for that packet, the oracle:
    const oracle = readFileSync(`${kday4}.tcpdump-n.txt`, 'latin1');
    assert.match(oracle, /truncated-ip - 768 bytes missing!/);
  });

  it('a damaged gzip stream keeps the same data however a pipe delivers it (gunzip output buffered at the error was dropped)', async () => {
    const z = Buffer.from(gzipSync(writePcap(conversations(new Rng(8, 8), 200), new Rng(8, 9))));
    z[Math.floor(z.length * 0.7)] = z[Math.floor(z.length * 0.7)]! ^ 0x10;
    const seen: string[] = [];
    for (const chunk of [z.length, 65536, 4096, 100, 7]) {
      const r = await fromBytes(z, chunk);
      seen.push(`${r.segmentCount} segments, ${r.inputs[0]!.bytes} bytes, ${r.issues.kept.map((i) => `${i.code}@${i.byteOffset}`).join(' ')}`);
    }
    // Before: 963 segments read whole, 1694 in 4 KiB chunks, 1846 in 7-byte chunks.
    assert.equal(new Set(seen).size, 1, seen.join('\n'));
    assert.match(seen[0]!, /gzip-error/);
  });

  it('file names are quoted with DEL and C1 escaped too (JSON quoting leaves U+009B, a CSI, raw)', () => {
    assert.equal(quoteName('a\u009b2J\u007fb\x1b'), '"a\\u009b2J\\u007fb\\u001b"');
  });

  it('JSON outputs escape DEL and C1 (they are valid JSON raw, but reach terminals)', async () => {
    const text = Buffer.from('12:00:00.000000 IP c\x9b31m.1 > 10.0.0.2.2: Flags [S], seq 1, win 5, length 0\n', 'latin1');
    const r = await analyze('-', { stdin: Readable.from([text]), inputFormat: 'tcpdump' });
    const line = ndjsonLine(r.flows[0]!);
    assert.doesNotMatch(line, /[\u007f-\u009f]/);
    assert.equal((JSON.parse(line) as { orig_h: string }).orig_h, 'c\u009b31m');
  });
});

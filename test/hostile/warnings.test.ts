// Warnings are specific and counted, and --strict makes them fatal, through the real binary.
// Positions are checked against an independent walk of the file (test/fuzz/layout.ts), not
// against what the readers say about themselves.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { conversations, writePcap, writePcapng, writeText } from '../fuzz/captures.js';
import { scanLayout, writeField, type FieldKind } from '../fuzz/layout.js';
import { Rng } from '../fuzz/rng.js';
import { assertNoCrash, assertTerminalSafe, run, tmpDir } from './cli-run.js';

const dir = tmpDir('finscope-warnings-');
const rng = new Rng(5, 5);
const packets = conversations(rng, 2, 0);
const pcap = writePcap(packets, rng);
const layout = scanLayout(pcap);

function file(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** The pcap with the n-th (0-based) field of a kind set to a value; returns the field's record. */
function corrupt(kind: FieldKind, n: number, value: number): { bytes: Buffer; record: number; recordOffset: number } {
  const f = layout.fields.filter((x) => x.kind === kind)[n]!;
  const bytes = Buffer.from(pcap);
  writeField(bytes, f, value);
  // Record k starts at boundaries[k] (boundaries[0] is the file header).
  let record = 0;
  while (record + 1 < layout.boundaries.length - 1 && layout.boundaries[record + 1]! <= f.at) record++;
  return { bytes, record, recordOffset: layout.boundaries[record]! };
}

const COUNT_LINE = /^finscope: (\d+) input warnings?: (.+)$/m;

function warnings(err: string): string[] {
  return err.split('\n').filter((l) => l.startsWith('finscope: warning: '));
}

describe('input warnings: where, what was expected, what was found', () => {
  it('a caplen beyond any sane limit: record number, byte offset and the value found', () => {
    const { bytes, record, recordOffset } = corrupt('pcap-caplen', 2, 0x7fffffff);
    assert.equal(record, 3);
    const r = run(['summary', file('caplen.pcap', bytes), '-o', join(dir, 'out.txt')]);
    assertNoCrash('caplen', r);
    assert.equal(r.code, 0, r.err);
    const w = warnings(r.err);
    assert.equal(w.length, 1, r.err);
    assert.match(w[0]!, new RegExp(`"[^"]*caplen\\.pcap": record 3, byte offset ${recordOffset}: bad-record-length: .*2147483647`));
    assert.match(r.err, /^finscope: 1 input warning: 1 bad-record-length$/m);
  });

  it('a file cut inside a record header: that record, its offset, how many bytes of how many', () => {
    const cutAt = layout.boundaries[4]! + 10;
    const r = run(['flows', file('cut.pcap', pcap.subarray(0, cutAt)), '--format', 'csv']);
    assert.equal(r.code, 0, r.err);
    assert.match(warnings(r.err)[0]!, new RegExp(`record 4, byte offset ${layout.boundaries[4]}: truncated-file: .*\\b10 of 16 bytes`));
    assert.equal(r.out.trimEnd().split('\n').length, 1 + 2, 'the records before the cut are kept');
  });

  it('IPv4 header length and TCP data offset too small: the record and the value found', () => {
    const ihl = corrupt('ip-ihl', 1, 2);
    const r1 = run(['packets', file('ihl.pcap', ihl.bytes)]);
    assert.match(warnings(r1.err)[0]!, new RegExp(`record ${ihl.record}, byte offset ${ihl.recordOffset}: bad-ip-header: .*\\b8\\b.*\\b20\\b`));
    const doff = corrupt('tcp-data-offset', 1, 3);
    const r2 = run(['packets', file('doff.pcap', doff.bytes)]);
    assert.match(warnings(r2.err)[0]!, new RegExp(`record ${doff.record}, byte offset ${doff.recordOffset}: bad-tcp-header: .*\\b3\\b.*\\b5\\b`));
  });

  it('an IP datagram longer than its frame is reported, as tcpdump reports truncated-ip', () => {
    const len = corrupt('ip-total-length', 1, 9000);
    const r = run(['summary', file('iplen.pcap', len.bytes), '-o', join(dir, 'out.txt')]);
    assert.equal(r.code, 0, r.err);
    assert.match(warnings(r.err)[0]!, new RegExp(`record ${len.record}, byte offset ${len.recordOffset}: bad-ip-header: IPv4 total length 9000 runs \\d+ bytes past the end of the frame`));
  });

  it('a pcapng block length that cannot be right: the block offset and the length found', () => {
    const ng = writePcapng(packets, new Rng(6, 6));
    const l = scanLayout(ng);
    const fields = l.fields.filter((f) => f.kind === 'ng-block-length');
    const f = fields[fields.length - 3]!;
    const bytes = Buffer.from(ng);
    writeField(bytes, f, 13);
    const r = run(['summary', file('block.pcapng', bytes), '-o', join(dir, 'out.txt')]);
    assert.equal(r.code, 0, r.err);
    assert.match(warnings(r.err)[0]!, new RegExp(`byte offset ${f.at - 4}: bad-block: .*\\b13\\b`));
  });

  it('tcpdump text: garbage lines by line number and byte offset, at most 3 shown per kind, all counted', () => {
    const text = writeText(packets, new Rng(7, 7)).toString('latin1').split('\n');
    const garbage = [3, 7, 11, 15, 19];
    for (const at of garbage) text.splice(at - 1, 0, `not a packet line #${at}`);
    const joined = text.join('\n');
    const r = run(['summary', file('garbage.txt', Buffer.from(joined, 'latin1')), '--date', '2024-01-01', '-o', join(dir, 'out.txt')]);
    assert.equal(r.code, 0, r.err);
    const shown = warnings(r.err).filter((l) => l.includes('unparsable-line'));
    assert.equal(shown.length, 3, r.err);
    for (const [i, l] of shown.entries()) {
      const line = garbage[i]!;
      const offset = Buffer.byteLength(text.slice(0, line - 1).join('\n'), 'latin1') + (line > 1 ? 1 : 0);
      assert.match(l, new RegExp(`line ${line}, byte offset ${offset}: unparsable-line: .*not a packet line #${line}`));
    }
    const m = COUNT_LINE.exec(r.err);
    assert.ok(m, r.err);
    assert.match(m[2]!, /\b5 unparsable-line\b/);
  });

  it('a gzip stream cut short: what was read is kept, the cut is reported with the decompressed offset', () => {
    const z = gzipSync(pcap);
    const r = run(['flows', file('cut.pcap.gz', z.subarray(0, Math.floor(z.length * 0.6))), '--format', 'ndjson']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /byte offset \d+: gzip-error: .*cut short/);
    assert.ok(r.out.length > 0, 'flows from the readable part');
  });

  it('the count line sums every kind', () => {
    const both = corrupt('ip-ihl', 0, 1);
    writeField(both.bytes, layout.fields.filter((f) => f.kind === 'tcp-data-offset')[3]!, 2);
    const r = run(['summary', file('two.pcap', both.bytes), '-o', join(dir, 'out.txt')]);
    const m = COUNT_LINE.exec(r.err);
    assert.ok(m, r.err);
    const parts = m[2]!.split(', ').map((p) => Number(p.split(' ')[0]));
    assert.equal(parts.reduce((a, b) => a + b, 0), Number(m[1]));
    assert.match(m[2]!, /bad-ip-header/);
    assert.match(m[2]!, /bad-tcp-header/);
  });
});

describe('--strict turns input warnings into exit 65', () => {
  const damaged = file('strict.pcap', corrupt('pcap-caplen', 4, 0xffffffff).bytes);
  const clean = file('clean.pcap', pcap);
  for (const [command, extra] of [['summary', []], ['flows', ['--format', 'csv']], ['packets', []], ['report', []], ['diagram', ['--timeline']]] as const) {
    it(`${command}: 0 without --strict, 65 with it (output still written), 0 on a clean capture`, () => {
      const out = join(dir, `${command}.out`);
      const lax = run([command, damaged, ...extra, '-o', out]);
      assertNoCrash(`${command} lax`, lax);
      assert.equal(lax.code, 0, lax.err);
      const strict = run([command, damaged, ...extra, '-o', out, '--strict']);
      assert.equal(strict.code, 65, strict.err);
      assert.match(strict.err, /bad-record-length/);
      assertTerminalSafe('stderr', strict.err);
      const ok = run([command, clean, ...extra, '-o', out, '--strict']);
      assert.equal(ok.code, 0, ok.err);
      assert.equal(ok.err, '');
    });
  }

  it('--strict --quiet: exit 65 and nothing on stderr', () => {
    const r = run(['summary', damaged, '--strict', '--quiet', '-o', join(dir, 'q.out')]);
    assert.equal(r.code, 65);
    assert.equal(r.err, '');
  });
});

// pcapng timestamps: tick counts at every resolution must convert exactly (checked against plain
// BigInt arithmetic), and files with if_tsresol 2^-n / 10^-n and if_tsoffset must read as
// libpcap reads them (tcpdump --nano).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TimestampConverter } from '../../src/capture/pcapng-timestamp.js';
import { TcpSegment } from '../../src/segment/tcp-segment.js';
import { parseTcpdumpTcpLines, runTcpdump, tcpdumpMissing } from '../packets/tcpdump-oracle.js';
import { collect } from './collect-segments.js';
import { ethernetFrame, ipv4Packet, tcpBytes, writePcapng } from './capture-writer.js';

/** The obvious, slow, exact conversion. */
function reference(ticks: bigint, tsresol: number, offset: number): [number, number] {
  const units = (tsresol & 0x80) !== 0 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  return [Number(ticks / units) + offset, Number(((ticks % units) * 1_000_000_000n) / units)];
}

describe('TimestampConverter against BigInt arithmetic', () => {
  const resolutions = [0, 1, 3, 6, 9, 10, 12, 15, 16, 19, 0x80 | 0, 0x80 | 10, 0x80 | 20, 0x80 | 23, 0x80 | 24, 0x80 | 30, 0x80 | 32, 0x80 | 50, 0x80 | 51, 0x80 | 60, 0x80 | 63];
  let state = 12345;
  const rand32 = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state; };
  for (const tsresol of resolutions) {
    it(`if_tsresol 0x${tsresol.toString(16)}`, () => {
      const seg = new TcpSegment();
      let checked = 0;
      for (const offset of [0, 1_600_000_000, -7]) {
        const converter = new TimestampConverter(tsresol, offset);
        let high = rand32();
        for (let i = 0; i < 3000; i++) {
          if (i % 100 === 0) high = rand32() >>> (8 * ((i / 100) % 4)); // the cached high word, its changes, small and large
          // edges of the low word, and values near whole seconds
          const low = i % 7 === 0 ? 0xffffffff : i % 11 === 0 ? 0 : rand32();
          converter.set(seg, high, low);
          const ticks = (BigInt(high) << 32n) | BigInt(low);
          // Coarse resolutions with a random high word reach seconds beyond 2^53 (millions of
          // years), which no number can hold exactly; real captures stay far below.
          if (reference(ticks, tsresol, offset)[0] > Number.MAX_SAFE_INTEGER) continue;
          checked++;
          assert.deepEqual([seg.tsSec, seg.tsNsec], reference(ticks, tsresol, offset), `ticks ${ticks}`);
        }
      }
      assert.ok(checked > 2000, `${checked} samples checked`);
    });
  }

  it('nanosecond ticks at realistic epochs, across whole seconds', () => {
    const seg = new TcpSegment();
    const converter = new TimestampConverter(9, 0);
    for (let t = 1_700_000_000_000_000_000n - 5n; t < 1_700_000_000_000_000_000n + 5n; t++) {
      converter.set(seg, Number(t >> 32n), Number(t & 0xffffffffn));
      assert.deepEqual([seg.tsSec, seg.tsNsec], reference(t, 9, 0));
    }
  });
});

describe('pcapng files with unusual resolutions and offsets, as libpcap reads them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finscope-ts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const frame = (i: number) => ethernetFrame(0x0800, ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2' }, tcpBytes({ sport: 1000 + i, dport: 80, seq: i, flags: 0x02 })));
  const interfaces = [
    { linkType: 1, tsresol: 0x80 | 20, tsoffset: 1_600_000_000 },
    { linkType: 1, tsresol: 0x80 | 30 },
    { linkType: 1, tsresol: 12, tsoffset: 1_700_000_000 },
    { linkType: 1, tsresol: 3 },
    { linkType: 1, tsresol: 9 },
  ];
  const ticks = [
    (100_000_000n << 20n) + 777_777n,
    (1_700_000_000n << 30n) + 123_456_789n,
    123_456_789_012_345n,
    1_700_000_005_123n,
    1_700_000_006_999_999_999n,
  ];
  for (const bigEndian of [false, true]) {
    it(bigEndian ? 'big-endian section' : 'little-endian section', async () => {
      const file = join(dir, `ts-${bigEndian}.pcapng`);
      writeFileSync(file, writePcapng([{ bigEndian, interfaces, packets: ticks.map((t, i) => ({ interfaceId: i, ticks: t, data: frame(i) })) }]));
      const { segments } = await collect([file]);
      assert.deepEqual(segments.map((s) => [s.tsSec, s.tsNsec]),
        ticks.map((t, i) => reference(t, interfaces[i]!.tsresol, interfaces[i]!.tsoffset ?? 0)));
      assert.deepEqual(segments.map((s) => s.interfaceId), [0, 1, 2, 3, 4]);
      if (tcpdumpMissing()) return;
      const lines = parseTcpdumpTcpLines(runTcpdump(file, true));
      assert.deepEqual(segments.map((s) => [s.tsSec, s.tsNsec]), lines.map((l) => [l.sec, l.frac]));
    });
  }

  it('EPB direction flags set the segment direction (1 inbound, 2 outbound)', async () => {
    const file = join(dir, 'flags.pcapng');
    writeFileSync(file, writePcapng([{ interfaces: [{ linkType: 1 }], packets: [
      { interfaceId: 0, ticks: 1n, data: frame(1), epbFlags: 1 },
      { interfaceId: 0, ticks: 2n, data: frame(2), epbFlags: 2 | (1 << 5) },
      { interfaceId: 0, ticks: 3n, data: frame(3), epbFlags: 0 },
      { interfaceId: 0, ticks: 4n, data: frame(4) },
    ] }]));
    const { segments } = await collect([file]);
    assert.deepEqual(segments.map((s) => s.direction), [0, 4, -1, -1]);
  });

  it('SPB takes the previous timestamp; PB is read like an EPB', async () => {
    const file = join(dir, 'spb.pcapng');
    writeFileSync(file, writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }], packets: [
      { interfaceId: 0, ticks: 1_700_000_000_123_456_789n, data: frame(1) },
      { interfaceId: 0, ticks: 0n, data: frame(2), block: 'spb' },
      { interfaceId: 0, ticks: 1_700_000_001_000_000_001n, data: frame(3), block: 'pb' },
    ] }]));
    const { segments } = await collect([file]);
    assert.deepEqual(segments.map((s) => [s.sport, s.tsSec, s.tsNsec]), [
      [1001, 1_700_000_000, 123_456_789], [1002, 1_700_000_000, 123_456_789], [1003, 1_700_000_001, 1]]);
  });
});

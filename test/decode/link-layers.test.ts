// Decoder oracle test: hand-built frames of every supported link type and IP/TCP variant are
// written to pcap files; our segments must equal what tcpdump prints for them, and the fields
// tcpdump does not print (direction, interface, skips, issues) are checked directly.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { collect, type SegmentSnapshot } from '../capture/collect-segments.js';
import {
  ethernetFrame, ipv4Packet, ipv6Packet, opt, tcpBytes, writePcap, type PcapOptions,
} from '../capture/capture-writer.js';
import { assertSameAsTcpdump, parseTcpdumpTcpLines, runTcpdump, tcpdumpMissing } from '../packets/tcpdump-oracle.js';
import { data, syn } from './segment-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'finscope-decode-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const noTcpdump = tcpdumpMissing();

const v4 = { src: '10.1.2.3', dst: '192.0.2.9' };
const v6 = { src: '2001:db8::1', dst: 'fe80::abcd:1' };
const sackAck = tcpBytes({ sport: 40000, dport: 443, seq: 4000000001, ack: 5017, flags: 0x10, win: 500,
  options: [...opt.ts(1, 2), ...opt.sack(100, 200, 300, 400)] });
const finAck = tcpBytes({ sport: 40000, dport: 443, seq: 4294967290, ack: 17, flags: 0x11, win: 1 });
const rst = tcpBytes({ sport: 1, dport: 2, seq: 3, flags: 0x04, win: 0 });
const urgent = tcpBytes({ sport: 5, dport: 6, seq: 7, ack: 8, flags: 0x38, urg: 3, payloadLength: 4 });
const aeFlag = tcpBytes({ sport: 9, dport: 10, seq: 11, ack: 12, flags: 0x110 });

interface Case {
  name: string;
  link: PcapOptions;
  frames: Array<{ data: Buffer; origLen?: number }>;
  /** Direct checks on our segments (beyond the tcpdump comparison). */
  check?: (segments: SegmentSnapshot[], skipped: Map<string, number>, issues: Map<string, number>) => void;
  /** tcpdump cannot serve as oracle for this link type. */
  noOracle?: string;
}

function sll(packetType: number, protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(packetType, 0);
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

function sll2(packetType: number, ifindex: number, protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(1, 8);
  h[10] = packetType;
  h[11] = 6;
  return Buffer.concat([h, payload]);
}

/** PPPoE session header (version/type 0x11, code 0, session 0x0f07, length) + PPP protocol IPv4. */
function pppoe(ip: Buffer): Buffer {
  const h = Buffer.from([0x11, 0x00, 0x0f, 0x07, 0, 0, 0x00, 0x21]);
  h.writeUInt16BE(ip.length + 2, 4);
  return Buffer.concat([h, ip]);
}

function family(value: number, bigEndian: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (bigEndian) b.writeUInt32BE(value);
  else b.writeUInt32LE(value);
  return b;
}

const cases: Case[] = [
  {
    name: 'Ethernet: plain, 802.1Q, QinQ, PPPoE over QinQ, MPLS, LLC/SNAP, IPv4 options, non-TCP and ARP',
    link: { linkType: 1 },
    frames: [
      { data: ethernetFrame(0x0800, ipv4Packet(v4, syn)) },
      { data: ethernetFrame(0x0800, ipv4Packet(v4, sackAck), [[0x8100, 100]]) },
      { data: ethernetFrame(0x86dd, ipv6Packet(v6, data), [[0x88a8, 10], [0x8100, 20]]) },
      { data: ethernetFrame(0x8864, pppoe(ipv4Packet(v4, finAck)), [[0x88a8, 10], [0x8100, 20]]) },
      { data: ethernetFrame(0x8847, Buffer.concat([Buffer.from([0, 1, 0x00, 64, 0, 2, 0x01, 64]), ipv4Packet(v4, rst)])) },
      { data: ethernetFrame(0x0800, ipv4Packet({ ...v4, options: [1, 1, 1, 0, 7, 3, 4, 0] }, urgent)) },
      { data: ethernetFrame(0x0800, ipv4Packet({ ...v4, protocol: 17 }, Buffer.alloc(8))) },
      { data: ethernetFrame(0x0806, Buffer.alloc(28)) },
      { data: (() => { const ip = ipv4Packet(v4, data); const llc = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        const f = ethernetFrame(llc.length + ip.length, Buffer.concat([llc, ip])); return f; })() },
      { data: ethernetFrame(0x0800, ipv4Packet(v4, aeFlag)) },
    ],
    check: (segments, skipped) => {
      assert.equal(segments.length, 8);
      assert.equal(skipped.get('ip proto 17'), 1);
      assert.equal(skipped.get('ethertype 0x0806'), 1);
      assert.equal(segments[7]!.flags, 0x110, 'AE bit kept');
      assert.equal(segments[7]!.flagText, '.e');
      assert.deepEqual(segments[0]!.timestamps, '123456/0');
      assert.deepEqual(segments[1]!.sack, [100, 200, 300, 400]);
    },
  },
  {
    name: 'IPv6 extension headers, fragments and jumbograms',
    link: { linkType: 1 },
    frames: [
      { data: ethernetFrame(0x86dd, ipv6Packet({ ...v6, extensions: [{ type: 0, body: [1, 2, 0, 0] }, { type: 60 }, { type: 43, body: [0, 0, 0, 0, 0, 0] }, { type: 44, moreFragments: true }] }, data)) },
      { data: ethernetFrame(0x86dd, ipv6Packet({ ...v6, extensions: [{ type: 51 }] }, syn)) },
      { data: ethernetFrame(0x86dd, ipv6Packet({ ...v6, extensions: [{ type: 44, fragmentOffset: 100 }] }, data)) },
      { data: ethernetFrame(0x0800, ipv4Packet({ ...v4, fragmentOffset: 100 }, data)) },
      { data: ethernetFrame(0x0800, ipv4Packet({ ...v4, moreFragments: true }, data)) },
      { data: ethernetFrame(0x86dd, ipv6Packet({ ...v6, next: 58 }, Buffer.alloc(8))) },
      (() => {
        // RFC 2675 jumbogram, captured with a 200-byte snap length: payload length 0, jumbo option 70048
        const tcp = tcpBytes({ sport: 7, dport: 8, seq: 9, ack: 10, flags: 0x10, payloadLength: 70000 });
        const ip = ipv6Packet({ ...v6, payloadLength: 0, extensions: [{ type: 0, body: [0xc2, 4, 0, 0, 0, 0] }] }, tcp);
        ip.writeUInt32BE(ip.length - 40, 40 + 4);
        const frame = ethernetFrame(0x86dd, ip);
        return { data: frame.subarray(0, 200), origLen: frame.length };
      })(),
    ],
    check: (segments, skipped, issues) => {
      assert.equal(segments.length, 4);
      assert.equal(issues.get('ip-fragment'), 2);
      assert.equal(skipped.get('ip proto 58'), 1);
      assert.equal(segments[3]!.len, 70000);
      assert.equal(segments[3]!.truncated, true);
    },
  },
  {
    name: 'snap length: payload length from the IP header; a TCP header cut before 20 bytes is skipped',
    link: { linkType: 1, snaplen: 80 },
    frames: (() => {
      const big = ethernetFrame(0x0800, ipv4Packet(v4, tcpBytes({ sport: 1, dport: 2, seq: 3, ack: 4, flags: 0x18, payloadLength: 1448, options: opt.ts(5, 6) })));
      const cut = ethernetFrame(0x0800, ipv4Packet(v4, data));
      return [{ data: big.subarray(0, 80), origLen: big.length }, { data: cut.subarray(0, 14 + 20 + 10), origLen: cut.length }];
    })(),
    check: (segments, _skipped, issues) => {
      assert.equal(segments.length, 1);
      assert.equal(segments[0]!.len, 1448);
      assert.equal(segments[0]!.truncated, true);
      assert.equal(issues.get('truncated-packet'), 1);
    },
  },
  {
    name: 'Linux SLL: direction from the packet type',
    link: { linkType: 113 },
    frames: [
      { data: sll(4, 0x0800, ipv4Packet(v4, syn)) },
      { data: sll(0, 0x86dd, ipv6Packet(v6, data)) },
      { data: sll(0, 0x8100, Buffer.concat([Buffer.from([0, 5, 0x08, 0x00]), ipv4Packet(v4, rst)])) },
    ],
    check: (segments) => {
      assert.deepEqual(segments.map((s) => s.direction), [4, 0, 0]);
    },
  },
  {
    name: 'Linux SLL2: direction and interface index',
    link: { linkType: 276 },
    frames: [
      { data: sll2(4, 7, 0x0800, ipv4Packet(v4, syn)) },
      { data: sll2(0, 3, 0x86dd, ipv6Packet(v6, data)) },
    ],
    check: (segments) => {
      assert.deepEqual(segments.map((s) => [s.direction, s.interfaceId]), [[4, 7], [0, 3]]);
    },
  },
  {
    name: 'BSD NULL loopback in both byte orders (AF_INET, AF_INET6 of NetBSD, FreeBSD, macOS)',
    link: { linkType: 0 },
    frames: [
      { data: Buffer.concat([family(2, false), ipv4Packet(v4, syn)]) },
      { data: Buffer.concat([family(2, true), ipv4Packet(v4, data)]) },
      { data: Buffer.concat([family(24, true), ipv6Packet(v6, sackAck)]) },
      { data: Buffer.concat([family(28, false), ipv6Packet(v6, finAck)]) },
      { data: Buffer.concat([family(30, false), ipv6Packet(v6, rst)]) },
    ],
    check: (segments) => assert.equal(segments.length, 5),
  },
  {
    name: 'OpenBSD LOOP',
    link: { linkType: 108 },
    frames: [
      { data: Buffer.concat([family(2, true), ipv4Packet(v4, syn)]) },
      { data: Buffer.concat([family(24, true), ipv6Packet(v6, data)]) },
    ],
    check: (segments) => assert.equal(segments.length, 2),
  },
  { name: 'raw IP (101)', link: { linkType: 101 }, frames: [{ data: ipv4Packet(v4, syn) }, { data: ipv6Packet(v6, data) }] },
  { name: 'raw IPv4 (228)', link: { linkType: 228 }, frames: [{ data: ipv4Packet(v4, syn) }] },
  { name: 'raw IPv6 (229)', link: { linkType: 229 }, frames: [{ data: ipv6Packet(v6, sackAck) }] },
  {
    name: 'raw IP as DLT 12 and 14', link: { linkType: 12 }, frames: [{ data: ipv4Packet(v4, syn) }],
    noOracle: 'libpcap maps link type 12 per platform',
    check: (segments) => assert.equal(segments.length, 1),
  },
  { name: 'raw IP as DLT 14', link: { linkType: 14 }, frames: [{ data: ipv6Packet(v6, syn) }], noOracle: 'libpcap maps link type 14 per platform', check: (s) => assert.equal(s.length, 1) },
  {
    name: 'PPP: with and without address/control, compressed protocol field',
    link: { linkType: 9 },
    frames: [
      { data: Buffer.concat([Buffer.from([0xff, 0x03, 0x00, 0x21]), ipv4Packet(v4, syn)]) },
      { data: Buffer.concat([Buffer.from([0x00, 0x57]), ipv6Packet(v6, data)]) },
      { data: Buffer.concat([Buffer.from([0x21]), ipv4Packet(v4, rst)]) },
    ],
    check: (segments) => assert.equal(segments.length, 3),
  },
  {
    name: 'Cisco HDLC', link: { linkType: 104 },
    frames: [{ data: Buffer.concat([Buffer.from([0x0f, 0x00, 0x08, 0x00]), ipv4Packet(v4, syn)]) }],
  },
  {
    name: 'Ethernet with a 4-byte FCS announced in the link-type field (and a TSO packet whose length comes from the frame)',
    link: { linkType: 1, linkField: 0x24000001 },
    frames: [
      { data: Buffer.concat([ethernetFrame(0x0800, ipv4Packet(v4, data)), Buffer.from([1, 2, 3, 4])]) },
      { data: Buffer.concat([ethernetFrame(0x0800, ipv4Packet({ ...v4, totalLength: 0 }, data)), Buffer.from([1, 2, 3, 4])]) },
    ],
    noOracle: 'tcpdump prints "bad-len 0" for the TSO packet',
    check: (segments) => {
      assert.equal(segments.length, 2);
      assert.equal(segments[0]!.len, 100);
      assert.equal(segments[1]!.len, 100, 'FCS bytes are not payload');
    },
  },
  {
    name: 'unsupported link type: skipped and counted, one warning',
    link: { linkType: 147 },
    frames: [{ data: ipv4Packet(v4, syn) }, { data: ipv4Packet(v4, data) }],
    check: (segments, skipped, issues) => {
      assert.equal(segments.length, 0);
      assert.equal(skipped.get('link-type 147'), 2);
      assert.equal(issues.get('unsupported-link-type'), 1);
    },
  },
];

describe('link layers, IP and TCP decoding against tcpdump', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const file = join(dir, `${c.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.pcap`);
      writeFileSync(file, writePcap(c.frames.map((f, i) => ({ sec: 1700000000 + i, frac: 1000 * i + 7, data: f.data, origLen: f.origLen })), c.link));
      const { segments, issues } = await collect([file]);
      c.check?.(segments, issues.skipped, issues.counts);
      if (c.noOracle || noTcpdump) return;
      const lines = parseTcpdumpTcpLines(runTcpdump(file));
      assert.equal(segments.length, lines.length, `tcpdump printed:\n${lines.map((l) => l.line).join('\n')}`);
      for (let i = 0; i < lines.length; i++) assertSameAsTcpdump(segments[i]!, lines[i]!, c.name, { nano: false });
    });
  }
});

// Tunnel decapsulation: frames built byte by byte for IP in IP, GRE, VXLAN, Geneve and GTP-U (and
// nestings of them). Our segments must carry the innermost addresses and ports and equal what
// tcpdump prints for the inner TCP (tshark for GTP-U, which tcpdump 4.99 does not decode); the
// depth bound, damaged and truncated tunnel headers (cut at every byte) and the tunnels we do not
// open are checked directly: reported or counted, never thrown.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FrameDecoder } from '../../src/decode/index.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { TcpSegment } from '../../src/segment/tcp-segment.js';
import { collect, type Collected } from '../capture/collect-segments.js';
import { ethernetFrame, ipv4Packet, ipv6Packet, tcpBytes, writePcap, type PcapOptions } from '../capture/capture-writer.js';
import { assertSameAsTcpdump, parseTcpdumpTcpLines, runTcpdump, tcpdumpMissing } from '../packets/tcpdump-oracle.js';
import { data, syn } from './segment-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'finscope-tunnels-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const noTcpdump = tcpdumpMissing();
const noTshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).error ? 'tshark is not installed' : false;

// ---- builders -----------------------------------------------------------------------------------

const outer4 = { src: '192.0.2.1', dst: '198.51.100.2' };
const outer6 = { src: '2001:db8:ffff::1', dst: '2001:db8:ffff::2' };
const inner4 = { src: '10.0.0.1', dst: '10.0.0.2' };
const inner6 = { src: '2001:db8::1', dst: '2001:db8::2' };


const ip4 = (payload: Buffer, protocol = 6, addresses = inner4) => ipv4Packet({ ...addresses, protocol }, payload);
const ip6 = (payload: Buffer, next = 6, addresses = inner6) => ipv6Packet({ ...addresses, next }, payload);
const eth4 = (ip: Buffer) => ethernetFrame(0x0800, ip);
const eth6 = (ip: Buffer) => ethernetFrame(0x86dd, ip);

function udp(sport: number, dport: number, payload: Buffer, length = 8 + payload.length): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(length, 4);
  return Buffer.concat([h, payload]);
}

/** GRE: flags/version word, protocol type, then checksum+reserved, key, sequence as present. */
function gre(protocol: number, payload: Buffer, o: { checksum?: number; key?: number; seq?: number; version?: number; routing?: boolean } = {}): Buffer {
  let flags = o.version ?? 0;
  const fields: number[] = [];
  const word = (v: number) => fields.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  if (o.checksum !== undefined || o.routing) { flags |= 0x8000; word((o.checksum ?? 0) << 16); }
  if (o.routing) flags |= 0x4000;
  if (o.key !== undefined) { flags |= 0x2000; word(o.key); }
  if (o.seq !== undefined) { flags |= 0x1000; word(o.seq); }
  const h = Buffer.alloc(4);
  h.writeUInt16BE(flags, 0);
  h.writeUInt16BE(protocol, 2);
  return Buffer.concat([h, Buffer.from(fields), payload]);
}

function vxlan(frame: Buffer, flags = 0x08, vni = 100): Buffer {
  const h = Buffer.from([flags, 0, 0, 0, (vni >> 16) & 255, (vni >> 8) & 255, vni & 255, 0]);
  return Buffer.concat([h, frame]);
}

/** Geneve: version 0, options (a multiple of 4 bytes), protocol type, VNI. */
function geneve(protocol: number, payload: Buffer, options: number[] = [], version = 0): Buffer {
  assert.equal(options.length % 4, 0);
  const h = Buffer.alloc(8);
  h[0] = (version << 6) | (options.length / 4);
  h.writeUInt16BE(protocol, 2);
  h[6] = 7;
  return Buffer.concat([h, Buffer.from(options), payload]);
}

/** One Geneve option: class 0x0102, type 3, `words` 4-byte words of data. */
const geneveOption = (words: number) => [0x01, 0x02, 0x03, words, ...Array(4 * words).fill(0xee)];

interface GtpSpec {
  message?: number;
  /** E, S, PN flag bits (0x04, 0x02, 0x01). */
  flags?: number;
  /** Extension headers: each its content bytes (length byte and next type are added). */
  extensions?: number[][];
  version?: number;
  /** Override the length field. */
  length?: number;
}

/** GTPv1-U: flags, message type, length, TEID, optional seq/N-PDU/next type, extension headers. */
function gtpu(payload: Buffer, s: GtpSpec = {}): Buffer {
  const exts = s.extensions ?? [];
  let flags = ((s.version ?? 1) << 5) | 0x10 | (s.flags ?? 0);
  if (exts.length > 0) flags |= 0x04;
  const optional: number[] = [];
  if ((flags & 0x07) !== 0) optional.push(0x12, 0x34, 0, exts.length > 0 ? 0x85 : 0);
  exts.forEach((content, i) => {
    const bytes = [0, ...content, i + 1 < exts.length ? 0x85 : 0];
    while (bytes.length % 4 !== 0) bytes.splice(bytes.length - 1, 0, 0);
    bytes[0] = bytes.length / 4;
    optional.push(...bytes);
  });
  const h = Buffer.alloc(8);
  h[0] = flags;
  h[1] = s.message ?? 0xff;
  h.writeUInt16BE(s.length ?? optional.length + payload.length, 2);
  h.writeUInt32BE(0xdeadbeef, 4);
  return Buffer.concat([h, Buffer.from(optional), payload]);
}

interface Frame { data: Buffer; origLen?: number }

let fileNumber = 0;
function pcapFile(frames: Frame[], link: PcapOptions = { linkType: 1 }): string {
  const file = join(dir, `t${fileNumber++}.pcap`);
  writeFileSync(file, writePcap(frames.map((f, i) => ({ sec: 1700000000 + i, frac: 1000 * i + 7, data: f.data, origLen: f.origLen })), link));
  return file;
}

async function decode(frames: Frame[], link?: PcapOptions): Promise<Collected & { file: string }> {
  const file = pcapFile(frames, link);
  return { ...(await collect([file])), file };
}

function issueTotal(c: Collected): number {
  let n = 0;
  for (const v of c.issues.counts.values()) n += v;
  return n;
}

function compareWithTcpdump(c: Collected & { file: string }, name: string): void {
  if (noTcpdump) return;
  const lines = parseTcpdumpTcpLines(runTcpdump(c.file));
  assert.equal(c.segments.length, lines.length, `tcpdump printed:\n${lines.map((l) => l.line).join('\n')}`);
  for (let i = 0; i < lines.length; i++) assertSameAsTcpdump(c.segments[i]!, lines[i]!, name, { nano: false });
}

// ---- tunnels tcpdump decodes: compared with it ----------------------------------------------------

interface OracleCase {
  name: string;
  frames: Frame[];
  link?: PcapOptions;
  /** inner addresses of every frame's segment, in order */
  expect: Array<[string, string]>;
}

const a4: [string, string] = [inner4.src, inner4.dst];
const a6: [string, string] = [inner6.src, inner6.dst];

const oracleCases: OracleCase[] = [
  {
    name: 'IP in IP: IPv4 and IPv6 inside IPv4 and IPv6 (protocols 4 and 41)',
    frames: [
      { data: eth4(ipv4Packet({ ...outer4, protocol: 4 }, ip4(syn))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 41 }, ip6(data))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 4 }, ip4(data))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 41 }, ip6(syn))) },
      // IPv6 outer with a destination-options header before the tunnelled packet
      { data: eth6(ipv6Packet({ ...outer6, next: 4, extensions: [{ type: 60 }] }, ip4(syn))) },
    ],
    expect: [a4, a6, a4, a6, a4],
  },
  {
    name: 'GRE version 0: plain, checksum+key+sequence, key only, over IPv6, IPv6 inside',
    frames: [
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ip4(syn)))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ip4(data), { checksum: 0xabcd, key: 0x01020304, seq: 77 }))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x86dd, ip6(syn), { key: 5 }))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 47 }, gre(0x0800, ip4(data), { seq: 1 }))) },
    ],
    expect: [a4, a4, a6, a4],
  },
  {
    name: 'GRE transparent Ethernet bridging (0x6558): inner Ethernet, with 802.1Q and QinQ tags',
    frames: [
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x6558, eth4(ip4(syn)), { key: 0x123400 }))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x6558, ethernetFrame(0x0800, ip4(data), [[0x8100, 5]])))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x6558, ethernetFrame(0x86dd, ip6(data), [[0x88a8, 10], [0x8100, 20]])))) },
    ],
    expect: [a4, a4, a6],
  },
  {
    name: 'VXLAN (UDP 4789): over IPv4 and over IPv6, destination or source port, inner VLAN',
    frames: [
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(51000, 4789, vxlan(eth4(ip4(syn)))))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 17 }, udp(51000, 4789, vxlan(eth6(ip6(data)))))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 17 }, udp(51000, 4789, vxlan(eth4(ip4(syn)))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(4789, 51000, vxlan(eth4(ip4(data)))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(51000, 4789, vxlan(ethernetFrame(0x0800, ip4(syn), [[0x8100, 9]]))))) },
    ],
    expect: [a4, a6, a4, a4, a4],
  },
  {
    name: 'Geneve (UDP 6081): Ethernet with options, IPv4 and IPv6 directly, over IPv6',
    frames: [
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(51000, 6081, geneve(0x6558, eth4(ip4(syn)), [...geneveOption(1), ...geneveOption(3)])))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(51000, 6081, geneve(0x0800, ip4(data))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(51000, 6081, geneve(0x86dd, ip6(syn), geneveOption(2))))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 17 }, udp(51000, 6081, geneve(0x6558, eth6(ip6(data)))))) },
    ],
    expect: [a4, a4, a6, a6],
  },
  {
    name: 'nesting: IP in IP in GRE, VXLAN in GRE, GRE in Geneve, four tunnels deep',
    frames: [
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ipv4Packet({ src: '172.16.0.1', dst: '172.16.0.2', protocol: 4 }, ip4(syn))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ipv4Packet({ src: '172.16.0.1', dst: '172.16.0.2', protocol: 17 }, udp(1, 4789, vxlan(eth6(ip6(data)))))))) },
      { data: eth6(ipv6Packet({ ...outer6, next: 17 }, udp(2, 6081, geneve(0x0800, ipv4Packet({ src: '172.16.0.1', dst: '172.16.0.2', protocol: 47 }, gre(0x0800, ip4(syn))))))) },
      { data: eth4(ipInIp(4, ip4(data))) },
    ],
    expect: [a4, a6, a4, a4],
  },
];

/** `levels` IPv4-in-IPv4 encapsulations around `packet` (addresses 172.16.N.1 > 172.16.N.2). */
function ipInIp(levels: number, packet: Buffer): Buffer {
  for (let i = levels; i > 0; i--) packet = ipv4Packet({ src: `172.16.${i}.1`, dst: `172.16.${i}.2`, protocol: 4 }, packet);
  return packet;
}

describe('tunnels tcpdump decodes: inner segments equal tcpdump\'s', () => {
  for (const c of oracleCases) {
    it(c.name, async () => {
      const r = await decode(c.frames, c.link);
      assert.deepEqual(r.segments.map((s) => [s.src, s.dst]), c.expect, 'innermost addresses');
      assert.equal(issueTotal(r), 0, `issues: ${r.issues.kept.map((i) => i.detail).join('; ')}`);
      assert.deepEqual([...r.issues.skipped], []);
      for (const s of r.segments) assert.equal(s.truncated, false);
      compareWithTcpdump(r, c.name);
    });
  }

  it('the segment keeps the outer record\'s time, record number, byte offset, direction and interface', async () => {
    const sll2 = (packet: Buffer) => {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(0x0800, 0);
      h.writeUInt32BE(7, 4);
      h.writeUInt16BE(1, 8);
      h[10] = 4; // outgoing
      h[11] = 6;
      return Buffer.concat([h, packet]);
    };
    const r = await decode([
      { data: sll2(ipv4Packet({ ...outer4, protocol: 1 }, Buffer.alloc(8))) },
      { data: sll2(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x6558, eth4(ip4(syn))))) },
    ], { linkType: 276 });
    assert.equal(r.segments.length, 1);
    const s = r.segments[0]!;
    assert.deepEqual([s.record, s.byteOffset, s.tsSec, s.tsNsec, s.direction, s.interfaceId], [2, 24 + 16 + (20 + 20 + 8), 1700000001, 1007000, 4, 7]);
    assert.deepEqual([s.ip, s.src, s.sport, s.dst, s.dport, s.mss, s.windowScale], ['IP', '10.0.0.1', 40000, '10.0.0.2', 443, 1460, 7]);
    compareWithTcpdump(r, 'SLL2 + GRE');
  });

  it('a tunnel in an outer first fragment: inner TCP header read, length from the inner IP header, truncated; later fragments skipped', async () => {
    const big = tcpBytes({ sport: 80, dport: 51803, seq: 3833185307, ack: 3907988062, flags: 0x10, win: 14, payloadLength: 1440 });
    const frames: Frame[] = [];
    for (const [protocol, payload] of [
      [17, udp(2152, 2152, gtpu(ip4(big)))],
      [17, udp(51000, 4789, vxlan(eth4(ip4(big))))],
      [47, gre(0x0800, ip4(big), { key: 1 })],
    ] as const) {
      const datagram = ipv4Packet({ ...outer4, protocol }, payload);
      const body = datagram.subarray(20);
      const cut = 1480; // payload bytes in the first fragment (a multiple of 8)
      const first = ipv4Packet({ ...outer4, protocol, moreFragments: true }, body.subarray(0, cut));
      const second = ipv4Packet({ ...outer4, protocol, fragmentOffset: cut / 8 }, body.subarray(cut));
      frames.push({ data: eth4(first) }, { data: eth4(second) });
    }
    const r = await decode(frames);
    assert.deepEqual(r.segments.map((s) => [s.record, s.src, s.len, s.truncated, s.seq]), [
      [1, '10.0.0.1', 1440, true, 3833185307], [3, '10.0.0.1', 1440, true, 3833185307], [5, '10.0.0.1', 1440, true, 3833185307],
    ]);
    assert.equal(issueTotal(r), 0, `issues: ${r.issues.kept.map((i) => i.detail).join('; ')}`);
    assert.deepEqual([...r.issues.skipped], [['ip proto 17', 2], ['ip proto 47', 1]]);
    if (!noTcpdump) {
      // tcpdump decodes the VXLAN and GRE ones (not GTP-U): records 3 and 5
      const lines = parseTcpdumpTcpLines(runTcpdump(r.file));
      assert.equal(lines.length, 2, lines.map((l) => l.line).join('\n'));
      assertSameAsTcpdump(r.segments[1]!, lines[0]!, 'VXLAN in a first fragment', { nano: false });
      assertSameAsTcpdump(r.segments[2]!, lines[1]!, 'GRE in a first fragment', { nano: false });
    }
  });
});

// ---- GTP-U: tcpdump 4.99 prints "UDP, length N"; checked directly and against tshark --------------------

const gtpFrames: Frame[] = [
  { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(5906, 2152, gtpu(ip4(syn))))) },
  { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(2152, 2152, gtpu(ip4(data), { flags: 0x02 })))) },
  // PDU session container (type 0x85) extension header, as 5G user planes send it
  { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(2152, 2152, gtpu(ip6(syn), { extensions: [[0x10, 0x09]] })))) },
  // two extension headers, the second 8 bytes long; over IPv6
  { data: eth6(ipv6Packet({ ...outer6, next: 17 }, udp(40000, 2152, gtpu(ip4(data), { flags: 0x01, extensions: [[1, 2], [1, 2, 3, 4, 5, 6]] })))) },
];

describe('GTP-U (UDP 2152)', () => {
  it('G-PDUs with and without the optional fields and extension headers: the inner segment', async () => {
    const r = await decode(gtpFrames);
    assert.equal(issueTotal(r), 0, `issues: ${r.issues.kept.map((i) => i.detail).join('; ')}`);
    assert.deepEqual(r.segments.map((s) => [s.ip, s.src, s.sport, s.dst, s.dport, s.seq, s.len, s.truncated]), [
      ['IP', '10.0.0.1', 40000, '10.0.0.2', 443, 4000000000, 0, false],
      ['IP', '10.0.0.1', 443, '10.0.0.2', 40000, 17, 100, false],
      ['IP6', '2001:db8::1', 40000, '2001:db8::2', 443, 4000000000, 0, false],
      ['IP', '10.0.0.1', 443, '10.0.0.2', 40000, 17, 100, false],
    ]);
    assert.equal(r.segments[0]!.timestamps, '123456/0');
  });

  it('the same segments as tshark decodes', { skip: noTshark }, async () => {
    const r = await decode(gtpFrames);
    const t = spawnSync('tshark', ['-r', r.file, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src',
      '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.len', '-e', 'tcp.window_size_value'], { encoding: 'utf8' });
    const rows = t.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.equal(rows.length, r.segments.length);
    rows.forEach((row, i) => {
      const s = r.segments[i]!;
      // the innermost address is the last one listed
      const src = (s.ip === 'IP' ? row[1]! : row[2]!).split(',').pop();
      assert.deepEqual([Number(row[0]), src, ...row.slice(3).map(Number)], [s.record, s.src, s.sport, s.dport, s.seq, s.ack, s.len, s.win], `frame ${row[0]}`);
    });
  });
});

// ---- not opened: counted like other unsupported protocols ------------------------------------------

describe('tunnels and UDP we do not open are counted and skipped', () => {
  it('GRE v1 (PPTP), source routing, ERSPAN and other types; UDP on other ports; GTP-U signalling; Geneve other types; ARP in VXLAN', async () => {
    const r = await decode([
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x880b, Buffer.from([0xff, 0x03, 0xc0, 0x21, 1, 0, 0, 4]), { version: 1, key: 0x00400000 }))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ip4(syn), { routing: true }))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x88be, eth4(ip4(syn)), { seq: 1 }))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x8847, ip4(syn)))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(53, 5353, Buffer.alloc(20)))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(4790, 4791, vxlan(eth4(ip4(syn)))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(2152, 2152, gtpu(Buffer.alloc(0), { message: 0x01, flags: 0x02 })))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(2152, 2152, gtpu(Buffer.alloc(0), { message: 0xfe })))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(2152, 2152, gtpu(Buffer.from([0x00, 1, 2, 3]))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 6081, geneve(0x8847, ip4(syn))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(ethernetFrame(0x0806, Buffer.alloc(28)))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 4 }, ip4(Buffer.alloc(8), 1))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 4, fragmentOffset: 100 }, Buffer.alloc(40))) },
    ]);
    assert.equal(r.segments.length, 0);
    assert.equal(issueTotal(r), 0, `issues: ${r.issues.kept.map((i) => i.detail).join('; ')}`);
    assert.deepEqual(Object.fromEntries(r.issues.skipped), {
      'gre version 1': 1, 'gre source route': 1, 'gre proto 0x88be': 1, 'gre proto 0x8847': 1, 'ip proto 17': 2,
      'gtp-u message 0x01': 1, 'gtp-u message 0xfe': 1, 'gtp-u non-ip pdu (version nibble 0)': 1, 'geneve proto 0x8847': 1,
      'ethertype 0x0806': 1, 'ip proto 1': 1, 'ip proto 4': 1,
    });
  });
});

// ---- the depth bound --------------------------------------------------------------------------

describe('nesting depth', () => {
  it('four tunnels are opened, a fifth is reported and skipped', async () => {
    const r = await decode([
      { data: eth4(ipInIp(4, ip4(syn))) },
      { data: eth4(ipInIp(5, ip4(syn))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ipInIp(3, ip4(syn))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 47 }, gre(0x0800, ipInIp(4, ip4(syn))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ipInIp(2, ip4(data))))))))))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ipInIp(3, ip4(data))))))))))) },
    ]);
    assert.deepEqual(r.segments.map((s) => [s.record, s.src]), [[1, '10.0.0.1'], [3, '10.0.0.1'], [5, '10.0.0.1']]);
    assert.equal(r.issues.counts.get('bad-ip-header'), 3);
    assert.equal(issueTotal(r), 3);
    assert.ok(r.issues.kept.every((i) => /nesting deeper than that is not followed/.test(i.detail)), r.issues.kept.map((i) => i.detail).join('\n'));
    assert.deepEqual(r.issues.kept.map((i) => i.record), [2, 4, 6]);
  });

  it('a frame of 2,000 nested IP-in-IP headers (and one of nested GRE) ends at the bound, reported once', async () => {
    const deepGre = (() => {
      let p = ip4(syn);
      for (let i = 0; i < 2000; i++) p = Buffer.concat([Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 47, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]), gre(0x0800, p)]);
      return p;
    })();
    const r = await decode([
      { data: eth4(ipInIp(2000, ip4(syn)).subarray(0, 65000)) },
      // total length fields wrap past 65535: set them all to 0 (TSO: length from the frame)
      { data: eth4(deepGre) },
    ]);
    assert.equal(r.segments.length, 0);
    assert.equal(issueTotal(r), 2);
    assert.ok(r.issues.kept.every((i) => /nesting deeper/.test(i.detail)), r.issues.kept.map((i) => i.detail).join('\n'));
  });
});

// ---- damaged and truncated tunnel headers --------------------------------------------------------

interface CutCase {
  name: string;
  /** the frame, where its tunnel header starts, and where the inner TCP header ends */
  frame: Buffer;
  tunnelStart: number;
  tcpEnd: number;
  /** leading tunnel bytes whose loss hides that it is a tunnel: counted as this, not reported */
  hiddenBytes?: number;
  hiddenAs?: string;
}

function cutCase(name: string, outer: (payload: Buffer) => Buffer, outerHeader: number, tunnel: Buffer, innerTcpEnd: number, hidden?: [number, string]): CutCase {
  const frame = outer(tunnel);
  return { name, frame, tunnelStart: 14 + outerHeader, tcpEnd: 14 + outerHeader + innerTcpEnd, hiddenBytes: hidden?.[0], hiddenAs: hidden?.[1] };
}

const o4 = (protocol: number) => (p: Buffer) => eth4(ipv4Packet({ ...outer4, protocol }, p));
const o6 = (next: number) => (p: Buffer) => eth6(ipv6Packet({ ...outer6, next }, p));
const udpHidden: [number, string] = [4, 'ip proto 17'];

const cutCases: CutCase[] = [
  cutCase('IPv4 in IPv4', o4(4), 20, ip4(syn), 20 + 20),
  cutCase('IPv6 in IPv6', o6(41), 40, ip6(syn), 40 + 20),
  cutCase('GRE with checksum, key and sequence', o4(47), 20, gre(0x0800, ip4(syn), { checksum: 1, key: 2, seq: 3 }), 16 + 20 + 20),
  cutCase('GRE with Ethernet and a VLAN tag', o4(47), 20, gre(0x6558, ethernetFrame(0x0800, ip4(syn), [[0x8100, 5]]), { key: 9 }), 8 + 18 + 20 + 20),
  cutCase('VXLAN over IPv6', o6(17), 40, udp(1, 4789, vxlan(eth4(ip4(syn)))), 8 + 8 + 14 + 20 + 20, udpHidden),
  cutCase('Geneve with options', o4(17), 20, udp(1, 6081, geneve(0x6558, eth6(ip6(syn)), [...geneveOption(1), ...geneveOption(2)])), 8 + 28 + 14 + 40 + 20, udpHidden),
  cutCase('GTP-U with two extension headers', o4(17), 20, udp(2152, 2152, gtpu(ip4(syn), { extensions: [[1, 2], [1, 2, 3, 4, 5, 6]] })), 8 + 12 + 4 + 8 + 20 + 20, udpHidden),
];

/** Decode each frame alone with the frame decoder: whether it gave a segment, and the issues and skips it caused. */
function decodeEach(frames: Frame[]): Array<{ segment: boolean; truncated: boolean; issues: string[]; skipped: number }> {
  const addresses = new AddressTable();
  const seg = new TcpSegment();
  return frames.map((f, i) => {
    const issues = new IssueLog();
    const decoder = new FrameDecoder(addresses, issues, 'cut.pcap');
    seg.record = i + 1;
    const segment = decoder.decode(1, f.data, 0, f.data.length, f.origLen ?? f.data.length, 0, seg);
    let skipped = 0;
    for (const n of issues.skipped.values()) skipped += n;
    return { segment, truncated: seg.truncated, issues: issues.kept.map((x) => `${x.code}: ${x.detail}`), skipped };
  });
}

describe('a tunnel header cut at every byte: reported, never thrown', () => {
  for (const c of cutCases) {
    it(`${c.name}: by the snap length`, () => {
      const frames: Frame[] = [];
      for (let at = c.tunnelStart; at < c.tcpEnd; at++) frames.push({ data: c.frame.subarray(0, at), origLen: c.frame.length });
      const hidden = c.hiddenBytes ?? 0;
      decodeEach(frames).forEach((r, i) => {
        const at = c.tunnelStart + i;
        assert.equal(r.segment, false, `cut at ${at}`);
        if (i < hidden) {
          assert.deepEqual([r.issues, r.skipped], [[], 1], `cut at ${at}: counted as ${c.hiddenAs}`);
        } else {
          assert.equal(r.issues.length, 1, `cut at ${at}: ${r.issues.join('; ')}`);
          assert.match(r.issues[0]!, /^truncated-packet: /, `cut at ${at}`);
        }
      });
      // up to the end of the inner TCP header's 20 bytes, the segment is there, its payload marked as not captured
      const whole = decodeEach([{ data: c.frame.subarray(0, c.tcpEnd), origLen: c.frame.length }, { data: c.frame }]);
      assert.deepEqual(whole.map((r) => [r.segment, r.truncated, r.issues]), [[true, true, []], [true, false, []]]);
    });

    it(`${c.name}: by the outer IP packet's own length (the frame ends there too)`, () => {
      const frames: Frame[] = [];
      const ipStart = 14;
      const v6 = c.frame.readUInt16BE(12) === 0x86dd;
      for (let at = c.tunnelStart; at < c.tcpEnd; at++) {
        const f = Buffer.from(c.frame.subarray(0, at));
        if (v6) f.writeUInt16BE(at - ipStart - 40, ipStart + 4);
        else f.writeUInt16BE(at - ipStart, ipStart + 2);
        frames.push({ data: f });
      }
      const hidden = c.hiddenBytes ?? 0;
      decodeEach(frames).forEach((r, i) => {
        const at = c.tunnelStart + i;
        assert.equal(r.segment, false, `cut at ${at}`);
        if (i < hidden) assert.deepEqual([r.issues, r.skipped], [[], 1], `cut at ${at}`);
        else assert.ok(r.issues.length >= 1 && r.issues.length <= 2, `cut at ${at}: ${r.issues.join('; ')}`);
      });
    });
  }

  it('random bytes after every tunnel header: never thrown', () => {
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const frames: Frame[] = [];
    for (const c of cutCases) {
      for (let at = c.tunnelStart; at < c.tcpEnd; at++) {
        for (let k = 0; k < 4; k++) {
          const f = Buffer.from(c.frame);
          for (let j = at; j < f.length && j < at + 8; j++) f[j] = random();
          frames.push({ data: f });
        }
      }
    }
    const results = decodeEach(frames);
    assert.equal(results.length, frames.length);
  });

  it('damaged tunnel headers: reported as bad headers and skipped', async () => {
    const r = await decode([
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ip4(syn)), 0x00)))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 6081, geneve(0x0800, ip4(syn), [], 1)))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 2152, gtpu(ip4(syn), { version: 2 })))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 2152, gtpu(ip4(syn), { length: 500 })))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 2152, gtpu(Buffer.alloc(0))))) },
      // extension header with length 0
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 2152, (() => { const g = gtpu(ip4(syn), { extensions: [[1, 2]] }); g[12] = 0; return g; })()))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ip4(syn))), 5))) },
      { data: eth4(ipv4Packet({ ...outer4, protocol: 17 }, udp(1, 4789, vxlan(eth4(ip4(syn))), 9000))) },
    ]);
    assert.equal(r.segments.length, 0);
    assert.equal(r.issues.counts.get('bad-ip-header'), 8, r.issues.kept.map((i) => i.detail).join('\n'));
    assert.equal(issueTotal(r), 8);
    const details = r.issues.kept.map((i) => i.detail);
    for (const re of [/VXLAN .*without its I flag/, /Geneve version 1/, /GTP version 2/, /GTP-U length 500 runs past/, /G-PDU with no packet/,
      /extension header .* of length 0/, /UDP length 5 is shorter/, /UDP length 9000 runs past/]) {
      assert.ok(details.some((d) => re.test(d)), `${re}: ${details.join('\n')}`);
    }
  });
});

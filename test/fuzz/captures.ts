// Fuzz seeds: small valid captures built byte by byte from a seeded RNG (pcap in both byte orders
// and both resolutions, pcapng with several sections/interfaces/block kinds, gzip, tcpdump text),
// with the variety real captures have: VLAN tags, IPv4 options, IPv6 extension headers, TCP
// options, link types other than Ethernet, snap lengths that cut packets.

import { gzipSync } from 'node:zlib';
import type { Rng } from './rng.js';

export interface Packet {
  sec: number;
  usec: number;
  v6: boolean;
  src: number[];
  dst: number[];
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  win: number;
  payload: number;
  /** Raw TCP option bytes (padded when encoded). */
  options: number[];
}

const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 } as const;

function u32be(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function randomOptions(rng: Rng, syn: boolean): number[] {
  const o: number[] = [];
  if (syn) {
    if (rng.chance(0.8)) o.push(2, 4, 5, 0xb4);
    if (rng.chance(0.6)) o.push(4, 2);
    if (rng.chance(0.6)) o.push(1, 3, 3, rng.int(15));
  }
  if (rng.chance(0.5)) o.push(1, 1, 8, 10, ...u32be(rng.u32()), ...u32be(rng.u32()));
  if (!syn && rng.chance(0.15)) {
    const n = rng.range(1, 3);
    o.push(1, 1, 5, 2 + 8 * n);
    for (let i = 0; i < n; i++) o.push(...u32be(rng.u32()), ...u32be(rng.u32()));
  }
  if (rng.chance(0.05)) o.push(30, 4, 0, 0); // MPTCP-ish unknown option
  if (rng.chance(0.05)) o.push(0); // EOL
  return o.slice(0, 40);
}

/** A few interleaved conversations: handshake, data, then FIN close, RST, half-close or nothing. */
export function conversations(rng: Rng, count: number, v6Share = 0.3): Packet[] {
  const out: Packet[] = [];
  let sec = 1_700_000_000 + rng.int(1_000_000);
  let usec = rng.int(1_000_000);
  const tick = (): [number, number] => {
    usec += 1 + rng.logSize(2_000_000);
    sec += Math.floor(usec / 1_000_000);
    usec %= 1_000_000;
    return [sec, usec];
  };
  for (let c = 0; c < count; c++) {
    const v6 = rng.chance(v6Share);
    const a = v6 ? [0x20, 0x01, 0x0d, 0xb8, ...rng.bytes(12)] : [10, 0, rng.int(4), 1 + rng.int(250)];
    const b = v6 ? [0x20, 0x01, 0x0d, 0xb8, ...rng.bytes(12)] : [10, 1, 0, 1 + rng.int(250)];
    const cport = 30000 + rng.int(30000);
    const sport = rng.pick([80, 443, 9000, 5432, 6379, 8080, rng.range(1, 65535)]);
    let cseq = rng.u32(), sseq = rng.u32();
    const push = (fromClient: boolean, flags: number, payload = 0): void => {
      const [s, u] = tick();
      out.push({
        sec: s, usec: u, v6, src: fromClient ? a : b, dst: fromClient ? b : a, sport: fromClient ? cport : sport,
        dport: fromClient ? sport : cport, flags, seq: fromClient ? cseq : sseq, ack: (flags & F.ACK) ? (fromClient ? sseq : cseq) : 0,
        win: rng.chance(0.05) ? 0 : rng.range(1, 65535), payload, options: randomOptions(rng, (flags & F.SYN) !== 0),
      });
      const adv = payload + ((flags & (F.SYN | F.FIN)) ? 1 : 0);
      if (fromClient) cseq = (cseq + adv) >>> 0; else sseq = (sseq + adv) >>> 0;
    };
    const midFlow = rng.chance(0.15);
    if (!midFlow) {
      push(true, F.SYN);
      if (rng.chance(0.1)) { push(false, F.RST | F.ACK); continue; }
      push(false, F.SYN | F.ACK);
      push(true, F.ACK);
    }
    const exchanges = rng.int(4);
    for (let i = 0; i < exchanges; i++) {
      push(true, F.PSH | F.ACK, rng.range(1, 1400));
      push(false, F.ACK);
      push(false, F.PSH | F.ACK, rng.range(1, 1400));
      push(true, F.ACK);
    }
    switch (rng.int(4)) {
      case 0: // orderly close
        push(true, F.FIN | F.ACK); push(false, F.ACK); push(false, F.FIN | F.ACK); push(true, F.ACK);
        break;
      case 1: push(rng.chance(0.5), F.RST | F.ACK); break;
      case 2: push(false, F.FIN | F.ACK); push(true, F.ACK); break; // half-close: CLOSE_WAIT left behind
      default: break; // still open
    }
  }
  return out;
}

function checksum16(bytes: number[]): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += ((bytes[i]! << 8) | (bytes[i + 1] ?? 0));
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function tcpHeader(p: Packet): number[] {
  const opts = [...p.options];
  while (opts.length % 4) opts.push(0);
  const hl = 20 + opts.length;
  const h = [
    p.sport >> 8, p.sport & 255, p.dport >> 8, p.dport & 255, ...u32be(p.seq), ...u32be(p.ack),
    (hl / 4) << 4, p.flags, p.win >> 8, p.win & 255, 0, 0, 0, 0, ...opts,
  ];
  for (let i = 0; i < p.payload; i++) h.push(0x61 + (i % 26));
  return h;
}

function ipv4(p: Packet, tcp: number[], rng: Rng): number[] {
  const opts: number[] = rng.chance(0.1) ? [0x94, 4, 0, 0] : []; // router alert
  const hl = 20 + opts.length;
  const total = hl + tcp.length;
  const h = [0x40 | (hl / 4), 0, total >> 8, total & 255, rng.int(256), rng.int(256), 0x40, 0, 64, 6, 0, 0, ...p.src, ...p.dst, ...opts];
  const c = checksum16(h);
  h[10] = c >> 8; h[11] = c & 255;
  return [...h, ...tcp];
}

function ipv6(p: Packet, tcp: number[], rng: Rng): number[] {
  // Optional extension headers: hop-by-hop (0), destination options (60), routing (43), fragment (44, first fragment).
  const exts: Array<[number, number[]]> = [];
  if (rng.chance(0.25)) {
    const kinds = [0, 60, 43, 44].filter(() => rng.chance(0.4));
    for (const k of kinds) {
      if (k === 44) exts.push([44, [0, 0, ...rng.bytes(4)]]); // offset 0, M=0: an atomic first fragment
      else if (k === 43) exts.push([43, [0, 0, 0, 0, 0, 0]]); // type 0 routing, 0 segments left (+2 = 8 bytes)
      else exts.push([k, [1, 4, 0, 0, 0, 0]]); // PadN
    }
  }
  const chain: number[] = [];
  for (let i = 0; i < exts.length; i++) {
    const [, body] = exts[i]!;
    const next = i + 1 < exts.length ? exts[i + 1]![0] : 6;
    const total = 2 + body.length; // multiple of 8
    chain.push(next, exts[i]![0] === 44 ? 0 : total / 8 - 1, ...body);
  }
  const first = exts.length ? exts[0]![0] : 6;
  const plen = chain.length + tcp.length;
  return [0x60, 0, 0, 0, plen >> 8, plen & 255, first, 64, ...p.src, ...p.dst, ...chain, ...tcp];
}

export type LinkKind = 'ethernet' | 'vlan' | 'raw' | 'sll' | 'null' | 'loop';
export const LINK_TYPES: Record<LinkKind, number> = { ethernet: 1, vlan: 1, raw: 101, sll: 113, null: 0, loop: 108 };

export function frame(p: Packet, link: LinkKind, rng: Rng): number[] {
  const tcp = tcpHeader(p);
  const ip = p.v6 ? ipv6(p, tcp, rng) : ipv4(p, tcp, rng);
  const et = p.v6 ? [0x86, 0xdd] : [0x08, 0x00];
  switch (link) {
    case 'ethernet': return [...rng.bytes(12), ...et, ...ip];
    case 'vlan': return [...rng.bytes(12), 0x81, 0x00, 0, rng.int(256), ...et, ...ip];
    case 'raw': return ip;
    case 'sll': return [0, rng.pick([0, 4]), 0, 1, 0, 6, ...rng.bytes(6), 0, 0, ...et, ...ip];
    case 'null': return [...(p.v6 ? [30, 0, 0, 0] : [2, 0, 0, 0]), ...ip]; // host byte order (LE)
    case 'loop': return [...(p.v6 ? [0, 0, 0, 30] : [0, 0, 0, 2]), ...ip];
  }
}

class Writer {
  private readonly parts: Buffer[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): this { this.parts.push(Buffer.from([v & 255])); return this; }
  u16(v: number): this { const b = Buffer.alloc(2); if (this.le) b.writeUInt16LE(v & 0xffff); else b.writeUInt16BE(v & 0xffff); this.parts.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); if (this.le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); this.parts.push(b); return this; }
  u64(v: bigint): this { const b = Buffer.alloc(8); if (this.le) b.writeBigUInt64LE(BigInt.asUintN(64, v)); else b.writeBigUInt64BE(BigInt.asUintN(64, v)); this.parts.push(b); return this; }
  raw(bytes: number[] | Buffer): this { this.parts.push(Buffer.from(bytes)); return this; }
  get length(): number { return this.parts.reduce((n, b) => n + b.length, 0); }
  done(): Buffer { return Buffer.concat(this.parts); }
}

export function writePcap(packets: Packet[], rng: Rng): Buffer {
  const le = rng.chance(0.7);
  const nano = rng.chance(0.3);
  const link = rng.pick<LinkKind>(['ethernet', 'ethernet', 'vlan', 'raw', 'sll', 'null', 'loop']);
  const snaplen = rng.chance(0.2) ? rng.range(40, 120) : 262144;
  const w = new Writer(le);
  w.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(LINK_TYPES[link]);
  for (const p of packets) {
    const f = frame(p, link, rng);
    const cap = Math.min(f.length, snaplen);
    w.u32(p.sec).u32(nano ? p.usec * 1000 + rng.int(1000) : p.usec).u32(cap).u32(f.length).raw(f.slice(0, cap));
  }
  return w.done();
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function ngBlock(w: Writer, type: number, body: Buffer): void {
  const total = 12 + body.length + pad4(body.length);
  w.u32(type).u32(total).raw(body).raw(Buffer.alloc(pad4(body.length))).u32(total);
}

function ngOptions(le: boolean, options: Array<[number, Buffer]>): Buffer {
  const w = new Writer(le);
  for (const [code, value] of options) w.u16(code).u16(value.length).raw(value).raw(Buffer.alloc(pad4(value.length)));
  if (options.length) w.u16(0).u16(0);
  return w.done();
}

export function writePcapng(packets: Packet[], rng: Rng): Buffer {
  const sections = rng.chance(0.2) ? 2 : 1;
  const out: Buffer[] = [];
  const half = Math.floor(packets.length / 2);
  for (let s = 0; s < sections; s++) {
    const le = rng.chance(0.7);
    const w = new Writer(le);
    const part = sections === 1 ? packets : s === 0 ? packets.slice(0, half) : packets.slice(half);
    const shbBody = new Writer(le).u32(0x1a2b3c4d).u16(1).u16(0).u64(rng.chance(0.5) ? -1n : 0n)
      .raw(ngOptions(le, rng.chance(0.5) ? [[4, Buffer.from('fuzz writer')]] : [])).done();
    ngBlock(w, 0x0a0d0d0a, shbBody);
    const ifaces = rng.range(1, 3);
    const links: LinkKind[] = [];
    const resol: number[] = [];
    for (let i = 0; i < ifaces; i++) {
      const link = rng.pick<LinkKind>(['ethernet', 'vlan', 'raw', 'sll', 'null']);
      links.push(link);
      const r = rng.pick([6, 9, 3, 0x80 | 20]);
      resol.push(r);
      const opts: Array<[number, Buffer]> = [];
      if (r !== 6) opts.push([9, Buffer.from([r])]);
      if (rng.chance(0.3)) opts.push([2, Buffer.from(`eth${i}`)]);
      if (rng.chance(0.2)) opts.push([14, Buffer.alloc(8)]); // if_tsoffset
      const body = new Writer(le).u16(LINK_TYPES[link]).u16(0).u32(rng.chance(0.2) ? rng.range(40, 120) : 0).raw(ngOptions(le, opts)).done();
      ngBlock(w, 1, body);
    }
    for (const p of part) {
      const iface = rng.int(ifaces);
      const f = frame(p, links[iface]!, rng);
      const r = resol[iface]!;
      const ticksPerSec = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
      const ticks = BigInt(p.sec) * ticksPerSec + (BigInt(p.usec) * ticksPerSec) / 1_000_000n;
      const kind = rng.weighted([[10, 'epb'], [1, 'spb'], [1, 'pb']] as const);
      if (rng.chance(0.05)) ngBlock(w, 0x0bad, rng.bytes(rng.int(20))); // custom/unknown block: skipped
      if (rng.chance(0.03)) ngBlock(w, 4, new Writer(le).u16(1).u16(4).raw([10, 0, 0, 1]).u16(0).u16(0).done()); // NRB
      if (kind === 'spb' && iface === 0) {
        ngBlock(w, 3, new Writer(le).u32(f.length).raw(f).done());
      } else if (kind === 'pb') {
        ngBlock(w, 2, new Writer(le).u16(iface).u16(0).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn)).u32(f.length).u32(f.length)
          .raw(f).raw(Buffer.alloc(pad4(f.length))).done());
      } else {
        const opts: Array<[number, Buffer]> = rng.chance(0.1) ? [[2, Buffer.from([0, 0, 0, rng.pick([1, 2])])]] : [];
        ngBlock(w, 6, new Writer(le).u32(iface).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn)).u32(f.length).u32(f.length)
          .raw(f).raw(Buffer.alloc(pad4(f.length))).raw(ngOptions(le, opts)).done());
      }
    }
    if (rng.chance(0.2)) ngBlock(w, 5, new Writer(le).u32(0).u32(0).u32(0).done()); // ISB
    out.push(w.done());
  }
  return Buffer.concat(out);
}

function v6Text(a: number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((a[i]! << 8) | a[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

function flagLetters(f: number): string {
  let s = '';
  if (f & F.SYN) s += 'S';
  if (f & F.FIN) s += 'F';
  if (f & F.PSH) s += 'P';
  if (f & F.RST) s += 'R';
  if (f & F.URG) s += 'U';
  if (f & F.ACK) s += '.';
  return s || 'none';
}

/** tcpdump -n (or -S, -tt, -tttt) style lines; optionally host names instead of addresses. */
export function writeText(packets: Packet[], rng: Rng, hostNames?: string[]): Buffer {
  const style = rng.pick(['hms', 'epoch', 'date']);
  const absolute = rng.chance(0.5);
  const lines: string[] = [];
  if (rng.chance(0.3)) lines.push('reading from file x.pcap, link-type EN10MB (Ethernet), snapshot length 262144');
  const base = new Map<string, number>();
  for (const p of packets) {
    const d = new Date(p.sec * 1000);
    const frac = String(p.usec).padStart(6, '0');
    const hms = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}.${frac}`;
    const ts = style === 'epoch' ? `${p.sec}.${frac}` : style === 'date' ? `${d.toISOString().slice(0, 10)} ${hms}` : hms;
    const name = (addr: number[]) => (hostNames ? hostNames[addr[addr.length - 1]! % hostNames.length]! : p.v6 ? v6Text(addr) : addr.join('.'));
    const key = `${name(p.src)}.${p.sport}>${name(p.dst)}.${p.dport}`;
    let seq = p.seq, ack = p.ack;
    if (!absolute && !(p.flags & F.SYN)) {
      // relative numbers as tcpdump prints them after the handshake
      const b = base.get(key) ?? p.seq - 1;
      base.set(key, b);
      seq = (p.seq - b) >>> 0;
      const rkey = `${name(p.dst)}.${p.dport}>${name(p.src)}.${p.sport}`;
      if (base.has(rkey)) ack = (p.ack - base.get(rkey)!) >>> 0;
    } else if (p.flags & F.SYN) base.set(key, p.seq);
    let line = `${ts} ${p.v6 ? 'IP6' : 'IP'} ${name(p.src)}.${p.sport} > ${name(p.dst)}.${p.dport}: Flags [${flagLetters(p.flags)}]`;
    if (p.payload > 0) line += `, seq ${seq}:${(seq + p.payload) >>> 0}`;
    else if (p.flags & (F.SYN | F.FIN | F.RST)) line += `, seq ${seq}`;
    if (p.flags & F.ACK) line += `, ack ${ack}`;
    line += `, win ${p.win}`;
    if (p.flags & F.SYN) line += `, options [mss 1460,sackOK,TS val ${p.seq % 100000} ecr 0,nop,wscale 7]`;
    line += `, length ${p.payload}`;
    lines.push(line);
    if (rng.chance(0.03)) lines.push(`${ts} ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28`);
  }
  return Buffer.from(lines.join('\n') + (rng.chance(0.9) ? '\n' : ''), 'latin1');
}

export interface GeneratedSeed {
  name: string;
  bytes: Buffer;
}

/** `count` generated seeds of every kind. */
export function generatedSeeds(rng: Rng, count: number): GeneratedSeed[] {
  const out: GeneratedSeed[] = [];
  for (let i = 0; i < count; i++) {
    const packets = conversations(rng, rng.range(1, 6));
    const kind = i % 5;
    if (kind === 0 || kind === 1) out.push({ name: `gen-${i}.pcap`, bytes: writePcap(packets, rng) });
    else if (kind === 2) out.push({ name: `gen-${i}.pcapng`, bytes: writePcapng(packets, rng) });
    else if (kind === 3) out.push({ name: `gen-${i}.txt`, bytes: writeText(packets, rng) });
    else out.push({ name: `gen-${i}.pcap.gz`, bytes: gzipSync(rng.chance(0.5) ? writePcap(packets, rng) : writePcapng(packets, rng)) });
  }
  return out;
}

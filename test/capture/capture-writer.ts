// Test helper: builds frames (Ethernet/VLAN/IP/TCP ...) and writes pcap and pcapng files byte by
// byte, independently of the readers under test, so tests can make the variants they need.

export interface TcpSpec {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** Raw flag bits (byte 13; bit 8 = AE goes into byte 12). */
  flags: number;
  win?: number;
  urg?: number;
  options?: number[];
  payloadLength?: number;
}

export function tcpBytes(t: TcpSpec): Buffer {
  const options = [...(t.options ?? [])];
  while (options.length % 4 !== 0) options.push(0);
  const headerLength = 20 + options.length;
  const b = Buffer.alloc(headerLength + (t.payloadLength ?? 0));
  b.writeUInt16BE(t.sport, 0);
  b.writeUInt16BE(t.dport, 2);
  b.writeUInt32BE(t.seq >>> 0, 4);
  b.writeUInt32BE((t.ack ?? 0) >>> 0, 8);
  b[12] = ((headerLength / 4) << 4) | ((t.flags >> 8) & 1);
  b[13] = t.flags & 0xff;
  b.writeUInt16BE(t.win ?? 65535, 14);
  b.writeUInt16BE(t.urg ?? 0, 18);
  Buffer.from(options).copy(b, 20);
  for (let i = headerLength; i < b.length; i++) b[i] = 0x41 + (i % 26);
  return b;
}

export const opt = {
  mss: (v: number) => [2, 4, v >> 8, v & 255],
  wscale: (v: number) => [1, 3, 3, v],
  sackOk: () => [1, 1, 4, 2],
  ts: (val: number, ecr: number) => [1, 1, 8, 10, ...u32(val), ...u32(ecr)],
  sack: (...edges: number[]) => [1, 1, 5, 2 + 4 * edges.length, ...edges.flatMap(u32)],
};

function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

export function ipv4Address(text: string): number[] {
  return text.split('.').map(Number);
}

export function ipv6Address(text: string): number[] {
  // expand '::'
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => { const v = parseInt(g, 16); return [v >> 8, v & 255]; });
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  protocol?: number;
  /** Override the total length field (e.g. 0 for TSO). */
  totalLength?: number;
  /** Fragment offset in 8-byte units, and the more-fragments bit. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** IP options bytes (padded to 4). */
  options?: number[];
}

export function ipv4Packet(spec: Ipv4Spec, payload: Buffer): Buffer {
  const options = [...(spec.options ?? [])];
  while (options.length % 4 !== 0) options.push(0);
  const headerLength = 20 + options.length;
  const b = Buffer.alloc(headerLength + payload.length);
  b[0] = 0x40 | (headerLength / 4);
  b.writeUInt16BE(spec.totalLength ?? b.length, 2);
  b.writeUInt16BE(0x1234, 4);
  b.writeUInt16BE(((spec.moreFragments ? 1 : 0) << 13) | (spec.fragmentOffset ?? 0), 6);
  b[8] = 64;
  b[9] = spec.protocol ?? 6;
  Buffer.from(ipv4Address(spec.src)).copy(b, 12);
  Buffer.from(ipv4Address(spec.dst)).copy(b, 16);
  Buffer.from(options).copy(b, 20);
  let sum = 0;
  for (let i = 0; i < headerLength; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, 10);
  payload.copy(b, headerLength);
  return b;
}

export interface Ipv6Extension {
  /** 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH */
  type: number;
  /** For 0/43/60: option bytes (the header is padded to a multiple of 8). For 44: offset/M. */
  body?: number[];
  fragmentOffset?: number;
  moreFragments?: boolean;
}

export function ipv6Packet(spec: { src: string; dst: string; next?: number; payloadLength?: number; extensions?: Ipv6Extension[] }, payload: Buffer): Buffer {
  const exts = spec.extensions ?? [];
  const chunks: Buffer[] = [];
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    const next = i + 1 < exts.length ? exts[i + 1]!.type : spec.next ?? 6;
    if (e.type === 44) {
      const b = Buffer.alloc(8);
      b[0] = next;
      b.writeUInt16BE(((e.fragmentOffset ?? 0) << 3) | (e.moreFragments ? 1 : 0), 2);
      b.writeUInt32BE(0xabcd, 4);
      chunks.push(b);
    } else if (e.type === 51) {
      const body = e.body ?? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
      const b = Buffer.alloc(2 + body.length + 2);
      b[0] = next;
      b[1] = b.length / 4 - 2;
      Buffer.from(body).copy(b, 4);
      chunks.push(b);
    } else {
      const body = [...(e.body ?? [])];
      while ((2 + body.length) % 8 !== 0) body.push(0); // Pad1 bytes
      const b = Buffer.alloc(2 + body.length);
      b[0] = next;
      b[1] = b.length / 8 - 1;
      Buffer.from(body).copy(b, 2);
      chunks.push(b);
    }
  }
  const rest = Buffer.concat([...chunks, payload]);
  const b = Buffer.alloc(40 + rest.length);
  b.writeUInt32BE(0x60000000, 0);
  b.writeUInt16BE(spec.payloadLength ?? rest.length, 4);
  b[6] = exts.length > 0 ? exts[0]!.type : spec.next ?? 6;
  b[7] = 64;
  Buffer.from(ipv6Address(spec.src)).copy(b, 8);
  Buffer.from(ipv6Address(spec.dst)).copy(b, 24);
  rest.copy(b, 40);
  return b;
}

/** Ethernet II with optional VLAN tags: each tag is [tpid, vlan id]. */
export function ethernetFrame(etherType: number, payload: Buffer, tags: Array<[number, number]> = []): Buffer {
  const header = Buffer.alloc(12 + 4 * tags.length + 2);
  Buffer.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]).copy(header, 0);
  let p = 12;
  for (const [tpid, id] of tags) {
    header.writeUInt16BE(tpid, p);
    header.writeUInt16BE(id, p + 2);
    p += 4;
  }
  header.writeUInt16BE(etherType, p);
  const frame = Buffer.concat([header, payload]);
  return frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

export interface PcapRecord {
  sec: number;
  /** µs or ns, as the file's precision says; may be out of range on purpose. */
  frac: number;
  data: Buffer;
  /** Default: data.length. */
  origLen?: number;
  /** Default: data.length. Lets a test lie about the captured length. */
  caplen?: number;
}

export interface PcapOptions {
  linkType: number;
  nano?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
  /** Raw value of the whole 32-bit link-type field (FCS bits). */
  linkField?: number;
}

export function writePcap(records: PcapRecord[], o: PcapOptions): Buffer {
  const be = o.bigEndian === true;
  const w32 = (b: Buffer, v: number, at: number) => (be ? b.writeUInt32BE(v >>> 0, at) : b.writeUInt32LE(v >>> 0, at));
  const w16 = (b: Buffer, v: number, at: number) => (be ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
  const header = Buffer.alloc(24);
  w32(header, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(header, 2, 4);
  w16(header, 4, 6);
  w32(header, o.snaplen ?? 262144, 16);
  w32(header, o.linkField ?? o.linkType, 20);
  const parts: Buffer[] = [header];
  for (const r of records) {
    const h = Buffer.alloc(16);
    w32(h, r.sec, 0);
    w32(h, r.frac, 4);
    w32(h, r.caplen ?? r.data.length, 8);
    w32(h, r.origLen ?? r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

/** Reads a classic pcap written by anyone (both orders, µs/ns) into records with their offsets. */
export function readPcap(file: Buffer): { nano: boolean; bigEndian: boolean; linkType: number; snaplen: number; records: Array<PcapRecord & { offset: number }> } {
  const magic = file.readUInt32LE(0);
  const bigEndian = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const r32 = (at: number) => (bigEndian ? file.readUInt32BE(at) : file.readUInt32LE(at));
  const records: Array<PcapRecord & { offset: number }> = [];
  let p = 24;
  while (p + 16 <= file.length) {
    const caplen = r32(p + 8);
    if (p + 16 + caplen > file.length) break;
    records.push({ offset: p, sec: r32(p), frac: r32(p + 4), caplen, origLen: r32(p + 12), data: file.subarray(p + 16, p + 16 + caplen) });
    p += 16 + caplen;
  }
  return { nano, bigEndian, linkType: r32(20) & 0xffff, snaplen: r32(16), records };
}

export interface NgInterface {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte (default: option absent = 10^-6). */
  tsresol?: number;
  /** if_tsoffset seconds. */
  tsoffset?: number;
  fcslen?: number;
}

export interface NgPacket {
  interfaceId: number;
  /** Raw 64-bit tick count. */
  ticks: bigint;
  data: Buffer;
  origLen?: number;
  /** 'epb' (default), 'spb' (no timestamp, interface 0) or 'pb' (obsolete). */
  block?: 'epb' | 'spb' | 'pb';
  /** EPB only: an epb_flags option with this value. */
  epbFlags?: number;
}

export interface NgSection {
  bigEndian?: boolean;
  interfaces: NgInterface[];
  packets: NgPacket[];
  /** Extra blocks to put before the packets (raw type and body), e.g. unknown/custom blocks. */
  extraBlocks?: Array<{ type: number; body: Buffer }>;
}

export function writePcapng(sections: NgSection[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of sections) {
    const be = s.bigEndian === true;
    const block = (type: number, body: Buffer): Buffer => {
      const padded = Buffer.alloc((body.length + 3) & ~3);
      body.copy(padded);
      const b = Buffer.alloc(12 + padded.length);
      const w = (v: number, at: number) => (be ? b.writeUInt32BE(v >>> 0, at) : b.writeUInt32LE(v >>> 0, at));
      w(type, 0);
      w(b.length, 4);
      padded.copy(b, 8);
      w(b.length, b.length - 4);
      return b;
    };
    const w32 = (v: number) => { const b = Buffer.alloc(4); be ? b.writeUInt32BE(v >>> 0) : b.writeUInt32LE(v >>> 0); return b; };
    const w16 = (v: number) => { const b = Buffer.alloc(2); be ? b.writeUInt16BE(v) : b.writeUInt16LE(v); return b; };
    const option = (code: number, value: Buffer) => {
      const padded = Buffer.alloc((value.length + 3) & ~3);
      value.copy(padded);
      return Buffer.concat([w16(code), w16(value.length), padded]);
    };
    // SHB: byte-order magic, version 1.0, section length -1 (unknown)
    parts.push(block(0x0a0d0d0a, Buffer.concat([w32(0x1a2b3c4d), w16(1), w16(0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])])));
    for (const i of s.interfaces) {
      const options: Buffer[] = [];
      if (i.tsresol !== undefined) options.push(option(9, Buffer.from([i.tsresol])));
      if (i.tsoffset !== undefined) {
        const v = Buffer.alloc(8);
        be ? v.writeBigInt64BE(BigInt(i.tsoffset)) : v.writeBigInt64LE(BigInt(i.tsoffset));
        options.push(option(14, v));
      }
      if (i.fcslen !== undefined) options.push(option(13, Buffer.from([i.fcslen])));
      if (options.length) options.push(option(0, Buffer.alloc(0)));
      parts.push(block(1, Buffer.concat([w16(i.linkType), w16(0), w32(i.snaplen ?? 262144), ...options])));
    }
    for (const x of s.extraBlocks ?? []) parts.push(block(x.type, x.body));
    for (const p of s.packets) {
      const high = Number(p.ticks >> 32n), low = Number(p.ticks & 0xffffffffn);
      const origLen = p.origLen ?? p.data.length;
      if (p.block === 'spb') parts.push(block(3, Buffer.concat([w32(origLen), p.data])));
      else if (p.block === 'pb') parts.push(block(2, Buffer.concat([w16(p.interfaceId), w16(0), w32(high), w32(low), w32(p.data.length), w32(origLen), p.data])));
      else {
        const padded = Buffer.alloc((p.data.length + 3) & ~3);
        p.data.copy(padded);
        const options = p.epbFlags === undefined ? [] : [option(2, w32(p.epbFlags)), option(0, Buffer.alloc(0))];
        parts.push(block(6, Buffer.concat([w32(p.interfaceId), w32(high), w32(low), w32(p.data.length), w32(origLen), padded, ...options])));
      }
    }
  }
  return Buffer.concat(parts);
}

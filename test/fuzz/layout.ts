// Fuzz support: where the length fields and record boundaries of a pcap or pcapng file are, found
// independently of the readers under test, so mutations can corrupt exactly those fields
// (caplen, block lengths, SHB section length, IP total length, IHL, TCP data offset, IPv6
// extension header lengths) and cut the file at or inside record boundaries.

export type FieldKind =
  | 'pcap-snaplen' | 'pcap-linktype' | 'pcap-caplen' | 'pcap-origlen' | 'pcap-ts'
  | 'ng-block-length' | 'ng-block-trailer' | 'ng-block-type' | 'ng-section-length' | 'ng-bom' | 'ng-caplen' | 'ng-origlen'
  | 'ng-interface-id' | 'ng-option-length' | 'ng-linktype' | 'ng-tsresol' | 'ng-tsoffset'
  | 'ip-total-length' | 'ip-ihl' | 'ip-protocol' | 'ip-frag' | 'ip6-payload-length' | 'ip6-next' | 'ip6-ext-length'
  | 'tcp-data-offset' | 'tcp-option-length' | 'tcp-flags' | 'tcp-ports';

export interface Field {
  kind: FieldKind;
  at: number;
  /** Bytes (1, 2, 4 or 8), or 0.5 for a nibble (`hi` says which). */
  size: number;
  le: boolean;
  hi?: boolean;
}

export interface Layout {
  format: 'pcap' | 'pcapng' | 'other';
  /** Offsets where a record (pcap) or block (pcapng) starts, and the file end. */
  boundaries: number[];
  fields: Field[];
}

function linkHeader(linkType: number, data: Buffer, at: number, end: number): { ip: number; version: number } | null {
  let p = at;
  let etherType = -1;
  switch (linkType) {
    case 1: {
      if (end - p < 14) return null;
      etherType = data.readUInt16BE(p + 12);
      p += 14;
      while ((etherType === 0x8100 || etherType === 0x88a8) && end - p >= 4) {
        etherType = data.readUInt16BE(p + 2);
        p += 4;
      }
      break;
    }
    case 113: {
      if (end - p < 16) return null;
      etherType = data.readUInt16BE(p + 14);
      p += 16;
      break;
    }
    case 0: case 108: {
      if (end - p < 4) return null;
      p += 4;
      break;
    }
    case 101: case 12: case 14: case 228: case 229: break;
    default: return null;
  }
  if (p >= end) return null;
  const version = data[p]! >> 4;
  if (etherType >= 0 && etherType !== 0x0800 && etherType !== 0x86dd) return null;
  return version === 4 || version === 6 ? { ip: p, version } : null;
}

function packetFields(linkType: number, data: Buffer, at: number, end: number, fields: Field[]): void {
  const l = linkHeader(linkType, data, at, end);
  if (!l) return;
  let p = l.ip;
  let proto: number;
  if (l.version === 4) {
    if (end - p < 20) return;
    fields.push({ kind: 'ip-ihl', at: p, size: 0.5, le: false, hi: false });
    fields.push({ kind: 'ip-total-length', at: p + 2, size: 2, le: false });
    fields.push({ kind: 'ip-frag', at: p + 6, size: 2, le: false });
    fields.push({ kind: 'ip-protocol', at: p + 9, size: 1, le: false });
    proto = data[p + 9]!;
    p += (data[p]! & 15) * 4;
  } else {
    if (end - p < 40) return;
    fields.push({ kind: 'ip6-payload-length', at: p + 4, size: 2, le: false });
    fields.push({ kind: 'ip6-next', at: p + 6, size: 1, le: false });
    proto = data[p + 6]!;
    p += 40;
    for (let hops = 0; hops < 8 && (proto === 0 || proto === 43 || proto === 44 || proto === 60) && end - p >= 8; hops++) {
      fields.push({ kind: 'ip6-next', at: p, size: 1, le: false });
      if (proto !== 44) fields.push({ kind: 'ip6-ext-length', at: p + 1, size: 1, le: false });
      const next = data[p]!;
      p += proto === 44 ? 8 : (data[p + 1]! + 1) * 8;
      proto = next;
    }
  }
  if (proto !== 6 || end - p < 20) return;
  fields.push({ kind: 'tcp-ports', at: p, size: 2, le: false });
  fields.push({ kind: 'tcp-data-offset', at: p + 12, size: 0.5, le: false, hi: true });
  fields.push({ kind: 'tcp-flags', at: p + 13, size: 1, le: false });
  const hl = (data[p + 12]! >> 4) * 4;
  for (let o = p + 20; o < Math.min(end, p + hl);) {
    const kind = data[o]!;
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    if (o + 1 >= end) break;
    fields.push({ kind: 'tcp-option-length', at: o + 1, size: 1, le: false });
    const len = data[o + 1]!;
    if (len < 2) break;
    o += len;
  }
}

function scanPcap(data: Buffer): Layout {
  const magic = data.readUInt32BE(0);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const rd = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const fields: Field[] = [];
  const boundaries: number[] = [0];
  if (data.length < 24) return { format: 'pcap', boundaries: [0, data.length], fields };
  fields.push({ kind: 'pcap-snaplen', at: 16, size: 4, le });
  fields.push({ kind: 'pcap-linktype', at: 20, size: 4, le });
  const linkType = rd(20) & 0xffff;
  let p = 24;
  while (p + 16 <= data.length) {
    boundaries.push(p);
    const caplen = rd(p + 8);
    fields.push({ kind: 'pcap-ts', at: p, size: 4, le });
    fields.push({ kind: 'pcap-caplen', at: p + 8, size: 4, le });
    fields.push({ kind: 'pcap-origlen', at: p + 12, size: 4, le });
    const end = p + 16 + caplen;
    if (end > data.length) break;
    packetFields(linkType, data, p + 16, end, fields);
    p = end;
  }
  boundaries.push(data.length);
  return { format: 'pcap', boundaries, fields };
}

function scanPcapng(data: Buffer): Layout {
  const fields: Field[] = [];
  const boundaries: number[] = [];
  let le = true;
  const links: number[] = [];
  let p = 0;
  while (p + 12 <= data.length) {
    boundaries.push(p);
    let type = data.readUInt32LE(p);
    if (type === 0x0a0d0d0a) {
      const bom = data.readUInt32LE(p + 8);
      le = bom === 0x1a2b3c4d;
      links.length = 0;
      fields.push({ kind: 'ng-bom', at: p + 8, size: 4, le });
      if (p + 24 <= data.length) fields.push({ kind: 'ng-section-length', at: p + 16, size: 8, le });
    } else if (!le) {
      type = data.readUInt32BE(p);
    }
    const rd = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
    const rd16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
    const total = rd(p + 4);
    fields.push({ kind: 'ng-block-type', at: p, size: 4, le });
    fields.push({ kind: 'ng-block-length', at: p + 4, size: 4, le });
    if (total < 12 || total % 4 !== 0 || p + total > data.length) break;
    fields.push({ kind: 'ng-block-trailer', at: p + total - 4, size: 4, le });
    const body = p + 8, bodyEnd = p + total - 4;
    let optionsAt = -1;
    if (type === 1 && bodyEnd - body >= 8) {
      links.push(rd16(body));
      fields.push({ kind: 'ng-linktype', at: body, size: 2, le });
      optionsAt = body + 8;
    } else if (type === 6 && bodyEnd - body >= 20) {
      const iface = rd(body), caplen = rd(body + 12);
      fields.push({ kind: 'ng-interface-id', at: body, size: 4, le });
      fields.push({ kind: 'ng-caplen', at: body + 12, size: 4, le });
      fields.push({ kind: 'ng-origlen', at: body + 16, size: 4, le });
      const dataEnd = body + 20 + caplen;
      if (dataEnd <= bodyEnd && links[iface] !== undefined) packetFields(links[iface]!, data, body + 20, dataEnd, fields);
      optionsAt = dataEnd + ((4 - (caplen % 4)) % 4);
    } else if (type === 3 && bodyEnd - body >= 4) {
      fields.push({ kind: 'ng-origlen', at: body, size: 4, le });
      if (links[0] !== undefined) packetFields(links[0], data, body + 4, bodyEnd, fields);
    } else if (type === 0x0a0d0d0a) {
      optionsAt = body + 16;
    }
    for (let o = optionsAt; o >= 0 && o + 4 <= bodyEnd;) {
      const code = rd16(o), len = rd16(o + 2);
      fields.push({ kind: 'ng-option-length', at: o + 2, size: 2, le });
      if (type === 1 && code === 9) fields.push({ kind: 'ng-tsresol', at: o + 4, size: 1, le });
      if (type === 1 && code === 14 && len === 8) fields.push({ kind: 'ng-tsoffset', at: o + 4, size: 8, le });
      if (code === 0) break;
      o += 4 + len + ((4 - (len % 4)) % 4);
    }
    p += total;
  }
  boundaries.push(data.length);
  return { format: 'pcapng', boundaries, fields };
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);

export function scanLayout(data: Buffer): Layout {
  try {
    if (data.length >= 4 && PCAP_MAGICS.has(data.readUInt32BE(0))) return scanPcap(data);
    if (data.length >= 12 && data.readUInt32BE(0) === 0x0a0d0d0a) return scanPcapng(data);
  } catch {
    // a damaged seed: mutate it blindly
  }
  return { format: 'other', boundaries: [0, data.length], fields: [] };
}

export function readField(data: Buffer, f: Field): number {
  if (f.size === 0.5) return f.hi ? data[f.at]! >> 4 : data[f.at]! & 15;
  if (f.size === 1) return data[f.at]!;
  if (f.size === 2) return f.le ? data.readUInt16LE(f.at) : data.readUInt16BE(f.at);
  if (f.size === 4) return f.le ? data.readUInt32LE(f.at) : data.readUInt32BE(f.at);
  return Number(f.le ? data.readBigUInt64LE(f.at) : data.readBigUInt64BE(f.at));
}

export function writeField(data: Buffer, f: Field, value: number): void {
  if (f.at + Math.max(1, f.size) > data.length) return;
  if (f.size === 0.5) {
    const v = value & 15;
    data[f.at] = f.hi ? (data[f.at]! & 0x0f) | (v << 4) : (data[f.at]! & 0xf0) | v;
  } else if (f.size === 1) data[f.at] = value & 0xff;
  else if (f.size === 2) { if (f.le) data.writeUInt16LE(value & 0xffff, f.at); else data.writeUInt16BE(value & 0xffff, f.at); }
  else if (f.size === 4) { if (f.le) data.writeUInt32LE(value >>> 0, f.at); else data.writeUInt32BE(value >>> 0, f.at); }
  else {
    const v = value < 0 ? BigInt.asUintN(64, BigInt(Math.trunc(value))) : BigInt(Math.min(Math.trunc(value), Number.MAX_SAFE_INTEGER));
    if (f.le) data.writeBigUInt64LE(v, f.at); else data.writeBigUInt64BE(v, f.at);
  }
}

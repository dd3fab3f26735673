// Shared state of the per-layer decoders for one input: where to intern addresses, where to report
// problems, and the pre-built "skipped" keys so the per-packet path never builds a string.

import type { AddressTable } from '../segment/address-table.js';
import type { IssueCode, IssueLog } from '../segment/input-issues.js';
import type { TcpSegment } from '../segment/tcp-segment.js';
import { u32 } from './bytes.js';

/** What a link-layer decoder found: the network protocol and where its header starts. */
export interface LinkResult {
  /** NET_IPV4, NET_IPV6, NET_TRUNCATED, or another code (see skipKey) for something we skip. */
  type: number;
  /** Offset of the network-layer header in the buffer. */
  offset: number;
}

export const NET_IPV4 = 0x0800;
export const NET_IPV6 = 0x86dd;
/** The link header itself was cut by the snap length. */
export const NET_TRUNCATED = -1;
/** Codes for skipped payloads that are not an ethertype (high bits say which field it came from). */
export const NET_PPP = 0x10000;
export const NET_AF = 0x20000;
export const NET_LLC = 0x30000;
export const NET_ARCNET = 0x40000;
export const NET_MPLS = 0x50000;
export const NET_BAD_VERSION = 0x60000;
/** Tunnels we recognise but do not open (see tunnel.ts): GRE protocol types and versions, GRE
 *  with RFC 1701 source routing, GTP-U messages other than G-PDUs, G-PDUs that are not IP,
 *  Geneve protocol types. */
export const NET_GRE = 0x70000;
export const NET_GRE_VERSION = 0x80000;
export const NET_GRE_ROUTING = 0x90000;
export const NET_GTP_MESSAGE = 0xa0000;
export const NET_GTP_NOT_IP = 0xb0000;
export const NET_GENEVE = 0xc0000;

const IP_PROTO_KEYS: string[] = Array.from({ length: 256 }, (_, p) => `ip proto ${p}`);

/** Direct-mapped IPv6 address cache in front of the AddressTable (2^12 slots). */
const CACHE_BITS = 12;
const CACHE_SIZE = 1 << CACHE_BITS;

export class DecodeContext {
  private readonly netKeys = new Map<number, string>();
  private readonly linkKeys = new Map<number, string>();
  // The table's Maps hash numbers that are mostly above 2^31 (boxed doubles). IPv4 addresses get
  // a complete open-addressing index of their own ([address, id] pairs in one Int32Array), so the
  // per-packet path never reaches the Map: a direct-mapped cache missed on every packet once a
  // capture held more than a few thousand hosts. Ids never change once given, so entries never
  // go stale.
  private v4Slots = new Int32Array(2 * 4096).fill(-1);
  private v4Mask = 4096 - 1;
  private v4Count = 0;
  private readonly v6Keys = new Uint32Array(4 * CACHE_SIZE);
  private readonly v6Ids = new Int32Array(CACHE_SIZE).fill(-1);

  constructor(
    readonly addresses: AddressTable,
    readonly issues: IssueLog,
    readonly inputName: string,
  ) {}

  /** AddressTable id of an IPv4 address (unsigned 32-bit value). */
  internV4(value: number): number {
    const key = value | 0;
    const slots = this.v4Slots;
    const mask = this.v4Mask;
    let i = v4Hash(key) & mask;
    for (;;) {
      const id = slots[2 * i + 1]!;
      if (id < 0) break;
      if (slots[2 * i] === key) return id;
      i = (i + 1) & mask;
    }
    const id = this.addresses.internV4(value >>> 0);
    slots[2 * i] = key;
    slots[2 * i + 1] = id;
    if (++this.v4Count * 2 > mask) this.growV4();
    return id;
  }

  private growV4(): void {
    const old = this.v4Slots;
    const size = (this.v4Mask + 1) * 2;
    const slots = new Int32Array(2 * size).fill(-1);
    const mask = size - 1;
    for (let k = 0; k < old.length; k += 2) {
      const id = old[k + 1]!;
      if (id < 0) continue;
      let i = v4Hash(old[k]!) & mask;
      while (slots[2 * i + 1]! >= 0) i = (i + 1) & mask;
      slots[2 * i] = old[k]!;
      slots[2 * i + 1] = id;
    }
    this.v4Slots = slots;
    this.v4Mask = mask;
  }

  /** AddressTable id of the IPv6 address at buf[off, off + 16). */
  internV6(buf: Uint8Array, off: number): number {
    const w0 = u32(buf, off), w1 = u32(buf, off + 4), w2 = u32(buf, off + 8), w3 = u32(buf, off + 12);
    const slot = (Math.imul(w0, 0x85ebca6b) ^ Math.imul(w1, 0xc2b2ae35) ^ Math.imul(w2, 0x27d4eb2f) ^ Math.imul(w3, 0x9e3779b1)) >>> (32 - CACHE_BITS);
    const keys = this.v6Keys;
    const k = slot * 4;
    const cached = this.v6Ids[slot]!;
    if (cached >= 0 && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) return cached;
    const id = this.addresses.internV6Words(w0, w1, w2, w3);
    keys[k] = w0; keys[k + 1] = w1; keys[k + 2] = w2; keys[k + 3] = w3;
    this.v6Ids[slot] = id;
    return id;
  }

  /** Record a problem with the packet now in `seg` (its record number and byte offset are set). */
  issue(code: IssueCode, seg: TcpSegment, detail: string): void {
    this.issues.add(code, this.inputName, seg.record, seg.byteOffset, 0, detail);
  }

  skipIpProto(proto: number): void {
    this.issues.skip(IP_PROTO_KEYS[proto & 255]!);
  }

  /** Count a frame whose network layer is not IP (ARP, LLC, ...), or a tunnel we do not open. */
  skipNet(type: number): void {
    let key = this.netKeys.get(type);
    if (key === undefined) {
      key = netKey(type);
      this.netKeys.set(type, key);
    }
    this.issues.skip(key);
  }

  /** Count a record of a link type we do not decode. Returns true the first time (to warn once). */
  skipLinkType(linkType: number): boolean {
    let key = this.linkKeys.get(linkType);
    const first = key === undefined;
    if (key === undefined) {
      key = `link-type ${linkType}`;
      this.linkKeys.set(linkType, key);
    }
    this.issues.skip(key);
    return first;
  }
}

function v4Hash(key: number): number {
  const h = Math.imul(key, 0x9e3779b1);
  return h ^ (h >>> 15);
}

function hex(n: number, digits: number): string {
  return '0x' + n.toString(16).padStart(digits, '0');
}

function netKey(type: number): string {
  const value = type & 0xffff;
  switch (type & ~0xffff) {
    case NET_PPP: return `ppp proto ${hex(value, 4)}`;
    case NET_AF: return `loopback af ${value}`;
    case NET_LLC: return 'llc';
    case NET_ARCNET: return `arcnet type ${value}`;
    case NET_MPLS: return 'mpls non-ip';
    case NET_BAD_VERSION: return `ip version ${value}`;
    case NET_GRE: return `gre proto ${hex(value, 4)}`;
    case NET_GRE_VERSION: return `gre version ${value}`;
    case NET_GRE_ROUTING: return 'gre source route';
    case NET_GTP_MESSAGE: return `gtp-u message ${hex(value, 2)}`;
    case NET_GTP_NOT_IP: return `gtp-u non-ip pdu (version nibble ${value})`;
    case NET_GENEVE: return `geneve proto ${hex(value, 4)}`;
    default: return `ethertype ${hex(value, 4)}`;
  }
}

// Shared state of the per-layer decoders for one input: where to intern addresses, where to report
// problems, and the pre-built "skipped" keys so the per-packet path never builds a string.

import type { AddressTable } from '../segment/address-table.js';
import type { IssueCode, IssueLog } from '../segment/input-issues.js';
import type { TcpSegment } from '../segment/tcp-segment.js';

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

const IP_PROTO_KEYS: string[] = Array.from({ length: 256 }, (_, p) => `ip proto ${p}`);

export class DecodeContext {
  private readonly netKeys = new Map<number, string>();
  private readonly linkKeys = new Map<number, string>();

  constructor(
    readonly addresses: AddressTable,
    readonly issues: IssueLog,
    readonly inputName: string,
  ) {}

  /** Record a problem with the packet now in `seg` (its record number and byte offset are set). */
  issue(code: IssueCode, seg: TcpSegment, detail: string): void {
    this.issues.add(code, this.inputName, seg.record, seg.byteOffset, 0, detail);
  }

  skipIpProto(proto: number): void {
    this.issues.skip(IP_PROTO_KEYS[proto & 255]!);
  }

  /** Count a frame whose network layer is not IP (ARP, LLC, ...). */
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
    default: return `ethertype ${hex(value, 4)}`;
  }
}

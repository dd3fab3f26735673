// Decode dispatch: one captured frame of a given link type -> TcpSegment fields (link -> IP ->
// [tunnel -> IP ->] TCP), or false when the frame carries no usable TCP segment (counted or
// reported, never thrown).

import type { AddressTable } from '../segment/address-table.js';
import type { IssueLog } from '../segment/input-issues.js';
import type { TcpSegment } from '../segment/tcp-segment.js';
import { DecodeContext, NET_IPV4, NET_IPV6, NET_TRUNCATED, type LinkResult } from './decode-context.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import {
  LINKTYPE_ARCNET_LINUX, LINKTYPE_C_HDLC, LINKTYPE_ETHERNET, LINKTYPE_IPOIB, LINKTYPE_IPV4, LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_PPP, LINKTYPE_PPP_HDLC,
  LINKTYPE_RAW, LINKTYPE_RAW_12, LINKTYPE_RAW_14, linkTypeName,
} from './link-type.js';
import { decodeLinuxSll, decodeLinuxSll2 } from './linux-sll.js';
import { decodeNullLoopback } from './null-loopback.js';
import { decodeArcnetLinux, decodeCiscoHdlc, decodeIpoib, decodePpp, decodeRawIp } from './other-links.js';

/** One per input: holds the reused link result and the input's issue context. */
export class FrameDecoder {
  readonly ctx: DecodeContext;
  private readonly link: LinkResult = { type: 0, offset: 0 };

  constructor(addresses: AddressTable, issues: IssueLog, inputName: string) {
    this.ctx = new DecodeContext(addresses, issues, inputName);
  }

  /**
   * Decode the frame buf[off, off + caplen) that was `origLen` bytes on the wire, the last
   * `fcsLength` of them a frame check sequence. `seg.record` and `seg.byteOffset` must already be
   * set (issues cite them). Fills the TCP fields of `seg` and returns true for a TCP segment. The
   * bytes are read in place and not kept.
   */
  decode(linkType: number, buf: Uint8Array, off: number, caplen: number, origLen: number, fcsLength: number, seg: TcpSegment): boolean {
    seg.clearOptions();
    const ctx = this.ctx;
    const link = this.link;
    let capEnd = off + caplen;
    const wireEnd = off + origLen - fcsLength;
    if (fcsLength > 0 && wireEnd < capEnd) capEnd = wireEnd;
    switch (linkType) {
      case LINKTYPE_ETHERNET: decodeEthernet(buf, off, capEnd, link); break;
      case LINKTYPE_LINUX_SLL: decodeLinuxSll(buf, off, capEnd, seg, link); break;
      case LINKTYPE_LINUX_SLL2: decodeLinuxSll2(buf, off, capEnd, seg, link); break;
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: decodeNullLoopback(buf, off, capEnd, link); break;
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_12:
      case LINKTYPE_RAW_14: decodeRawIp(buf, off, capEnd, link); break;
      case LINKTYPE_IPV4: link.type = NET_IPV4; link.offset = off; break;
      case LINKTYPE_IPV6: link.type = NET_IPV6; link.offset = off; break;
      case LINKTYPE_PPP:
      case LINKTYPE_PPP_HDLC: decodePpp(buf, off, capEnd, link); break;
      case LINKTYPE_C_HDLC: decodeCiscoHdlc(buf, off, capEnd, link); break;
      case LINKTYPE_IPOIB: decodeIpoib(buf, off, capEnd, link); break;
      case LINKTYPE_ARCNET_LINUX: decodeArcnetLinux(buf, off, capEnd, link); break;
      default:
        if (ctx.skipLinkType(linkType)) {
          ctx.issue('unsupported-link-type', seg, `records of ${linkTypeName(linkType)} (${linkType}) are not decoded; they are counted and skipped`);
        }
        return false;
    }
    const type = link.type;
    if (type === NET_IPV4) return decodeIpv4(buf, link.offset, capEnd, wireEnd, seg, ctx, 0);
    if (type === NET_IPV6) return decodeIpv6(buf, link.offset, capEnd, wireEnd, seg, ctx, 0);
    if (type === NET_TRUNCATED) {
      ctx.issue('truncated-packet', seg, `${linkTypeName(linkType)} header cut by the snap length (${caplen} bytes captured)`);
      return false;
    }
    ctx.skipNet(type);
    return false;
  }
}

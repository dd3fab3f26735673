// Network layer: an IPv6 header and its extension-header chain -> addresses and the TCP segment
// (jumbograms via the hop-by-hop jumbo option; only first fragments carry a TCP header), directly
// or through a tunnel (tunnel.ts).

import type { TcpSegment } from '../segment/tcp-segment.js';
import { u16, u32 } from './bytes.js';
import type { DecodeContext } from './decode-context.js';
import { decodeTcp } from './tcp.js';
import { decodeTunnel, isTunnelProtocol } from './tunnel.js';

const NEXT_HOP_BY_HOP = 0;
const NEXT_TCP = 6;
const NEXT_ROUTING = 43;
const NEXT_FRAGMENT = 44;
const NEXT_AH = 51;
const NEXT_DESTINATION = 60;
const NEXT_MOBILITY = 135;
const NEXT_HIP = 139;
const NEXT_SHIM6 = 140;
const OPTION_PAD1 = 0;
const OPTION_JUMBO = 0xc2;
/** Bound on the chain, so a garbage packet that loops cannot keep us here. */
const MAX_EXTENSION_HEADERS = 16;
/** Largest payload a first fragment's datagram can have (without a jumbo option). */
const MAX_PAYLOAD = 0xffff;

/**
 * Decode the IPv6 packet at `off` (see decodeIpv4 for `capEnd`, `wireEnd` and `depth`). Returns
 * true when `seg` holds a segment.
 */
export function decodeIpv6(buf: Uint8Array, off: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (capEnd - off < 40) {
    ctx.issue('truncated-packet', seg, `IPv6 header cut by the snap length: ${Math.max(0, capEnd - off)} of 40 bytes captured`);
    return false;
  }
  if (buf[off]! >> 4 !== 6) {
    ctx.issue('bad-ip-header', seg, `IP version ${buf[off]! >> 4} where IPv6 was announced`);
    return false;
  }
  const payloadLength = u16(buf, off + 4);
  let next = buf[off + 6]!;
  let p = off + 40;
  let jumboLength = -1;
  let moreFragments = false;
  for (let count = 0; next !== NEXT_TCP; count++) {
    if (count === MAX_EXTENSION_HEADERS) {
      ctx.issue('bad-ip-header', seg, `more than ${MAX_EXTENSION_HEADERS} IPv6 extension headers`);
      return false;
    }
    const need = next === NEXT_FRAGMENT ? 8 : 2;
    const isExtension = next === NEXT_HOP_BY_HOP || next === NEXT_ROUTING || next === NEXT_FRAGMENT || next === NEXT_AH ||
      next === NEXT_DESTINATION || next === NEXT_MOBILITY || next === NEXT_HIP || next === NEXT_SHIM6;
    if (!isExtension) {
      if (isTunnelProtocol(next)) break;
      ctx.skipIpProto(next);
      return false;
    }
    if (capEnd - p < need) {
      ctx.issue('truncated-packet', seg, 'IPv6 extension header cut by the snap length');
      return false;
    }
    if (next === NEXT_FRAGMENT) {
      next = buf[p]!;
      if ((u16(buf, p + 2) & 0xfff8) !== 0) {
        if (next === NEXT_TCP) ctx.issue('ip-fragment', seg, 'IPv6 fragment after the first: no TCP header in it (skipped)');
        else ctx.skipIpProto(next);
        return false;
      }
      if ((buf[p + 3]! & 1) !== 0) moreFragments = true;
      p += 8;
      continue;
    }
    const length = next === NEXT_AH ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
    if (next === NEXT_HOP_BY_HOP && payloadLength === 0) {
      const end = p + length < capEnd ? p + length : capEnd;
      jumboLength = findJumboLength(buf, p + 2, end);
    }
    next = buf[p]!;
    p += length;
  }
  // Payload length 0: a jumbogram (RFC 2675) or a segmentation-offload super-packet (BIG TCP
  // without the jumbo option): the packet then runs to the end of the frame.
  const ipEnd = payloadLength !== 0 ? off + 40 + payloadLength : jumboLength >= 0 ? off + 40 + jumboLength : wireEnd;
  if (p > ipEnd) {
    ctx.issue('bad-ip-header', seg, `IPv6 extension headers run past the payload length (${ipEnd - off - 40})`);
    return false;
  }
  if (ipEnd > wireEnd) {
    // Longer than the frame that carried it (tcpdump: "truncated-ip6"): see decodeIpv4.
    ctx.issue('bad-ip-header', seg, `IPv6 payload length ${ipEnd - off - 40} runs ${ipEnd - wireEnd} bytes past the end of the frame (${wireEnd - off} bytes of IP on the wire)`);
  }
  if (next !== NEXT_TCP) {
    // A tunnel (the loop stops only there or at TCP). A first fragment: see decodeIpv4.
    return decodeTunnel(next, buf, p, ipEnd < capEnd ? ipEnd : capEnd, moreFragments ? off + 40 + MAX_PAYLOAD : ipEnd, seg, ctx, depth);
  }
  if (!decodeTcp(buf, p, ipEnd < capEnd ? ipEnd : capEnd, ipEnd - p, seg, ctx)) return false;
  seg.ipVersion = 6;
  seg.src = ctx.internV6(buf, off + 8);
  seg.dst = ctx.internV6(buf, off + 24);
  return true;
}

/** The jumbo payload length in hop-by-hop options [p, end), or -1. */
function findJumboLength(buf: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const type = buf[p]!;
    if (type === OPTION_PAD1) {
      p++;
      continue;
    }
    if (p + 2 > end) return -1;
    const len = buf[p + 1]!;
    if (type === OPTION_JUMBO && len === 4 && p + 6 <= end) return u32(buf, p + 2);
    p += 2 + len;
  }
  return -1;
}

// Network layer: an IPv4 header -> addresses and the TCP segment it carries (options skipped;
// only first fragments carry a TCP header), directly or through a tunnel (tunnel.ts).

import type { TcpSegment } from '../segment/tcp-segment.js';
import { u16, u32 } from './bytes.js';
import type { DecodeContext } from './decode-context.js';
import { decodeTcp } from './tcp.js';
import { decodeTunnel, isTunnelProtocol } from './tunnel.js';

const PROTO_TCP = 6;
const FLAG_MORE_FRAGMENTS = 0x2000;
/** Largest IPv4 datagram: where the payload of a first fragment may end at the furthest. */
const MAX_DATAGRAM = 0xffff;

/**
 * Decode the IPv4 packet at `off`. Captured bytes end at `capEnd`; the frame ended on the wire at
 * `wireEnd` (used only when the total length field is 0). `depth` is the number of tunnels around
 * this packet (0 for the packet the link layer carries). Returns true when `seg` holds a segment.
 */
export function decodeIpv4(buf: Uint8Array, off: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  const captured = capEnd - off;
  if (captured < 20) {
    ctx.issue('truncated-packet', seg, `IPv4 header cut by the snap length: ${Math.max(0, captured)} of 20 bytes captured`);
    return false;
  }
  const versionAndLength = buf[off]!;
  if (versionAndLength >> 4 !== 4) {
    ctx.issue('bad-ip-header', seg, `IP version ${versionAndLength >> 4} where IPv4 was announced`);
    return false;
  }
  const headerLength = (versionAndLength & 15) * 4;
  if (headerLength < 20) {
    ctx.issue('bad-ip-header', seg, `IPv4 header length ${headerLength}, must be at least 20`);
    return false;
  }
  if (captured < headerLength) {
    ctx.issue('truncated-packet', seg, `IPv4 header cut by the snap length: ${captured} of ${headerLength} bytes captured`);
    return false;
  }
  let totalLength = u16(buf, off + 2);
  // Segmentation offload: the capture saw the super-packet before the NIC filled in the length.
  // Its real size is the frame's (Zeek does the same; tcpdump prints "bad-len 0").
  if (totalLength === 0) totalLength = wireEnd - off;
  if (totalLength < headerLength) {
    ctx.issue('bad-ip-header', seg, `IPv4 total length ${totalLength} is shorter than its ${headerLength}-byte header`);
    return false;
  }
  if (off + totalLength > wireEnd) {
    // Longer than the frame that carried it (tcpdump: "truncated-ip - N bytes missing!"): those
    // bytes were never on the wire. The segment keeps the header's length, as tcpdump prints it.
    ctx.issue('bad-ip-header', seg, `IPv4 total length ${totalLength} runs ${off + totalLength - wireEnd} bytes past the end of the frame (${wireEnd - off} bytes of IP on the wire)`);
  }
  const protocol = buf[off + 9]!;
  if ((u16(buf, off + 6) & 0x1fff) !== 0) {
    // A later fragment: it has no TCP header. Only TCP ones are worth a warning.
    if (protocol === PROTO_TCP) ctx.issue('ip-fragment', seg, 'IPv4 fragment after the first: no TCP header in it (skipped)');
    else ctx.skipIpProto(protocol);
    return false;
  }
  const ipEnd = off + totalLength;
  if (protocol !== PROTO_TCP) {
    if (isTunnelProtocol(protocol)) {
      // A first fragment: the tunnelled packet goes on in later fragments, which we do not
      // reassemble; its headers are in this one, and its lengths are its own.
      const payloadEnd = (u16(buf, off + 6) & FLAG_MORE_FRAGMENTS) !== 0 && off + MAX_DATAGRAM > ipEnd ? off + MAX_DATAGRAM : ipEnd;
      return decodeTunnel(protocol, buf, off + headerLength, ipEnd < capEnd ? ipEnd : capEnd, payloadEnd, seg, ctx, depth);
    }
    ctx.skipIpProto(protocol);
    return false;
  }
  if (!decodeTcp(buf, off + headerLength, ipEnd < capEnd ? ipEnd : capEnd, totalLength - headerLength, seg, ctx)) return false;
  seg.ipVersion = 4;
  seg.src = ctx.internV4(u32(buf, off + 12));
  seg.dst = ctx.internV4(u32(buf, off + 16));
  return true;
}

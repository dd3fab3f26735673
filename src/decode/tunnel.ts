// Tunnels: an IP payload that carries another packet -> the TCP segment of the innermost one.
// IP in IP (protocols 4 and 41), GRE version 0 (47) with IPv4, IPv6 or Ethernet inside, and over
// UDP (17): VXLAN (port 4789), Geneve (6081) and GTP-U G-PDUs (2152). The IP decoders come here
// only for those four protocols, so a plain TCP packet never pays for any of it. The innermost
// IP and TCP headers fill the segment (addresses, ports, IP version, length, `truncated`), as the
// tracker follows the connection inside the tunnel, not the tunnel.

import type { TcpSegment } from '../segment/tcp-segment.js';
import { u16 } from './bytes.js';
import {
  NET_GENEVE, NET_GRE, NET_GRE_ROUTING, NET_GRE_VERSION, NET_GTP_MESSAGE, NET_GTP_NOT_IP, NET_IPV4, NET_IPV6,
  NET_TRUNCATED, type DecodeContext, type LinkResult,
} from './decode-context.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

export const PROTO_IPIP = 4;
export const PROTO_UDP = 17;
export const PROTO_IPV6_IN_IP = 41;
export const PROTO_GRE = 47;

/**
 * Tunnels opened within one frame at most. A capture can nest headers as deep as its snap length
 * allows (a GRE packet inside itself needs only 24 more bytes per level), and each level is a
 * call deeper: the bound keeps a crafted frame from recursing far. Real traffic nests two or three.
 */
export const MAX_TUNNEL_DEPTH = 4;

/** GRE protocol type of transparent Ethernet bridging (NVGRE, Ethernet over GRE); also the code
 *  openInner takes for "an Ethernet frame follows" (VXLAN, Geneve). */
const ETHERTYPE_TEB = 0x6558;

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_VERSION = 0x0007;

const PORT_GTP_U = 2152;
const PORT_VXLAN = 4789;
const PORT_GENEVE = 6081;

const VXLAN_FLAG_I = 0x08;
const GTP_G_PDU = 0xff;
/** GTP flags byte: version in the top 3 bits, then PT; E, S and PN in the low 3 bits. */
const GTP_FLAG_PT = 0x10;
const GTP_FLAG_E = 0x04;
const GTP_OPTIONAL_FLAGS = 0x07;

/** Reused link result for an Ethernet frame inside a tunnel (read out before going deeper). */
const innerLink: LinkResult = { type: 0, offset: 0 };

/** True for the IP protocols that may carry a tunnel: the only non-TCP ones worth a closer look. */
export function isTunnelProtocol(protocol: number): boolean {
  return protocol === PROTO_UDP || protocol === PROTO_GRE || protocol === PROTO_IPIP || protocol === PROTO_IPV6_IN_IP;
}

/**
 * Decode the payload [p, ...) of an IP packet of protocol `protocol` (one isTunnelProtocol accepts).
 * Captured bytes of the payload end at `capEnd`; on the wire it ends at `wireEnd` (for a first
 * fragment, the furthest the reassembled datagram could reach). `depth` counts the tunnels already
 * opened around this IP packet (0 for the outermost). Returns true when `seg` holds a segment.
 */
export function decodeTunnel(protocol: number, buf: Uint8Array, p: number, capEnd: number, wireEnd: number,
  seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  switch (protocol) {
    case PROTO_IPIP: return openInner(NET_IPV4, 'IP-in-IP', buf, p, capEnd, wireEnd, seg, ctx, depth);
    case PROTO_IPV6_IN_IP: return openInner(NET_IPV6, 'IPv6-in-IP', buf, p, capEnd, wireEnd, seg, ctx, depth);
    case PROTO_GRE: return decodeGre(buf, p, capEnd, wireEnd, seg, ctx, depth);
    default: return decodeUdp(buf, p, capEnd, wireEnd, seg, ctx, depth);
  }
}

/**
 * The packet a tunnel header announced, at `p`: NET_IPV4, NET_IPV6 or ETHERTYPE_TEB (an Ethernet
 * frame, whose VLAN tags and the rest decodeEthernet walks as for an outer frame).
 */
function openInner(type: number, tunnel: string, buf: Uint8Array, p: number, capEnd: number, wireEnd: number,
  seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (depth >= MAX_TUNNEL_DEPTH) {
    ctx.issue('bad-ip-header', seg, `${tunnel} tunnel inside ${MAX_TUNNEL_DEPTH} others: nesting deeper than that is not followed (skipped)`);
    return false;
  }
  if (type === ETHERTYPE_TEB) {
    decodeEthernet(buf, p, capEnd, innerLink);
    type = innerLink.type;
    if (type === NET_TRUNCATED) {
      ctx.issue('truncated-packet', seg, `Ethernet header (or a VLAN tag after it) inside ${tunnel} cut short: ${Math.max(0, capEnd - p)} bytes of the frame captured`);
      return false;
    }
    if (type !== NET_IPV4 && type !== NET_IPV6) {
      ctx.skipNet(type);
      return false;
    }
    p = innerLink.offset;
  }
  if (type === NET_IPV4) return decodeIpv4(buf, p, capEnd, wireEnd, seg, ctx, depth + 1);
  return decodeIpv6(buf, p, capEnd, wireEnd, seg, ctx, depth + 1);
}

/**
 * Report a `tunnel` header of `need` bytes at `p` that is not all there, and return false: past the
 * end of the packet that carries it (malformed), or past the captured bytes (snap length).
 */
function cutShort(tunnel: string, need: number, p: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext): false {
  if (wireEnd - p < need) {
    ctx.issue('bad-ip-header', seg, `${tunnel} header of ${need} bytes runs past the end of its packet (${Math.max(0, wireEnd - p)} bytes left)`);
  } else {
    ctx.issue('truncated-packet', seg, `${tunnel} header cut by the snap length: ${Math.max(0, capEnd - p)} of ${need} bytes captured`);
  }
  return false;
}

/**
 * GRE (RFC 2784, with the key and sequence number of RFC 2890): 4 bytes of flags, version and
 * protocol type, then checksum (+ reserved), key and sequence number when their flags say so.
 * Version 1 is PPTP's enhanced GRE (PPP inside), and RFC 1701 source routing is all but extinct:
 * both are counted and skipped, as are protocol types other than IPv4, IPv6 and Ethernet.
 */
function decodeGre(buf: Uint8Array, p: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (capEnd - p < 4) return cutShort('GRE', 4, p, capEnd, wireEnd, seg, ctx);
  const flags = u16(buf, p);
  const version = flags & GRE_VERSION;
  if (version !== 0) {
    ctx.skipNet(NET_GRE_VERSION | version);
    return false;
  }
  if ((flags & GRE_ROUTING) !== 0) {
    ctx.skipNet(NET_GRE_ROUTING);
    return false;
  }
  const type = u16(buf, p + 2);
  if (type !== NET_IPV4 && type !== NET_IPV6 && type !== ETHERTYPE_TEB) {
    ctx.skipNet(NET_GRE | type);
    return false;
  }
  let length = 4;
  if ((flags & GRE_CHECKSUM) !== 0) length += 4;
  if ((flags & GRE_KEY) !== 0) length += 4;
  if ((flags & GRE_SEQUENCE) !== 0) length += 4;
  if (capEnd - p < length) return cutShort('GRE', length, p, capEnd, wireEnd, seg, ctx);
  return openInner(type, 'GRE', buf, p + length, capEnd, wireEnd, seg, ctx, depth);
}

/**
 * UDP: a tunnel when either port is a tunnel's (the destination port decides when both are);
 * anything else is counted as `ip proto 17`, as before tunnels were decoded. The UDP length bounds
 * the tunnel's payload; it also reaches past a first fragment, to where the datagram really ends.
 */
function decodeUdp(buf: Uint8Array, p: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (capEnd - p < 4) {
    ctx.skipIpProto(PROTO_UDP);
    return false;
  }
  const dport = u16(buf, p + 2);
  const port = dport === PORT_VXLAN || dport === PORT_GENEVE || dport === PORT_GTP_U ? dport : u16(buf, p);
  if (port !== PORT_VXLAN && port !== PORT_GENEVE && port !== PORT_GTP_U) {
    ctx.skipIpProto(PROTO_UDP);
    return false;
  }
  if (capEnd - p < 8) return cutShort('UDP', 8, p, capEnd, wireEnd, seg, ctx);
  const udpLength = u16(buf, p + 4);
  // Length 0: an IPv6 jumbogram (RFC 2675); the IP packet says where it ends.
  const end = udpLength === 0 ? wireEnd : p + udpLength;
  if (udpLength !== 0 && udpLength < 8) {
    ctx.issue('bad-ip-header', seg, `UDP length ${udpLength} is shorter than its 8-byte header (port ${port})`);
    return false;
  }
  if (end > wireEnd) {
    ctx.issue('bad-ip-header', seg, `UDP length ${udpLength} runs past the end of its IP packet (${wireEnd - p} bytes, port ${port})`);
    return false;
  }
  const innerCapEnd = end < capEnd ? end : capEnd;
  if (port === PORT_VXLAN) return decodeVxlan(buf, p + 8, innerCapEnd, end, seg, ctx, depth);
  if (port === PORT_GENEVE) return decodeGeneve(buf, p + 8, innerCapEnd, end, seg, ctx, depth);
  return decodeGtpU(buf, p + 8, innerCapEnd, end, seg, ctx, depth);
}

/** VXLAN (RFC 7348): flags (I = the VNI is valid), 3 reserved bytes, VNI, 1 reserved; then Ethernet. */
function decodeVxlan(buf: Uint8Array, p: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (capEnd - p < 8) return cutShort('VXLAN', 8, p, capEnd, wireEnd, seg, ctx);
  if ((buf[p]! & VXLAN_FLAG_I) === 0) {
    ctx.issue('bad-ip-header', seg, `VXLAN header on UDP port ${PORT_VXLAN} without its I flag (flags 0x${buf[p]!.toString(16).padStart(2, '0')}; skipped)`);
    return false;
  }
  return openInner(ETHERTYPE_TEB, 'VXLAN', buf, p + 8, capEnd, wireEnd, seg, ctx, depth);
}

/**
 * Geneve (RFC 8926): version (2 bits) and options length in 4-byte units (6 bits), flags, protocol
 * type (an ethertype), VNI and a reserved byte; the options follow. Ethernet, IPv4 and IPv6 are
 * opened; other protocol types counted.
 */
function decodeGeneve(buf: Uint8Array, p: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (capEnd - p < 8) return cutShort('Geneve', 8, p, capEnd, wireEnd, seg, ctx);
  const version = buf[p]! >> 6;
  if (version !== 0) {
    ctx.issue('bad-ip-header', seg, `Geneve version ${version} on UDP port ${PORT_GENEVE} (only version 0 is defined; skipped)`);
    return false;
  }
  const type = u16(buf, p + 2);
  if (type !== NET_IPV4 && type !== NET_IPV6 && type !== ETHERTYPE_TEB) {
    ctx.skipNet(NET_GENEVE | type);
    return false;
  }
  const length = 8 + (buf[p]! & 0x3f) * 4;
  if (capEnd - p < length) return cutShort('Geneve', length, p, capEnd, wireEnd, seg, ctx);
  return openInner(type, 'Geneve', buf, p + length, capEnd, wireEnd, seg, ctx, depth);
}

/**
 * GTPv1-U (3GPP TS 29.281): flags, message type, length (of what follows the first 8 bytes), TEID.
 * When any of E, S, PN is set, 4 more bytes follow (sequence number, N-PDU number, next extension
 * header type); with E, a chain of extension headers, each a length in 4-byte units, content, and
 * the next type in its last byte, ending at type 0. Only G-PDUs (type 0xFF) carry user packets,
 * IPv4 or IPv6 as the version nibble says; echo, error indication and end marker are counted.
 */
function decodeGtpU(buf: Uint8Array, p: number, capEnd: number, wireEnd: number, seg: TcpSegment, ctx: DecodeContext, depth: number): boolean {
  if (capEnd - p < 8) return cutShort('GTP-U', 8, p, capEnd, wireEnd, seg, ctx);
  const flags = buf[p]!;
  if (flags >> 5 !== 1 || (flags & GTP_FLAG_PT) === 0) {
    ctx.issue('bad-ip-header', seg, `GTP version ${flags >> 5}, protocol type ${(flags & GTP_FLAG_PT) >> 4} on UDP port ${PORT_GTP_U} (only GTPv1-U is decoded; skipped)`);
    return false;
  }
  const message = buf[p + 1]!;
  if (message !== GTP_G_PDU) {
    ctx.skipNet(NET_GTP_MESSAGE | message);
    return false;
  }
  const end = p + 8 + u16(buf, p + 2);
  if (end > wireEnd) {
    ctx.issue('bad-ip-header', seg, `GTP-U length ${end - p - 8} runs past the end of its UDP datagram (${wireEnd - p - 8} bytes after the GTP header)`);
    return false;
  }
  if (end < capEnd) capEnd = end;
  let q = p + 8;
  if ((flags & GTP_OPTIONAL_FLAGS) !== 0) {
    if (capEnd - p < 12) return cutShort('GTP-U', 12, p, capEnd, end, seg, ctx);
    q = p + 12;
    if ((flags & GTP_FLAG_E) !== 0) {
      // Each header is at least 4 bytes long, so the walk ends within the packet.
      for (let next = buf[p + 11]!; next !== 0;) {
        if (capEnd - q < 1) return cutShort('GTP-U extension', 4, q, capEnd, end, seg, ctx);
        const length = buf[q]! * 4;
        if (length === 0) {
          ctx.issue('bad-ip-header', seg, `GTP-U extension header (type 0x${next.toString(16).padStart(2, '0')}) of length 0`);
          return false;
        }
        if (capEnd - q < length) return cutShort('GTP-U extension', length, q, capEnd, end, seg, ctx);
        next = buf[q + length - 1]!;
        q += length;
      }
    }
  }
  if (end - q < 1) {
    ctx.issue('bad-ip-header', seg, 'GTP-U G-PDU with no packet in it');
    return false;
  }
  if (capEnd - q < 1) {
    ctx.issue('truncated-packet', seg, 'GTP-U G-PDU: its packet is cut by the snap length before the first byte');
    return false;
  }
  const version = buf[q]! >> 4;
  if (version === 4) return openInner(NET_IPV4, 'GTP-U', buf, q, capEnd, end, seg, ctx, depth);
  if (version === 6) return openInner(NET_IPV6, 'GTP-U', buf, q, capEnd, end, seg, ctx, depth);
  ctx.skipNet(NET_GTP_NOT_IP | version);
  return false;
}

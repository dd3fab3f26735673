// Link layer: the less common framings -> network protocol: raw IP, PPP and PPP-in-HDLC, Cisco
// HDLC, IP over InfiniBand and Linux ARCnet.

import { u16 } from './bytes.js';
import { NET_ARCNET, NET_BAD_VERSION, NET_IPV4, NET_IPV6, NET_PPP, NET_TRUNCATED, type LinkResult } from './decode-context.js';
import { walkEthertype } from './ethernet.js';

/** Raw IP with no link header: the version nibble says which. */
export function decodeRawIp(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  out.offset = off;
  if (end - off < 1) {
    out.type = NET_TRUNCATED;
    return;
  }
  const version = buf[off]! >> 4;
  out.type = version === 4 ? NET_IPV4 : version === 6 ? NET_IPV6 : NET_BAD_VERSION | version;
}

/** PPP (RFC 1661), optionally with the HDLC address/control bytes FF 03; 1- or 2-byte protocol. */
export function decodePpp(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  let p = off;
  if (end - p >= 2 && buf[p] === 0xff && buf[p + 1] === 0x03) p += 2;
  if (end - p < 1) {
    out.type = NET_TRUNCATED;
    return;
  }
  let proto: number;
  if ((buf[p]! & 1) === 1) {
    proto = buf[p]!; // protocol-field compression
    p += 1;
  } else {
    if (end - p < 2) {
      out.type = NET_TRUNCATED;
      return;
    }
    proto = u16(buf, p);
    p += 2;
  }
  out.offset = p;
  out.type = proto === 0x21 ? NET_IPV4 : proto === 0x57 ? NET_IPV6 : NET_PPP | proto;
}

/** Cisco HDLC: address, control, then an ethertype. */
export function decodeCiscoHdlc(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  if (end - off < 4) {
    out.type = NET_TRUNCATED;
    return;
  }
  walkEthertype(buf, off + 4, end, u16(buf, off + 2), out);
}

/** IP over InfiniBand as libpcap writes it: 40 bytes of addresses, ethertype, 2 reserved bytes. */
export function decodeIpoib(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  if (end - off < 44) {
    out.type = NET_TRUNCATED;
    return;
  }
  walkEthertype(buf, off + 44, end, u16(buf, off + 40), out);
}

const ARCTYPE_IP_RFC1201 = 212;
const ARCTYPE_IP_RFC1051 = 240;
const ARCTYPE_INET6 = 0xc4;

/**
 * Linux ARCnet: source, destination, 2-byte offset, protocol; RFC 1201 framing adds a split flag
 * and a sequence number (8 bytes in all), the old RFC 1051 one does not (5 bytes).
 */
export function decodeArcnetLinux(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  if (end - off < 5) {
    out.type = NET_TRUNCATED;
    return;
  }
  const type = buf[off + 4]!;
  const oldStyle = type === ARCTYPE_IP_RFC1051 || type === 241 || type === 0x80;
  const headerLength = oldStyle ? 5 : 8;
  if (end - off < headerLength) {
    out.type = NET_TRUNCATED;
    return;
  }
  out.offset = off + headerLength;
  out.type = type === ARCTYPE_IP_RFC1201 || type === ARCTYPE_IP_RFC1051 ? NET_IPV4 : type === ARCTYPE_INET6 ? NET_IPV6 : NET_ARCNET | type;
}

// Link layer: BSD loopback (NULL: address family in the capturing host's byte order; LOOP: in
// network byte order) -> IPv4 or IPv6. Both byte orders are accepted for both, as libpcap does.

import { u32le } from './bytes.js';
import { NET_AF, NET_IPV4, NET_IPV6, NET_TRUNCATED, type LinkResult } from './decode-context.js';

const AF_INET = 2;
/** AF_INET6 differs per BSD: NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
const AF_INET6_BSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

export function decodeNullLoopback(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  if (end - off < 4) {
    out.type = NET_TRUNCATED;
    return;
  }
  let family = u32le(buf, off);
  // Address families are small: a value with its low 16 bits clear was written in the other order.
  if ((family & 0xffff) === 0) family = family >>> 24 | ((family >>> 8) & 0xff00);
  out.offset = off + 4;
  switch (family) {
    case AF_INET: out.type = NET_IPV4; break;
    case AF_INET6_BSD: case AF_INET6_FREEBSD: case AF_INET6_DARWIN: out.type = NET_IPV6; break;
    default: out.type = NET_AF | (family & 0xffff);
  }
}

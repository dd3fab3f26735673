// Link layer: Ethernet II / 802.3 frames -> network protocol and offset, through VLAN tag stacks
// (802.1Q, 802.1ad, old QinQ), PPPoE sessions, MPLS label stacks and LLC/SNAP.

import { u16 } from './bytes.js';
import { NET_IPV4, NET_IPV6, NET_LLC, NET_MPLS, NET_PPP, NET_TRUNCATED, type LinkResult } from './decode-context.js';

const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_QINQ_OLD2 = 0x9200;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
/** Bound on stacked tags/labels, so a looping garbage frame ends. */
const MAX_SHIMS = 16;

export function decodeEthernet(buf: Uint8Array, off: number, end: number, out: LinkResult): void {
  if (end - off < 14) {
    out.type = NET_TRUNCATED;
    return;
  }
  walkEthertype(buf, off + 14, end, u16(buf, off + 12), out);
}

/**
 * From an ethertype field whose payload starts at `p`, step over shim headers (VLAN tags, PPPoE,
 * MPLS, SNAP) to the network protocol. Shared by Ethernet and the Linux cooked headers.
 */
export function walkEthertype(buf: Uint8Array, p: number, end: number, type: number, out: LinkResult): void {
  for (let shims = 0; shims < MAX_SHIMS; shims++) {
    switch (type) {
      case NET_IPV4:
      case NET_IPV6:
        out.type = type;
        out.offset = p;
        return;
      case ETHERTYPE_VLAN:
      case ETHERTYPE_QINQ:
      case ETHERTYPE_QINQ_OLD:
      case ETHERTYPE_QINQ_OLD2:
        if (end - p < 4) break;
        type = u16(buf, p + 2);
        p += 4;
        continue;
      case ETHERTYPE_PPPOE_SESSION: {
        // version/type, code, session id, length; then the PPP protocol field
        if (end - p < 8) break;
        const ppp = u16(buf, p + 6);
        p += 8;
        if (ppp === 0x0021) type = NET_IPV4;
        else if (ppp === 0x0057) type = NET_IPV6;
        else { out.type = NET_PPP | ppp; out.offset = p; return; }
        continue;
      }
      case ETHERTYPE_MPLS:
      case ETHERTYPE_MPLS_MULTICAST:
        decodeMpls(buf, p, end, out);
        return;
      default:
        if (type <= 1500) {
          // 802.3 length field: only LLC/SNAP (AA AA 03, OUI, ethertype) carries an ethertype.
          if (end - p >= 8 && buf[p] === 0xaa && buf[p + 1] === 0xaa && buf[p + 2] === 0x03) {
            type = u16(buf, p + 6);
            p += 8;
            continue;
          }
          out.type = NET_LLC;
          out.offset = p;
          return;
        }
        out.type = type;
        out.offset = p;
        return;
    }
    // a shim header cut short
    out.type = NET_TRUNCATED;
    return;
  }
  out.type = type;
  out.offset = p;
}

/** MPLS label stack (4 bytes each, bottom-of-stack bit in byte 2); then IP, told by its version. */
function decodeMpls(buf: Uint8Array, p: number, end: number, out: LinkResult): void {
  for (let labels = 0; labels < MAX_SHIMS; labels++) {
    if (end - p < 4) {
      out.type = NET_TRUNCATED;
      return;
    }
    const bottom = (buf[p + 2]! & 1) === 1;
    p += 4;
    if (bottom) break;
  }
  out.offset = p;
  if (end - p < 1) {
    out.type = NET_TRUNCATED;
    return;
  }
  const version = buf[p]! >> 4;
  out.type = version === 4 ? NET_IPV4 : version === 6 ? NET_IPV6 : NET_MPLS;
}

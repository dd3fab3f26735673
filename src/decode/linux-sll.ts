// Link layer: Linux cooked captures (`tcpdump -i any`), SLL v1 (16-byte header) and SLL2 (20-byte
// header, the default since tcpdump 4.99) -> network protocol, direction and interface index.

import type { TcpSegment } from '../segment/tcp-segment.js';
import { u16, u32 } from './bytes.js';
import { NET_TRUNCATED, type LinkResult } from './decode-context.js';
import { walkEthertype } from './ethernet.js';

const PACKET_OUTGOING = 4;

/** Linux packet type -> TcpSegment.direction: 4 outgoing, 0 to us/broadcast/multicast/other host. */
function direction(packetType: number): number {
  if (packetType === PACKET_OUTGOING) return 4;
  return packetType < PACKET_OUTGOING ? 0 : -1;
}

export function decodeLinuxSll(buf: Uint8Array, off: number, end: number, seg: TcpSegment, out: LinkResult): void {
  if (end - off < 16) {
    out.type = NET_TRUNCATED;
    return;
  }
  seg.direction = direction(u16(buf, off));
  walkEthertype(buf, off + 16, end, u16(buf, off + 14), out);
}

export function decodeLinuxSll2(buf: Uint8Array, off: number, end: number, seg: TcpSegment, out: LinkResult): void {
  if (end - off < 20) {
    out.type = NET_TRUNCATED;
    return;
  }
  seg.interfaceId = u32(buf, off + 4);
  seg.direction = direction(buf[off + 10]!);
  walkEthertype(buf, off + 20, end, u16(buf, off), out);
}

// Transport layer: a TCP header and its options -> the TCP fields of a TcpSegment.

import type { TcpSegment } from '../segment/tcp-segment.js';
import { u16, u32 } from './bytes.js';
import type { DecodeContext } from './decode-context.js';

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WINDOW_SCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMPS = 8;
/** TcpSegment.sackEdges holds 4 blocks; a SACK option has room for at most 4 anyway. */
const MAX_SACK_BLOCKS = 4;

/**
 * Decode the TCP header at `off`. `capEnd` is where the captured bytes of this IP packet end (never
 * past the IP packet's own end); `length` is the TCP header plus payload length according to the
 * IP header, which stays right when the capture cut the packet short. Returns false (after
 * reporting why) when there is no usable TCP header.
 */
export function decodeTcp(buf: Uint8Array, off: number, capEnd: number, length: number, seg: TcpSegment, ctx: DecodeContext): boolean {
  if (length < 20) {
    ctx.issue('bad-tcp-header', seg, `IP payload of ${length} bytes is shorter than a 20-byte TCP header`);
    return false;
  }
  if (capEnd - off < 20) {
    ctx.issue('truncated-packet', seg, `TCP header cut by the snap length: ${Math.max(0, capEnd - off)} of 20 bytes captured`);
    return false;
  }
  const headerLength = (buf[off + 12]! >> 4) * 4;
  if (headerLength < 20) {
    ctx.issue('bad-tcp-header', seg, `TCP data offset ${headerLength >> 2}, must be at least 5`);
    return false;
  }
  if (headerLength > length) {
    ctx.issue('bad-tcp-header', seg, `TCP header length ${headerLength} exceeds the ${length} bytes the IP header gives it`);
    return false;
  }
  seg.sport = u16(buf, off);
  seg.dport = u16(buf, off + 2);
  seg.seq = u32(buf, off + 4);
  seg.ack = u32(buf, off + 8);
  seg.flags = buf[off + 13]! | ((buf[off + 12]! & 1) << 8);
  seg.window = u16(buf, off + 14);
  seg.urgent = u16(buf, off + 18);
  seg.payloadLength = length - headerLength;
  seg.truncated = capEnd - off < length;
  if (headerLength > 20) decodeOptions(buf, off + 20, Math.min(off + headerLength, capEnd), seg);
  return true;
}

/** Options in [p, end). Stops quietly at a malformed option (tcpdump prints `[bad opt]` there). */
function decodeOptions(buf: Uint8Array, p: number, end: number, seg: TcpSegment): void {
  while (p < end) {
    const kind = buf[p]!;
    if (kind === OPT_EOL) return;
    if (kind === OPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) return;
    const len = buf[p + 1]!;
    if (len < 2 || p + len > end) return;
    switch (kind) {
      case OPT_MSS:
        if (len === 4) seg.mss = u16(buf, p + 2);
        break;
      case OPT_WINDOW_SCALE:
        if (len === 3) seg.windowScale = buf[p + 2]!;
        break;
      case OPT_SACK_PERMITTED:
        if (len === 2) seg.sackPermitted = true;
        break;
      case OPT_SACK: {
        let blocks = (len - 2) >> 3;
        if (blocks > MAX_SACK_BLOCKS) blocks = MAX_SACK_BLOCKS;
        const edges = seg.sackEdges;
        for (let i = 0; i < blocks; i++) {
          edges[2 * i] = u32(buf, p + 2 + 8 * i);
          edges[2 * i + 1] = u32(buf, p + 6 + 8 * i);
        }
        seg.sackCount = blocks;
        break;
      }
      case OPT_TIMESTAMPS:
        if (len === 10) {
          seg.hasTimestamps = true;
          seg.tsVal = u32(buf, p + 2);
          seg.tsEcr = u32(buf, p + 6);
        }
        break;
      default:
        break;
    }
    p += len;
  }
}

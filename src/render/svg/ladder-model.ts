// Ladder diagram input: a plain, engine-independent description of connections → consumed by ladder-layout.
//
// The TCP engine's Connection objects are adapted into this shape by from-connection.ts; tests and
// other callers can build it by hand. Everything here is data: no methods, no DOM, no engine types.

import type { TcpState } from '../../analysis/flow-record.js';
import { ACK, FIN, RST, SYN } from '../../segment/tcp-segment.js';

export type { TcpState };

/** What an endpoint (or host) does in the drawn connections. */
export type LaneRole = 'client' | 'server' | 'proxy' | 'peer';

/** One vertical line of the ladder: an endpoint (`ip:port`) or, when connections are grouped by
 *  host, every endpoint of one address (so client → proxy → server get three lanes). */
export interface LadderLane {
  /** Printable `ip:port` (or address, with the ports in `sublabel`). Raw text: escaped when drawn. */
  label: string;
  role: LaneRole;
  /** Second header line, e.g. `ports 40000, 40002` or a host name; empty when none. */
  sublabel?: string;
}

/** Which endpoint of a connection: the originator (sent the first SYN) or the responder. */
export type Side = 'orig' | 'resp';

export interface LadderConnection {
  /** The connection's contract id (`flow`), shown as `#id` when several connections are drawn. */
  id: number;
  /** Lane index of each endpoint. */
  origLane: number;
  respLane: number;
  /** `ip:port` of each endpoint (raw text). */
  origLabel: string;
  respLabel: string;
  /** State before the first recorded change (CLOSED for a connection seen from its SYN,
   *  UNKNOWN for a mid-stream start). */
  origInitial: TcpState;
  respInitial: TcpState;
  /** State at capture end. */
  origFinal: TcpState;
  respFinal: TcpState;
}

/** Marks on a segment, as bits (a number, so 100,000 segments cost no arrays). */
export const MARK_RETRANSMISSION = 1;
export const MARK_KEEPALIVE = 2;
export const MARK_ZERO_WINDOW = 4;
export const MARK_DUPLICATE_ACK = 8;
/** Cited as evidence by a finding: never elided, drawn highlighted. */
export const MARK_EVIDENCE = 16;
/** A zero-window probe (one byte sent into a closed window). */
export const MARK_WINDOW_PROBE = 32;

export interface LadderSegment {
  /** Index into LadderModel.connections. */
  conn: number;
  /** True when the originator sent it. */
  fromOrig: boolean;
  /** Capture time: whole epoch seconds and nanoseconds within the second. */
  tsSec: number;
  tsNsec: number;
  /** TCP flag bits (tcp-segment.ts FIN, SYN, ...). */
  flags: number;
  /** Sequence number relative to the sender's ISN, acknowledgement relative to the receiver's
   *  ISN (as tcpdump prints them without -S). */
  seq: number;
  ack: number;
  payloadLength: number;
  /** Window as shown to the reader (raw header value, or scaled bytes if the adapter knows the scale). */
  window: number;
  /** MARK_* bits. */
  marks: number;
  /** Capture-wide segment number (0-based), for evidence and titles; -1 when unknown. */
  index: number;
}

export interface LadderStateChange {
  conn: number;
  side: Side;
  from: TcpState;
  to: TcpState;
  tsSec: number;
  tsNsec: number;
  /** Index into LadderModel.segments of the segment that caused it; -1 for a timer
   *  (TIME_WAIT expiry, FIN_WAIT_2 timeout). */
  segment: number;
}

export interface LadderFinding {
  code: string;
  severity: 'info' | 'warning' | 'error';
  /** Raw text from the diagnosis (escaped when drawn). */
  message: string;
  /** Index into LadderModel.connections, or -1 for a finding about none of them. */
  conn: number;
  /** The endpoint at fault, when known. */
  side?: Side;
  /** Epoch seconds when the condition began. */
  since: number;
  /** Indices into LadderModel.segments. */
  evidence: number[];
}

export interface LadderModel {
  /** Optional title line (raw text). */
  title?: string;
  lanes: LadderLane[];
  connections: LadderConnection[];
  /** In capture order (non-decreasing time). */
  segments: LadderSegment[];
  /** In time order. */
  stateChanges: LadderStateChange[];
  findings: LadderFinding[];
  /** End of the capture (the last segment of the whole capture, not just of these connections). */
  captureEndSec: number;
  captureEndNsec: number;
}

/** Seconds between two (sec, nsec) instants, as a double (exact enough for drawing). */
export function secondsBetween(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return bSec - aSec + (bNsec - aNsec) / 1e9;
}

/**
 * Wireshark-style analysis marks, for adapters whose engine does not provide them. Per direction of
 * each connection it tracks the highest sequence end seen, the last ack and window:
 * - retransmission: payload (or SYN/FIN) whose sequence end is not beyond what was already sent;
 * - keep-alive: 0 or 1 byte at `next - 1` with no SYN/FIN/RST;
 * - zero window: window 0 on a non-RST segment;
 * - window probe: 1 byte at `next` while the peer advertised window 0;
 * - duplicate ack: no payload, no SYN/FIN/RST, same ack and window as this side's previous segment,
 *   while the peer has unacknowledged data.
 * Sequence numbers must be relative (no wrap handling beyond 2^32 in one connection is attempted).
 * Sets bits in `marks`; returns the same array.
 */
export function markSegments(model: { segments: LadderSegment[]; connections: unknown[] }): LadderSegment[] {
  const n = model.connections.length * 2;
  const nextSeq = new Float64Array(n).fill(-1);
  const lastAck = new Float64Array(n).fill(-1);
  const lastWin = new Float64Array(n).fill(-1);
  for (const s of model.segments) {
    const me = s.conn * 2 + (s.fromOrig ? 0 : 1);
    const peer = s.conn * 2 + (s.fromOrig ? 1 : 0);
    const syn = (s.flags & SYN) !== 0, fin = (s.flags & FIN) !== 0, rst = (s.flags & RST) !== 0;
    const seqEnd = s.seq + s.payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
    const next = nextSeq[me]!;
    if (s.window === 0 && !rst) s.marks |= MARK_ZERO_WINDOW;
    if (!syn && !fin && !rst && next >= 0 && s.payloadLength <= 1 && s.seq === next - 1) {
      s.marks |= MARK_KEEPALIVE;
    } else if (s.payloadLength === 1 && next >= 0 && s.seq === next && lastWin[peer] === 0) {
      s.marks |= MARK_WINDOW_PROBE;
    } else if (next >= 0 && seqEnd > s.seq && seqEnd <= next && !rst) {
      s.marks |= MARK_RETRANSMISSION;
    } else if (
      !syn && !fin && !rst && s.payloadLength === 0 && (s.flags & ACK) !== 0 &&
      s.ack === lastAck[me] && s.window === lastWin[me] && nextSeq[peer]! > s.ack
    ) {
      s.marks |= MARK_DUPLICATE_ACK;
    }
    if (seqEnd > next) nextSeq[me] = seqEnd;
    if ((s.flags & ACK) !== 0) lastAck[me] = s.ack;
    lastWin[me] = s.window;
  }
  return model.segments;
}

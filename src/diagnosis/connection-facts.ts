// Diagnosis input adapter: tracked Connection (src/tcp) + its flow record → ConnectionFacts.
// The only diagnosis module that knows the engine's field names.

import type { FlowRecord } from '../analysis/flow-record.js';
import { roleCode as roleCodeOf } from '../tcp/change-log.js';
import type { Connection, Endpoint } from '../tcp/connection.js';
import { S_SYN_RECEIVED, S_SYN_SENT } from '../tcp/endpoint-state.js';
import type { ConnectionFacts, SideFacts } from './facts.js';

/** Segment times by capture-wide index (the tracker's SegmentStore when segments were kept). */
export interface SegmentTimes {
  readonly count: number;
  tsSec(index: number): number;
  tsNsec(index: number): number;
}

function time(sec: number, nsec: number): number {
  return sec < 0 ? NaN : sec + nsec / 1e9;
}

export function fillFacts(f: ConnectionFacts, c: Connection, flow: FlowRecord | undefined, index: number,
  segments?: SegmentTimes | null): void {
  f.reset();
  f.index = index;
  f.id = c.id;
  f.start = time(c.firstTsSec, c.firstTsNsec);
  f.end = time(c.lastTsSec, c.lastTsNsec);
  f.synSeen = c.orig.sentPureSyn;
  fillSide(f.orig, c.orig, c.resp, c, flow?.orig_h, segments);
  fillSide(f.resp, c.resp, c.orig, c, flow?.resp_h, segments);
}

function fillSide(s: SideFacts, e: Endpoint, p: Endpoint, c: Connection, host: string | undefined,
  segments: SegmentTimes | null | undefined): void {
  s.hostId = e.addr;
  s.host = host ?? String(e.addr);
  s.port = e.port;
  s.state = e.stateName;
  s.packets = e.packets;
  s.bytes = e.uniqueBytes > 0 ? e.uniqueBytes : e.payloadBytes;

  const log = c.log;
  const roleCode = roleCodeOf(s.role);
  if (e.sentPureSyn || e.sentSynAck) {
    s.synCount = 1 + e.synRetransmissions;
    if (c.first === e) {
      // the sender of the connection's first segment opened it with that segment
      s.synSeg = c.firstSegment;
      s.synTime = time(c.firstTsSec, c.firstTsNsec);
    } else {
      s.synTime = time(e.firstTsSec, e.firstTsNsec);
      // Its segment number is only in the state changes (into SYN_SENT / SYN_RECEIVED); look it up
      // only where a rule will cite it (retransmitted handshakes), to keep this loop cache-friendly.
      if ((e.synRetransmissions > 0 || p.synRetransmissions > 0) && log !== null) {
        for (let r = c.changeHead; r >= 0; r = log.next(r)) {
          const to = log.to(r);
          if (log.role(r) === roleCode && (to === S_SYN_SENT || to === S_SYN_RECEIVED) && log.segment(r) >= 0) {
            s.synSeg = log.segment(r);
            s.synTime = time(log.tsSec(r), log.tsNsec(r));
            break;
          }
        }
      }
    }
  }

  if (e.finSent) {
    s.finTime = time(e.finTsSec, e.finTsNsec);
    s.finSeg = e.finSegment;
  }
  if (e.rstSegment >= 0) {
    s.rstTime = time(e.rstTsSec, e.rstTsNsec);
    s.rstSeg = e.rstSegment;
  }

  s.lastDataTime = time(e.lastDataTsSec, e.lastDataTsNsec);
  s.lastDataSeg = e.lastDataSegment;
  const peerFin = p.finSent ? time(p.finTsSec, p.finTsNsec) : NaN;
  if (peerFin !== peerFin || !(s.lastDataTime > peerFin)) {
    s.lastDataBeforePeerFinTime = s.lastDataTime;
  } else {
    // Data after the peer's FIN: a write on the half-closed socket.
    s.dataAfterPeerFinTime = s.lastDataTime;
    s.dataAfterPeerFinSeg = s.lastDataSeg;
    s.lastDataBeforePeerFinTime = e.lastDataAtPeerFinTsSec >= 0 ? time(e.lastDataAtPeerFinTsSec, e.lastDataAtPeerFinTsNsec) : NaN;
  }

  s.ackedDataSeg = e.lastAckAdvanceSegment;
  s.ackedDataTime = time(e.lastAckAdvanceTsSec, e.lastAckAdvanceTsNsec);
  s.ackedPeerFinSeg = p.finAckedSegment;

  if (e.closeWaitChange >= 0 && log !== null) {
    const cw = e.closeWaitChange;
    s.closeWaitSince = time(log.tsSec(cw), log.tsNsec(cw));
    s.closeWaitSeg = log.segment(cw);
    // until this side's next change (it closed, or a timer or a reset ended it)
    for (let r = log.next(cw); r >= 0; r = log.next(r)) {
      if (log.role(r) !== roleCode) continue;
      s.closeWaitUntil = time(log.tsSec(r), log.tsNsec(r));
      s.closeWaitEndSeg = log.segment(r);
      break;
    }
  }

  s.zeroWindowCount = e.zeroWindows;
  if (e.zeroWindows > 0) {
    s.zeroWindowSeg = e.zeroWindowFirstSegment;
    if (e.zeroWindowFirstTsSec >= 0) s.zeroWindowSince = time(e.zeroWindowFirstTsSec, e.zeroWindowFirstTsNsec);
    else if (segments && e.zeroWindowFirstSegment >= 0 && e.zeroWindowFirstSegment < segments.count) {
      s.zeroWindowSince = time(segments.tsSec(e.zeroWindowFirstSegment), segments.tsNsec(e.zeroWindowFirstSegment));
    }
    s.zeroWindowAtEnd = e.windowLast === 0;
  }
  // The SYN's window (unscaled) is the receive window before any data arrived.
  s.windowMax = Math.max(e.windowMax, e.synWindow);
  s.windowLast = e.windowLast;
  s.windowAtPeerFin = e.windowAtPeerFin;
  s.windowUnit = e.wscale > 0 ? 2 ** e.wscale : 1;
}

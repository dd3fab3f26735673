// TCP tracking: Zeek's own little per-endpoint machine (INACTIVE … RESET), its history string and its
// conn_state verdict, transcribed from zeek/zeek (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc,
// src/analyzer/protocol/tcp/TCP_Endpoint.{h,cc}, TCP_Reassembler.cc, scripts/base/protocols/conn/main.zeek).
// It runs beside our RFC 9293 machine and never influences it: it exists so that `conn_state` and
// `history` mean exactly what Zeek users expect. Segment in → history letters and Zeek states.
//
// Deliberate differences from a Zeek run, all documented in the tests:
// - Checksums are not verified (as with `zeek -C`): captures taken on a sending host carry
//   offloaded (bad) checksums on every outgoing segment, and the kernel accepted those segments.
// - Connections are never split on inactivity (Zeek's tcp_inactivity_timeout, 5 min).
// - Reassembly is modelled only as far as content gaps ('g'/'G') need it; close deferral while data
//   is pending is not modelled (it only shifts when Zeek stops extending `duration`).

import { Template } from './field-copier.js';
import { seqDiff } from './sequence-number.js';
import { FIN, SYN, RST, ACK } from '../segment/tcp-segment.js';

export const Z_INACTIVE = 0;
export const Z_SYN_SENT = 1;
export const Z_SYN_ACK_SENT = 2;
export const Z_PARTIAL = 3;
export const Z_ESTABLISHED = 4;
export const Z_CLOSED = 5;
export const Z_RESET = 6;

export const ZEEK_STATE_NAMES = [
  'TCP_INACTIVE', 'TCP_SYN_SENT', 'TCP_SYN_ACK_SENT', 'TCP_PARTIAL', 'TCP_ESTABLISHED', 'TCP_CLOSED', 'TCP_RESET',
] as const;

// History masks (TCP_Endpoint.h); the responder's live 16 bits higher.
const HIST_SYN_PKT = 0x1;
const HIST_FIN_PKT = 0x2;
const HIST_RST_PKT = 0x4;
const HIST_FIN_RST_PKT = 0x8;
const HIST_DATA_PKT = 0x10;
const HIST_ACK_PKT = 0x20;
const HIST_MULTI_FLAG_PKT = 0x40;

const TOO_LARGE_SEQ_DELTA = 1048576;
const TWO32 = 4294967296;

/** tcp_max_initial_window (init-bare.zeek): data sent with nothing acked beyond this is trimmed. */
const TCP_MAX_INITIAL_WINDOW = 16384;

/** One side of a connection as Zeek's TCP_Endpoint sees it. */
export class ZeekEndpoint {
  state = Z_INACTIVE;
  prevState = Z_INACTIVE;
  isOrig: boolean;
  peer!: ZeekEndpoint;
  /** start_seq is an int64 in Zeek but always holds a uint32 value here. */
  startSeq = 0;
  lastSeq = 0;
  ackSeq = 0;
  seqWraps = 0;
  ackWraps = 0;
  finCnt = 0;
  rstCnt = 0;
  /** Relative sequence number one past the FIN. */
  finSeq = 0;
  didClose = false;
  histLastSyn = 0;
  histLastFin = 0;
  histLastRst = 0;
  rxmtCnt = 0;
  rxmtThresh = 1;
  win0Cnt = 0;
  win0Thresh = 1;
  gapCnt = 0;
  gapThresh = 1;
  // Reassembler (relative sequence numbers, starting at 1).
  lastReassem = 1;
  trimSeq = 1;
  /** Out-of-order blocks as [seq, upper, seq, upper, ...] sorted by seq; null while none. */
  blocks: number[] | null = null;

  constructor(isOrig: boolean) {
    this.isOrig = isOrig;
  }

  /** Recycle for a new connection: every field as when new (peer linked by the session). */
  reuse(isOrig: boolean): void {
    ZEEK_ENDPOINT.reset(this);
    this.isOrig = isOrig;
  }

  setState(s: number): void {
    if (s !== this.state) {
      this.prevState = this.state;
      this.state = s;
    }
  }

  /** TCP_Endpoint::Size(): bytes from sequence numbers, SYN and FIN octets excluded. */
  size(): number {
    if (this.prevState === Z_SYN_SENT && this.state === Z_RESET && this.peer.state === Z_INACTIVE && !this.noDataAcked()) return 0;
    const last64 = this.seqWraps * TWO32 + (this.lastSeq >>> 0);
    const ack64 = this.ackWraps * TWO32 + (this.ackSeq >>> 0);
    let size = (last64 > ack64 ? last64 : ack64) - (this.startSeq >>> 0);
    // Zeek computes this in uint64; a negative value would wrap to an absurd count. Report 0.
    if (size < 0) return 0;
    if (size !== 0) size--;
    if (this.finCnt > 0 && size !== 0) size--;
    return size;
  }

  noDataAcked(): boolean {
    const ack = this.ackWraps * TWO32 + (this.ackSeq >>> 0);
    const start = this.startSeq >>> 0;
    return ack === start || ack === start + 1;
  }

  private updateLastSeqRaw(seq: number): void {
    if ((seq >>> 0) < (this.lastSeq >>> 0)) this.seqWraps++;
    this.lastSeq = seq;
  }

  private updateAckSeqRaw(seq: number): void {
    if ((seq >>> 0) < (this.ackSeq >>> 0)) this.ackWraps++;
    this.ackSeq = seq;
  }

  /** Shared by the session: update_ack_seq(). */
  updateAckSeq(ack: number): void {
    const delta = seqDiff(ack, this.ackSeq);
    if (ack === 0 && delta > TOO_LARGE_SEQ_DELTA) return; // a broken ack, not a wrap to 0
    if (delta > 0) this.updateAckSeqRaw(ack);
  }

  /** update_last_seq(); returns delta_last. `session` receives the retransmission history entry. */
  updateLastSeq(session: ZeekSession, lastSeq: number, flags: number, len: number): number {
    const delta = seqDiff(lastSeq, this.lastSeq);
    if ((flags & (SYN | RST)) !== 0 && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
      // untrusted jump
    } else if ((flags & FIN) !== 0 && this.lastSeq === ((this.startSeq + 1) | 0)) {
      this.updateLastSeqRaw(lastSeq); // only SYN and FIN seen: accept the FIN even "backwards"
    } else if (this.state === Z_RESET) {
      // don't trust sequence numbers after a RST
    } else if (delta > 0) {
      this.updateLastSeqRaw(lastSeq);
    } else if (len > 0) {
      session.scaled(this, 'T', 0);
    }
    return delta;
  }

  /** get_relative_seq(); `underflow` reported through the session. */
  relativeSeq(cur: number, last: number, wraps: number, session: ZeekSession): number {
    const delta = seqDiff(cur, last);
    if (delta < 0) {
      if (wraps && (cur >>> 0) > (last >>> 0)) wraps--;
    } else if (delta > 0) {
      if ((cur >>> 0) < (last >>> 0)) wraps++;
    }
    if (wraps === 0) {
      const d = seqDiff(cur, this.startSeq);
      if (d < 0) session.underflow = true;
      return d;
    }
    return wraps * TWO32 + (cur >>> 0) - (this.startSeq >>> 0);
  }

  // ---- Reassembler (TCP_Reassembler / Reassembler), reduced to what content gaps need ----

  /** DataSent(): this endpoint sent payload [seq, seq+len) (relative). */
  dataSent(session: ZeekSession, seq: number, len: number): void {
    const ack = this.ackWraps * TWO32 + (this.ackSeq >>> 0) - (this.startSeq >>> 0);
    const upper = seq + len;
    if (seq < ack) {
      if (upper <= ack) return; // already delivered and acked
      seq = ack;
    }
    if (upper <= this.trimSeq) return; // old data
    if (seq < this.trimSeq) seq = this.trimSeq;
    if (seq === this.lastReassem && this.blocks === null) {
      // The common in-order case: deliver at once.
      this.lastReassem = upper;
    } else {
      this.insertBlock(seq, upper);
      this.deliverContiguous();
    }
    // BlockInserted(): with nothing acked yet and lots sent, Zeek stops holding data.
    if (this.noDataAcked() && this.size() > TCP_MAX_INITIAL_WINDOW) this.trimTo(session, this.lastReassem);
  }

  /** AckReceived(): the peer acknowledged up to `seq` (relative). */
  ackReceived(session: ZeekSession, seq: number): void {
    if (this.finCnt > 0 && seq >= this.finSeq) seq = this.finSeq - 1;
    if (seq <= this.trimSeq) return;
    this.trimTo(session, seq);
  }

  private trimTo(session: ZeekSession, seq: number): void {
    if (seq > this.lastReassem) this.undelivered(session, seq);
    if (this.blocks !== null) {
      const b = this.blocks;
      let keep = 0;
      for (let i = 0; i < b.length; i += 2) {
        if (b[i + 1]! > seq) { b[keep++] = b[i]! < seq ? seq : b[i]!; b[keep++] = b[i + 1]!; }
      }
      b.length = keep;
      if (keep === 0) this.blocks = null;
    }
    if (seq > this.trimSeq) this.trimSeq = seq;
  }

  private undelivered(session: ZeekSession, upTo: number): void {
    if (upTo <= 2 && session.isPartial) return; // faked-up ISN of a partial connection
    if (this.blocks !== null) {
      const b = this.blocks;
      for (let i = 0; i < b.length; i += 2) {
        const bs = b[i]!, bu = b[i + 1]!;
        if (bu <= this.lastReassem) continue;
        if (bs >= upTo) break;
        if (bs > this.lastReassem) {
          this.gap(session);
          this.lastReassem = bs;
        }
        if (bu > this.lastReassem) this.lastReassem = bu;
      }
    }
    if (upTo > this.lastReassem) this.gap(session);
    if (upTo > this.lastReassem) this.lastReassem = upTo;
  }

  private gap(session: ZeekSession): void {
    if (isClean(this) && isClean(this.peer)) session.scaled(this, 'G', 2);
  }

  private insertBlock(seq: number, upper: number): void {
    if (this.blocks === null) { this.blocks = [seq, upper]; return; }
    const b = this.blocks;
    let i = 0;
    while (i < b.length && b[i]! < seq) i += 2;
    b.splice(i, 0, seq, upper);
  }

  private deliverContiguous(): void {
    const b = this.blocks;
    if (b === null) return;
    for (let i = 0; i < b.length; i += 2) {
      if (b[i]! > this.lastReassem) break;
      if (b[i + 1]! > this.lastReassem) this.lastReassem = b[i + 1]!;
    }
  }
}

function isClean(e: ZeekEndpoint): boolean {
  return e.state === Z_ESTABLISHED || (e.state === Z_CLOSED && e.prevState === Z_ESTABLISHED);
}

/** The connection-level part: both endpoints, the history string, roles and timestamps. */
export class ZeekSession {
  orig: ZeekEndpoint;
  resp: ZeekEndpoint;
  history = '';
  histSeen = 0;
  isPartial = false;
  firstPacketSeen = 0;
  /** Set while processing one segment (get_relative_seq underflow). */
  underflow = false;
  /** Zeek's Conn start and last_time (last_time stops once both sides have closed: conn.log duration). */
  startSec = 0;
  startNsec = 0;
  lastSec = 0;
  lastNsec = 0;
  /** The first segment was a SYN+ACK that did not flip the roles: a late flip is still possible. */
  private lateFlipPossible = false;
  /** Incremented on every role flip; the owner swaps its own orig/resp when this changes. */
  flips = 0;

  constructor(startSec: number, startNsec: number, flipAtStart: boolean, firstFlags: number) {
    this.orig = new ZeekEndpoint(true);
    this.resp = new ZeekEndpoint(false);
    this.orig.peer = this.resp;
    this.resp.peer = this.orig;
    this.startSec = this.lastSec = startSec;
    this.startNsec = this.lastNsec = startNsec;
    if (flipAtStart) this.history = '^';
    this.lateFlipPossible = !flipAtStart && (firstFlags & (SYN | ACK)) === (SYN | ACK);
  }

  /** Recycle for a new connection, keeping the two endpoint objects. */
  reuse(startSec: number, startNsec: number, flipAtStart: boolean, firstFlags: number): void {
    const o = this.orig, r = this.resp;
    ZEEK_SESSION.reset(this);
    o.reuse(true);
    r.reuse(false);
    this.orig = o;
    this.resp = r;
    o.peer = r;
    r.peer = o;
    this.startSec = this.lastSec = startSec;
    this.startNsec = this.lastNsec = startNsec;
    if (flipAtStart) this.history = '^';
    this.lateFlipPossible = !flipAtStart && (firstFlags & (SYN | ACK)) === (SYN | ACK);
  }

  // ---- history ----

  /** Connection::CheckHistory via TCP_Endpoint: true when already seen (and then nothing added). */
  private checkHistory(e: ZeekEndpoint, mask: number, code: string): boolean {
    if (!e.isOrig) mask <<= 16;
    if ((this.histSeen & mask) === 0) {
      this.histSeen |= mask;
      this.history += e.isOrig ? code : code.toLowerCase();
      return false;
    }
    return true;
  }

  private addHistory(e: ZeekEndpoint, code: string): void {
    this.history += e.isOrig ? code : code.toLowerCase();
  }

  /** Connection::ScaledHistoryEntry: the 1st, 10th, 100th, ... instance add a letter. */
  scaled(e: ZeekEndpoint, code: 'T' | 'W' | 'G' | 'C', which: number): void {
    let cnt: number, thresh: number;
    if (which === 0) { cnt = ++e.rxmtCnt; thresh = e.rxmtThresh; } else if (which === 1) { cnt = ++e.win0Cnt; thresh = e.win0Thresh; } else { cnt = ++e.gapCnt; thresh = e.gapThresh; }
    if (cnt !== thresh) return;
    this.history += e.isOrig ? code : code.toLowerCase();
    const next = thresh * 10;
    if (which === 0) e.rxmtThresh = next; else if (which === 1) e.win0Thresh = next; else e.gapThresh = next;
  }

  private updateHistory(flags: number, e: ZeekEndpoint, relSeq: number, len: number): void {
    const bits = ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0) + ((flags & RST) !== 0 ? 1 : 0);
    if (bits > 1) {
      if ((flags & FIN) !== 0 && (flags & RST) !== 0) this.checkHistory(e, HIST_FIN_RST_PKT, 'I');
      else this.checkHistory(e, HIST_MULTI_FLAG_PKT, 'Q');
    } else if (bits === 1) {
      if ((flags & SYN) !== 0) {
        const code = (flags & ACK) !== 0 ? 'H' : 'S';
        if (this.checkHistory(e, HIST_SYN_PKT, code) && relSeq !== e.histLastSyn) this.addHistory(e, code);
        e.histLastSyn = relSeq;
      }
      if ((flags & FIN) !== 0) {
        // a FIN's sequence number is at the end of its data
        if (this.checkHistory(e, HIST_FIN_PKT, 'F') && relSeq + len !== e.histLastFin) this.addHistory(e, 'F');
        e.histLastFin = relSeq + len;
      }
      if ((flags & RST) !== 0) {
        if (this.checkHistory(e, HIST_RST_PKT, 'R') && relSeq !== e.histLastRst) this.addHistory(e, 'R');
        e.histLastRst = relSeq;
      }
    } else if (len) {
      this.checkHistory(e, HIST_DATA_PKT, 'D');
    } else if ((flags & ACK) !== 0) {
      this.checkHistory(e, HIST_ACK_PKT, 'A');
    }
  }

  // ---- roles ----

  /** Connection::FlipRoles + TCPSessionAdapter::FlipRoles: swap endpoints, append '^'. */
  private flipRoles(): void {
    const t = this.resp;
    this.resp = this.orig;
    this.orig = t;
    this.orig.isOrig = true;
    this.resp.isOrig = false;
    this.firstPacketSeen = ((this.firstPacketSeen & 1) ? 2 : 0) | ((this.firstPacketSeen & 2) ? 1 : 0);
    this.isPartial = false;
    this.history += '^';
    this.flips++;
  }

  /**
   * A connection that began with a SYN+ACK which the port heuristic did not flip is flipped as soon
   * as an ACK or data segment follows while the history is still just "H" (zeek/zeek#2191; the
   * rule is reconstructed from Zeek's baselines: one-sided-2745 and ctu-64702-888 flip on the next
   * ACK in either direction, localhost-bad-chksum with a 'c' in between does not). The history is
   * rewritten as if the flip had happened on the first packet ("H" → "^h").
   */
  private lateFlip(flags: number, len: number): boolean {
    if (this.history !== 'H' || this.orig.state !== Z_SYN_ACK_SENT || this.resp.state !== Z_INACTIVE) return false;
    if ((flags & (SYN | FIN | RST)) !== 0 || ((flags & ACK) === 0 && len === 0)) return false;
    const t = this.resp;
    this.resp = this.orig;
    this.orig = t;
    this.orig.isOrig = true;
    this.resp.isOrig = false;
    this.firstPacketSeen = ((this.firstPacketSeen & 1) ? 2 : 0) | ((this.firstPacketSeen & 2) ? 1 : 0);
    this.histSeen = ((this.histSeen & 0xffff) << 16) | (this.histSeen >>> 16);
    let h = '^';
    for (const c of this.history) h += c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
    this.history = h;
    this.flips++;
    return true;
  }

  private setPartialStatus(flags: number, isOrig: boolean): void {
    if (isOrig) {
      if (!(this.firstPacketSeen & 1)) this.isPartial = (flags & SYN) === 0 || (flags & ACK) !== 0;
    } else if (!(this.firstPacketSeen & 2) && !this.isPartial) {
      this.isPartial = (flags & SYN) === 0;
    }
  }

  // ---- per segment ----

  /**
   * TCPSessionAdapter::Process for one segment. `fromOrig` is relative to the current roles (the
   * caller re-derives it after a flip). Returns true when the roles flipped during this segment.
   */
  process(fromOrig: boolean, flags: number, seq: number, ack: number, len: number, window: number,
    truncated: boolean, sec: number, nsec: number): boolean {
    const flipsBefore = this.flips;
    if (this.lateFlipPossible) {
      // only while the history is still "H" (see lateFlip)
      if (this.history.length > 1) this.lateFlipPossible = false;
      else if (this.lateFlip(flags, len)) {
        fromOrig = !fromOrig;
        this.lateFlipPossible = false;
      }
    }
    const ep = fromOrig ? this.orig : this.resp;
    const peer = ep.peer;
    this.setPartialStatus(flags, ep.isOrig);
    let segLen = len;
    if (flags & SYN) segLen++;
    if (flags & FIN) segLen++;
    if (flags & RST) segLen -= len;
    const seqOnePast = (seq + segLen) | 0;
    this.initEndpoint(ep, flags, seq, seqOnePast);
    this.underflow = false;
    const relSeq = ep.relativeSeq(seq, ep.lastSeq, ep.seqWraps, this);
    const seqUnderflow = this.underflow;
    this.updateHistory(flags, ep, relSeq, len);
    // update_window(): only the zero-window history entry matters for conn.log
    if (window === 0 && (flags & RST) === 0 && peer.state !== Z_CLOSED && ep.state !== Z_RESET) this.scaled(ep, 'W', 1);
    if (!this.orig.didClose || !this.resp.didClose) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
    if (flags & FIN) {
      ep.finCnt++;
      ep.finSeq = relSeq + segLen;
    }
    if (flags & RST) ep.rstCnt++;
    let relAck = 0;
    if (flags & ACK) {
      if (peer.state === Z_INACTIVE) {
        relAck = 1;
        // init_peer(): number the peer as though we had seen its SYN
        peer.startSeq = peer.ackSeq = peer.lastSeq = (ack - 1) | 0;
      } else {
        this.underflow = false;
        relAck = peer.relativeSeq(ack, peer.ackSeq, peer.ackWraps, this);
        if (this.underflow) relAck = 0;
        else if ((flags & RST) === 0) peer.updateAckSeq(ack); // don't trust acks in RSTs
      }
    }
    const deltaLast = ep.updateLastSeq(this, seqOnePast, flags, len);
    const close = this.updateStateMachine(ep, peer, seq, len, deltaLast, ep.isOrig, flags);
    if (flags & ACK) peer.ackReceived(this, relAck);
    if (len > 0 && !truncated && (flags & RST) === 0 && !seqUnderflow) {
      ep.dataSent(this, (flags & SYN) !== 0 ? relSeq + 1 : relSeq, len);
    }
    if (close) ep.didClose = true;
    return this.flips !== flipsBefore;
  }

  private initEndpoint(e: ZeekEndpoint, flags: number, firstSeq: number, lastSeq: number): void {
    switch (e.state) {
      case Z_INACTIVE:
        if (flags & SYN) {
          e.ackSeq = firstSeq;
          e.startSeq = firstSeq;
        } else {
          // partial connection: number as though we had seen a SYN
          e.ackSeq = (firstSeq - 1) | 0;
          e.startSeq = (firstSeq - 1) | 0;
          lastSeq = firstSeq;
        }
        e.lastSeq = lastSeq;
        break;
      case Z_SYN_SENT:
      case Z_SYN_ACK_SENT:
        if ((flags & SYN) && firstSeq !== e.startSeq) {
          e.startSeq = firstSeq; e.ackSeq = firstSeq; e.lastSeq = lastSeq;
        }
        break;
      case Z_ESTABLISHED:
      case Z_PARTIAL:
        if (flags & SYN) {
          e.startSeq = firstSeq; e.ackSeq = firstSeq; e.lastSeq = lastSeq;
        }
        break;
      case Z_RESET:
        if ((flags & SYN) && e.prevState === Z_INACTIVE) {
          e.startSeq = firstSeq; e.ackSeq = firstSeq; e.lastSeq = lastSeq;
        }
        break;
      default:
        break;
    }
  }

  /** UpdateStateMachine(); returns do_close. */
  private updateStateMachine(ep: ZeekEndpoint, peer: ZeekEndpoint, seq: number, len: number, deltaLast: number,
    isOrig: boolean, flags: number): boolean {
    switch (ep.state) {
      case Z_INACTIVE: return this.updateInactive(ep, peer, seq, len, isOrig, flags);
      case Z_SYN_SENT:
      case Z_SYN_ACK_SENT: return updateSynSent(ep, flags);
      case Z_ESTABLISHED:
      case Z_PARTIAL: return updateEstablished(ep, peer, flags);
      case Z_CLOSED: return updateClosed(ep, flags, deltaLast);
      default: return false; // RESET: only weirds
    }
  }

  private updateInactive(ep: ZeekEndpoint, peer: ZeekEndpoint, seq: number, len: number, isOrig: boolean,
    flags: number): boolean {
    let close = false;
    if (flags & SYN) {
      if (isOrig) {
        ep.setState((flags & ACK) !== 0 ? Z_SYN_ACK_SENT : Z_SYN_SENT);
      } else {
        if ((flags & ACK) === 0 && peer.state === Z_SYN_ACK_SENT && seq === ep.startSeq) {
          // SYN/SYN-ACK reversal (e.g. two interfaces): flip and establish
          this.isPartial = false;
          this.flipRoles();
          peer.setState(Z_ESTABLISHED);
          this.firstPacketSeen |= 1;
        }
        if (peer.state === Z_SYN_SENT) peer.setState(Z_ESTABLISHED);
        ep.setState(Z_ESTABLISHED);
      }
    }
    if (flags & FIN) {
      ep.setState(Z_CLOSED);
      close = true;
    }
    if (flags & RST) {
      ep.setState(Z_RESET);
      close = true;
    }
    if (ep.state === Z_INACTIVE) { // no control flags changed it
      if (!isOrig && len === 0 && this.orig.state === Z_SYN_SENT) {
        // some stacks ACK a SYN before answering it: not a partial connection
      } else if ((flags & ACK) !== 0 && peer.state === Z_ESTABLISHED) {
        // SYN-ACK seen without its SYN, now an ACK: the SYN was just missed
        ep.setState(Z_ESTABLISHED);
        this.isPartial = false;
        this.firstPacketSeen |= isOrig ? 1 : 2;
      } else {
        ep.setState(Z_PARTIAL);
      }
    }
    return close;
  }

  // ---- verdicts ----

  /** conn_state from scripts/base/protocols/conn/main.zeek. */
  connState(): string {
    const os = this.orig.state, rs = this.resp.state;
    const oInactive = os === Z_INACTIVE || os === Z_PARTIAL;
    const rInactive = rs === Z_INACTIVE || rs === Z_PARTIAL;
    if (rs === Z_RESET) {
      if (os === Z_SYN_SENT || os === Z_SYN_ACK_SENT || (os === Z_RESET && this.orig.size() === 0 && this.resp.size() === 0)) return 'REJ';
      return oInactive ? 'RSTRH' : 'RSTR';
    }
    if (os === Z_RESET) {
      if (rInactive) return /^\^?S[^HAFGIQ]*R.*$/.test(this.history) ? 'RSTOS0' : 'OTH';
      return 'RSTO';
    }
    if (rs === Z_CLOSED && os === Z_CLOSED) return 'SF';
    if (os === Z_CLOSED) return rInactive ? 'SH' : 'S2';
    if (rs === Z_CLOSED) return oInactive ? 'SHR' : 'S3';
    if (os === Z_SYN_SENT && rs === Z_INACTIVE) return 'S0';
    if (os === Z_ESTABLISHED && rs === Z_ESTABLISHED) return 'S1';
    return 'OTH';
  }
}

function updateSynSent(ep: ZeekEndpoint, flags: number): boolean {
  let close = false;
  if (flags & FIN) {
    ep.setState(Z_CLOSED);
    close = true;
  }
  if (flags & RST) {
    ep.setState(Z_RESET);
    close = true;
  }
  return close;
}

function updateEstablished(ep: ZeekEndpoint, peer: ZeekEndpoint, flags: number): boolean {
  let close = false;
  if ((flags & SYN) && ep.state === Z_PARTIAL && peer.state === Z_INACTIVE && (flags & ACK) === 0) ep.setState(Z_SYN_SENT);
  if ((flags & FIN) && !(flags & RST)) {
    ep.setState(Z_CLOSED);
    // FIN after the peer's FIN+RST: that was a normal termination after all
    if (peer.state === Z_RESET && peer.prevState === Z_CLOSED) peer.setState(Z_CLOSED);
    close = true;
  }
  if (flags & RST) {
    ep.setState(Z_RESET);
    close = true;
  }
  return close;
}

function updateClosed(ep: ZeekEndpoint, flags: number, deltaLast: number): boolean {
  void deltaLast;
  // After a FIN exchange a RST does not change the verdict.
  if ((flags & RST) && ep.peer.state !== Z_CLOSED) {
    ep.setState(Z_RESET);
    return !ep.didClose;
  }
  return false;
}

// The fields every segment touches are stored first (chosen as for connection.ts's templates).
const ZEEK_ENDPOINT = new Template(() => new ZeekEndpoint(true), ZeekEndpoint.prototype, [
  'state', 'ackSeq', 'lastSeq', 'startSeq', 'isOrig', 'trimSeq', 'ackWraps', 'lastReassem', 'finCnt', 'seqWraps',
  'didClose', 'peer', 'blocks',
]);
const ZEEK_SESSION = new Template(() => new ZeekSession(0, 0, false, 0), ZeekSession.prototype);

/**
 * `new ZeekSession(...)` for the tracker, built from an object literal so that V8 can allocate the
 * long-lived sessions of a big capture directly in the old generation (see literalMaker).
 */
export function newZeekSession(startSec: number, startNsec: number, flipAtStart: boolean, firstFlags: number): ZeekSession {
  const z = ZEEK_SESSION.create();
  z.orig = newZeekEndpoint(true);
  z.resp = newZeekEndpoint(false);
  z.reuse(startSec, startNsec, flipAtStart, firstFlags);
  return z;
}

function newZeekEndpoint(isOrig: boolean): ZeekEndpoint {
  const e = ZEEK_ENDPOINT.create();
  e.isOrig = isOrig;
  return e;
}

// TCP tracking: turns the stream of TCP segments into connections, each with the RFC 9293 state of
// both endpoints over time, per-side counters, and Zeek's conn_state/history. Knows nothing about
// file formats: it sees one reused TcpSegment per call and copies what it keeps.
//
// Rules (the tests hold the reasons):
// - Demultiplexing is by 4-tuple through a numeric hash table. A new connection starts on the same
//   4-tuple when (a) a SYN arrives after an acceptable RST, (b) a side sends a SYN with an ISN other
//   than the one it used before (a new attempt or port reuse, e.g. after TIME_WAIT), (c) a SYN
//   arrives after either side sent a FIN, or after a connection seen only mid-flow, or (d) any
//   segment arrives more than `closeLinger` seconds after both endpoints reached CLOSED.
//   Idle time alone never splits a connection.
// - Originator: the sender of the first segment, unless Zeek would flip the roles (a first segment
//   that is not a plain SYN, coming from a likely server port; or a SYN+ACK first followed by an ACK
//   or data). A flip is marked '^' in the history, exactly as Zeek does.
// - A segment's effect on its receiver is applied when the segment is seen (it is assumed to be
//   delivered). A FIN that does not acknowledge the peer's earlier FIN, and is then acknowledged
//   by the peer, crossed the peer's FIN (simultaneous close): the CLOSE_WAIT → LAST_ACK recorded
//   for it is rewritten as FIN_WAIT_1 → CLOSING, and both sides go through CLOSING to TIME_WAIT.
// - Mid-flow starts: both endpoints begin UNKNOWN; an endpoint becomes ESTABLISHED when it sends an
//   ACK-bearing segment (proof it is synchronized), CLOSE_WAIT when it receives a FIN, and so on.
//   An endpoint never seen sending stays UNKNOWN until the peer's FIN or RST says more.
// - Connections that start with a plain SYN: both endpoints begin CLOSED (no socket yet); the
//   responder becomes SYN_RECEIVED when its SYN+ACK is seen.

import { ACK, FIN, RST, SYN, type TcpSegment } from '../segment/tcp-segment.js';
import { ChangeLog, R_ACKED_UNSEEN, R_FIN_TIMEOUT, R_NONE, R_SIMULTANEOUS_CLOSE, R_TIME_WAIT_EXPIRED, roleCode } from './change-log.js';
import { newConnection, newEndpoint, type Connection, type Endpoint, type EndpointRole } from './connection.js';
import { ConnectionTable } from './connection-table.js';
import {
  E_FIN_ACKED, E_FIN_TIMEOUT, E_RECV_FIN, E_RECV_RST, E_RECV_SYN, E_RECV_SYN_ACK, E_SEND_ACK, E_SEND_DATA,
  E_SEND_FIN, E_SEND_RST, E_SEND_SYN, E_SEND_SYN_ACK, E_SYN_ACKED, E_TIME_WAIT_EXPIRED, STATE_NAMES,
  S_CLOSED, S_CLOSE_WAIT, S_CLOSING, S_ESTABLISHED, S_FIN_WAIT_1, S_FIN_WAIT_2, S_LAST_ACK, S_SYN_RECEIVED, S_SYN_SENT,
  S_TIME_WAIT, S_UNKNOWN, nextState, type TcpState,
} from './endpoint-state.js';
import { zeekFlipsAtStart } from './likely-server-ports.js';
import { SegmentStore } from './segment-store.js';
import { SlotQueue } from './slot-queue.js';
import { seqBetween, seqDiff, seqGeq, seqGt, seqLeq, seqLt } from './sequence-number.js';
import { newZeekSession } from './zeek-session.js';

export interface TrackerOptions {
  /** Seconds an endpoint stays in TIME_WAIT before CLOSED (Linux: 60). */
  timeWait: number;
  /** Seconds before an orphaned FIN_WAIT_2 endpoint disappears (Linux tcp_fin_timeout: 60). */
  finTimeout: number;
  /** Keep a compact per-segment store (TUI, diagrams). */
  keepSegments?: boolean;
  /**
   * Bound on connections held in memory. When a new connection would exceed it, the oldest
   * finished connection (both endpoints CLOSED or TIME_WAIT) or unanswered attempt (a SYN nobody
   * answered) is evicted: handed to `onEvict`, counted in `evicted`/`evictedByConnState`, and
   * dropped. When none can be evicted the new 4-tuple is not tracked (`untrackedSegments`).
   */
  maxConnections?: number;
  /** Called with each connection just before eviction (e.g. to write its flow row). The object is
   *  recycled for a later connection once the callback returns: copy what you keep. */
  onEvict?: (conn: Connection) => void;
  /** Seconds after both endpoints are CLOSED before any new segment on the 4-tuple starts a new
   *  connection (default 5, Zeek's tcp_close_delay; late in-flight segments stay with the old one). */
  closeLinger?: number;
  /** Two identical segments of one direction this close in time (µs) are one segment captured twice,
   *  unless link-layer direction or interface tells them apart (default 1000). */
  duplicateWindowUs?: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = { timeWait: 60, finTimeout: 60 };

export class ConnectionTracker {
  /** Per-segment columns when `keepSegments` is set (index = capture-wide segment index). */
  readonly segments: SegmentStore | null;
  /** Segments seen so far (the next segment's index). */
  segmentCount = 0;
  /** Segments not attributed to a connection because `maxConnections` was reached. */
  untrackedSegments = 0;
  /** Connections evicted under `maxConnections`, in total and by Zeek conn_state. */
  evicted = 0;
  readonly evictedByConnState = new Map<string, number>();
  captureStartSec = -1;
  captureStartNsec = 0;
  captureEndSec = -1;
  captureEndNsec = 0;
  finished = false;

  private readonly table = new ConnectionTable();
  /**
   * Connections by slot; the table maps a 4-tuple to slot + 1. Unbounded trackers: slot = id - 1,
   * so this is every connection in id order. Bounded trackers reuse the slots of evicted
   * connections (an array indexed by a small number beats a Map keyed by an ever-growing id).
   */
  private readonly slots: (Connection | undefined)[] = [];
  private readonly bounded: boolean;
  /** Bounded trackers: slots freed by eviction, reused first. */
  private readonly freeSlots: number[] = [];
  private lastId = 0;
  /** Every connection's state changes (each connection holds the ends of its own list). */
  readonly changeLog = new ChangeLog();
  /** Connections currently held (opened minus evicted). */
  private live = 0;
  /** `connections` of a bounded tracker (rebuilt after an open or an eviction). */
  private liveCache: Connection[] | null = null;
  /** Eviction candidates, oldest first: slot and id of each live connection (the id tells a slot
   *  reused since from the connection that was queued). */
  private readonly candidates = new SlotQueue();
  private readonly onEvict: ((conn: Connection) => void) | undefined;
  /** Evicted connections, recycled by `open` (their objects are reused: see `onEvict`). */
  private readonly pool: Connection[] = [];
  private readonly timeWaitNs: number;
  private readonly finTimeoutNs: number;
  private readonly lingerNs: number;
  private readonly dupWindowNs: number;
  /** The bound on connections held (Number.MAX_SAFE_INTEGER when unbounded). */
  readonly maxConnections: number;

  constructor(options: TrackerOptions = DEFAULT_TRACKER_OPTIONS) {
    this.timeWaitNs = Math.round(options.timeWait * 1e9);
    this.finTimeoutNs = Math.round(options.finTimeout * 1e9);
    this.lingerNs = Math.round((options.closeLinger ?? 5) * 1e9);
    this.dupWindowNs = Math.round((options.duplicateWindowUs ?? 1000) * 1e3);
    this.maxConnections = options.maxConnections ?? Number.MAX_SAFE_INTEGER;
    this.onEvict = options.onEvict;
    this.bounded = options.maxConnections !== undefined;
    this.segments = options.keepSegments ? new SegmentStore() : null;
  }

  /** The connections held, in id order (ids have gaps only where connections were evicted). */
  get connections(): Connection[] {
    if (!this.bounded) return this.slots as Connection[];
    if (this.liveCache === null) {
      const live: Connection[] = [];
      for (const c of this.slots) if (c !== undefined) live.push(c);
      live.sort((a, b) => a.id - b.id);
      this.liveCache = live;
    }
    return this.liveCache;
  }

  /** Connections held now. */
  get count(): number {
    return this.live;
  }

  /** Connections opened so far (the highest id), evicted ones included. */
  get opened(): number {
    return this.lastId;
  }

  /** The connection with this id (1-based), or undefined (unknown or evicted). */
  get(id: number): Connection | undefined {
    if (!this.bounded) return this.slots[id - 1];
    const live = this.connections;
    let lo = 0, hi = live.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = live[mid]!;
      if (c.id === id) return c;
      if (c.id < id) lo = mid + 1; else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * Track one segment. Returns the id of the connection it belongs to (the `flow` of
   * `finscope packets`), or 0 when it was not tracked (`maxConnections`).
   */
  add(seg: TcpSegment): number {
    const index = this.segmentCount++;
    const sec = seg.tsSec, nsec = seg.tsNsec;
    if (this.captureStartSec < 0 || sec < this.captureStartSec || (sec === this.captureStartSec && nsec < this.captureStartNsec)) {
      this.captureStartSec = sec; this.captureStartNsec = nsec;
    }
    if (sec > this.captureEndSec || (sec === this.captureEndSec && nsec > this.captureEndNsec)) {
      this.captureEndSec = sec; this.captureEndNsec = nsec;
    }
    const slot1 = this.table.get(seg.src, seg.sport, seg.dst, seg.dport);
    let conn: Connection | undefined;
    let fromFirst = true;
    if (slot1 !== 0) {
      conn = this.slots[slot1 - 1]!;
      fromFirst = seg.src === conn.first.addr && seg.sport === conn.first.port;
      if (conn.orig.timerEvent >= 0 || conn.resp.timerEvent >= 0) this.runTimers(conn, sec, nsec);
      if (this.startsNewConnection(conn, seg, fromFirst, sec, nsec)) conn = undefined;
    }
    if (conn === undefined) {
      if (this.live >= this.maxConnections && !this.evictOne()) {
        this.untrackedSegments++;
        if (this.segments !== null) this.segments.push(sec, nsec, 0, true, seg.flags, seg.seq | 0, seg.ack | 0, seg.window, seg.payloadLength);
        return 0;
      }
      conn = this.open(seg, index);
      fromFirst = true;
      this.table.set(seg.src, seg.sport, seg.dst, seg.dport, conn.slot + 1);
    }
    this.process(conn, seg, fromFirst, index);
    return conn.id;
  }

  /** At capture end: fire the kernel timers that expire by the last segment's time. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.captureEndSec < 0) return;
    for (const conn of this.connections) {
      this.runTimers(conn, this.captureEndSec, this.captureEndNsec);
      this.markAckedUnseen(conn);
    }
  }

  /**
   * The state of one endpoint at any instant: the last recorded change at or before it, plus a
   * kernel timer that would have expired by then (also beyond the capture end).
   */
  stateAt(conn: Connection, endpoint: EndpointRole, tsSec: number, tsNsec: number): TcpState {
    const e = conn.endpoint(endpoint);
    let state = e.initialState;
    const log = this.changeLog, role = roleCode(endpoint);
    for (let r = conn.changeHead; r >= 0; r = log.next(r)) {
      if (log.role(r) !== role) continue;
      const cs = log.tsSec(r);
      if (cs < tsSec || (cs === tsSec && log.tsNsec(r) <= tsNsec)) state = log.to(r);
      else break;
    }
    if (e.timerEvent >= 0 && state === e.state && (tsSec > e.timerSec || (tsSec === e.timerSec && tsNsec >= e.timerNsec))) {
      const next = nextState(state, e.timerEvent);
      if (next >= 0) state = next;
    }
    return STATE_NAMES[state]!;
  }

  /** Capture-wide indices of one connection's segments (needs `keepSegments`). */
  segmentIndices(conn: Connection): number[] {
    const out: number[] = [];
    if (this.segments === null) return out;
    for (let i = conn.storeFirst; i >= 0; i = this.segments.next(i)) out.push(i);
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  private open(seg: TcpSegment, index: number): Connection {
    const flags = seg.flags;
    const pureSyn = (flags & SYN) !== 0 && (flags & (ACK | RST)) === 0;
    const initial = pureSyn ? S_CLOSED : S_UNKNOWN;
    const flip = zeekFlipsAtStart(flags, seg.sport, seg.dport);
    const id = ++this.lastId;
    let conn = this.pool.pop();
    let a: Endpoint, b: Endpoint;
    if (conn !== undefined) {
      // a recycled (evicted) connection: no allocation in a steady SYN flood
      const zeek = conn.zeek;
      a = conn.first;
      b = other(conn, a);
      zeek.reuse(seg.tsSec, seg.tsNsec, flip, flags);
      a.reuse(seg.src, seg.sport, initial, flip ? zeek.resp : zeek.orig);
      b.reuse(seg.dst, seg.dport, initial, flip ? zeek.orig : zeek.resp);
      conn.reuse(id, a, b, zeek, seg.tsSec, seg.tsNsec, index, seg.ipVersion);
    } else {
      // literal-built objects (not `new`): V8 then allocates them directly in the old generation
      const zeek = newZeekSession(seg.tsSec, seg.tsNsec, flip, flags);
      a = newEndpoint(seg.src, seg.sport, initial, flip ? zeek.resp : zeek.orig);
      b = newEndpoint(seg.dst, seg.dport, initial, flip ? zeek.orig : zeek.resp);
      conn = newConnection(id, a, b, zeek, seg.tsSec, seg.tsNsec, index, seg.ipVersion);
    }
    conn.log = this.changeLog;
    if (flip) {
      conn.orig = b;
      conn.resp = a;
    }
    if (!this.bounded || this.freeSlots.length === 0) {
      conn.slot = this.slots.length;
      this.slots.push(conn);
    } else {
      conn.slot = this.freeSlots.pop()!;
      this.slots[conn.slot] = conn;
    }
    this.live++;
    this.liveCache = null;
    if (this.bounded) {
      this.candidates.push(conn.slot, id);
    }
    return conn;
  }

  /**
   * Make room under `maxConnections`: evict the oldest finished connection or unanswered attempt.
   * Live connections met on the way go to the back of the queue; at most 64 are examined, so a
   * table full of live connections costs little before the new one is refused.
   */
  private evictOne(): boolean {
    const q = this.candidates;
    for (let examined = 0; examined < 64 && q.shift(); examined++) {
      const slot = q.slot, id = q.id;
      const conn = this.slots[slot];
      if (conn === undefined || conn.id !== id) continue;
      if (isEvictable(conn)) {
        this.evict(conn);
        return true;
      }
      q.push(slot, id);
    }
    return false;
  }

  private evict(conn: Connection): void {
    this.onEvict?.(conn);
    this.changeLog.clear(conn);
    const state = conn.connState;
    this.evictedByConnState.set(state, (this.evictedByConnState.get(state) ?? 0) + 1);
    this.evicted++;
    this.table.delete(conn.first.addr, conn.first.port, other(conn, conn.first).addr, other(conn, conn.first).port, conn.slot + 1);
    this.slots[conn.slot] = undefined;
    this.freeSlots.push(conn.slot);
    this.live--;
    this.liveCache = null;
    this.pool.push(conn);
  }

  private startsNewConnection(conn: Connection, seg: TcpSegment, fromFirst: boolean, sec: number, nsec: number): boolean {
    const s = fromFirst ? conn.first : other(conn, conn.first);
    const r = other(conn, s);
    const flags = seg.flags;
    if ((flags & SYN) !== 0 && (flags & (ACK | RST)) === 0) {
      if (conn.rstAccepted) return true;                   // the old connection was reset
      if (s.sentPureSyn) return (seg.seq | 0) !== s.isn32; // same ISN: a retransmission; else a new attempt
      if (s.sentSynAck) return true;                       // the former responder now opens: a new connection
      if (r.sentPureSyn && !r.sentSynAck && s.packets === 0) return false; // simultaneous open
      if (s.finSent || r.finSent) return true;             // the old connection was closing or closed
      if (s.state === S_CLOSED && r.state === S_CLOSED) return true;
      if (!s.sawSyn && !r.sawSyn) return true;             // seen only mid-flow; a SYN means a new one
      return false;
    }
    if (conn.orig.state === S_CLOSED && conn.resp.state === S_CLOSED) {
      const ns = (sec - conn.lastTsSec) * 1e9 + (nsec - conn.lastTsNsec);
      if (ns > this.lingerNs) return true;
    }
    return false;
  }

  private process(conn: Connection, seg: TcpSegment, fromFirst: boolean, index: number): void {
    const s = fromFirst ? conn.first : other(conn, conn.first);
    const r = other(conn, s);
    const sec = seg.tsSec, nsec = seg.tsNsec;
    // The latest time seen, not the last segment's: a capture whose clock steps back (merged or
    // reordered records) must not give a negative duration.
    if (sec > conn.lastTsSec || (sec === conn.lastTsSec && nsec > conn.lastTsNsec)) {
      conn.lastTsSec = sec;
      conn.lastTsNsec = nsec;
    }
    conn.lastSegment = index;
    conn.segmentCount++;
    s.packets++;
    s.payloadBytes += seg.payloadLength;
    if (s.firstTsSec < 0) { s.firstTsSec = sec; s.firstTsNsec = nsec; }
    s.lastTsSec = sec;
    s.lastTsNsec = nsec;
    if (this.segments !== null) {
      const i = this.segments.push(sec, nsec, conn.id, fromFirst, seg.flags, seg.seq | 0, seg.ack | 0, seg.window, seg.payloadLength);
      if (conn.storeLast >= 0) this.segments.link(conn.storeLast, i); else conn.storeFirst = i;
      conn.storeLast = i;
    }
    const dup = this.isDuplicate(s, seg);
    // Zeek sees both copies of a duplicated segment (its 't' letters count them); so does ConnSize.
    const zeekFromOrig = s.z === conn.zeek.orig;
    conn.zeek.process(zeekFromOrig, seg.flags, seg.seq | 0, seg.ack | 0, seg.payloadLength, seg.window, seg.truncated, sec, nsec);
    if (conn.orig.z !== conn.zeek.orig) this.flip(conn);
    this.rememberPrevious(s, seg);
    if (dup) {
      s.duplicates++;
      return; // a second copy carries no new evidence
    }
    const occupies = seg.payloadLength + ((seg.flags & SYN) !== 0 ? 1 : 0) + ((seg.flags & FIN) !== 0 ? 1 : 0);
    if (occupies > 0 && (seg.flags & RST) === 0) {
      const end = ((seg.seq | 0) + occupies) | 0;
      if (!s.dataKnown || seqGt(end, s.dataNxt32)) {
        s.dataKnown = true;
        s.dataNxt32 = end;
      }
    }
    this.applySegment(conn, s, r, seg, index);
  }

  /**
   * Never guess across lost segments, at capture end:
   * - 'acked-unseen': one side's peer acknowledged bytes the capture never showed, at the end of
   *   that side's sequence space and with no FIN seen from it: those bytes may have carried its FIN.
   *   Its own state if it had not closed (ESTABLISHED, CLOSE_WAIT) and the peer's if it was waiting
   *   for that FIN (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2) cannot be told.
   * Those states become UNKNOWN, recorded as a change at capture end with the reason.
   */
  private markAckedUnseen(conn: Connection): void {
    const lost: Endpoint[] = [];
    for (const x of [conn.orig, conn.resp]) {
      const peer = other(conn, x);
      if (x.finSent || !x.dataKnown || !peer.ackKnown || !seqGt(peer.ackSent32, x.dataNxt32)) continue;
      x.ackedUnseen = seqDiff(peer.ackSent32, x.dataNxt32);
      if (x.state === S_ESTABLISHED || x.state === S_CLOSE_WAIT) lost.push(x);
      if (peer.state === S_ESTABLISHED || peer.state === S_FIN_WAIT_1 || peer.state === S_FIN_WAIT_2) lost.push(peer);
    }
    for (const e of lost) {
      if (e.state === S_UNKNOWN) continue;
      e.lastChange = this.changeLog.append(conn, roleCode(conn.roleOf(e)), e.state, S_UNKNOWN, R_ACKED_UNSEEN, -1,
        this.captureEndSec, this.captureEndNsec);
      e.state = S_UNKNOWN;
      e.timerEvent = -1;
    }
  }

  /** The same segment captured twice: same direction and fields, a tiny time apart. */
  private isDuplicate(s: Endpoint, seg: TcpSegment): boolean {
    if (!s.prevValid) return false;
    if ((seg.seq | 0) !== s.prevSeq || (seg.ack | 0) !== s.prevAck || seg.flags !== s.prevFlags || seg.payloadLength !== s.prevLen
      || seg.window !== s.prevWin) return false;
    if (seg.hasTimestamps !== s.prevHasTs || (seg.hasTimestamps && (seg.tsVal | 0) !== s.prevTsVal)) return false;
    if (sackKey(seg) !== s.prevSack) return false;
    let dt = (seg.tsSec - s.prevSec) * 1e9 + (seg.tsNsec - s.prevNsec);
    if (dt < 0) dt = -dt;
    if (dt > this.dupWindowNs) return false;
    // When the link layer tells the copies apart (SLL "Out" and "In", two interfaces), use it.
    if (seg.direction >= 0 && s.prevDirection >= 0 && seg.interfaceId === s.prevInterface) return seg.direction !== s.prevDirection;
    return true;
  }

  private rememberPrevious(s: Endpoint, seg: TcpSegment): void {
    s.prevValid = true;
    s.prevSeq = seg.seq | 0;
    s.prevAck = seg.ack | 0;
    s.prevFlags = seg.flags;
    s.prevLen = seg.payloadLength;
    s.prevWin = seg.window;
    s.prevTsVal = seg.tsVal | 0;
    s.prevHasTs = seg.hasTimestamps;
    s.prevSack = sackKey(seg);
    s.prevSec = seg.tsSec;
    s.prevNsec = seg.tsNsec;
    s.prevDirection = seg.direction;
    s.prevInterface = seg.interfaceId;
  }

  /** Our roles follow Zeek's: swap orig/resp and relabel what was recorded so far. */
  private flip(conn: Connection): void {
    const t = conn.orig;
    conn.orig = conn.resp;
    conn.resp = t;
    this.changeLog.flipRoles(conn);
    if (conn.firstFin !== null) conn.firstFin = conn.firstFin === 'orig' ? 'resp' : 'orig';
  }

  // ---- the RFC 9293 view ----

  private applySegment(conn: Connection, s: Endpoint, r: Endpoint, seg: TcpSegment, index: number): void {
    const flags = seg.flags;
    const sec = seg.tsSec, nsec = seg.tsNsec;
    if ((flags & RST) !== 0) {
      this.onRst(conn, s, r, seg, index);
      return;
    }
    this.trackWindow(s, seg, index);
    if ((flags & SYN) !== 0) {
      this.onSyn(conn, s, r, seg, index);
      return;
    }
    const len = seg.payloadLength;
    const seq = seg.seq | 0;
    if (!s.seqKnown) {
      s.seqKnown = true;
      s.sndNxt32 = seq;
    }
    if ((flags & ACK) !== 0) this.onAck(conn, s, r, seg, index);
    if (len > 0) {
      const end = (seq + len) | 0;
      if (seqLeq(end, s.sndNxt32)) {
        // nothing new: a retransmission, or a 1-byte keep-alive probe (seq = sndNxt - 1)
        if (len === 1 && seq === ((s.sndNxt32 - 1) | 0) && (flags & FIN) === 0) s.keepAlives++;
        else s.retransmissions++;
      } else {
        if (seqLt(seq, s.sndNxt32)) {
          s.retransmissions++; // partly old data
          s.uniqueBytes += seqDiff(end, s.sndNxt32);
        } else {
          s.uniqueBytes += len;
        }
        s.sndNxt32 = end;
        s.lastDataTsSec = sec;
        s.lastDataTsNsec = nsec;
        s.lastDataSegment = index;
      }
    } else if ((flags & FIN) === 0) {
      if ((flags & ACK) !== 0 && seq === ((s.sndNxt32 - 1) | 0)) s.keepAlives++; // keep-alive probe
      else if (seqGt(seq, s.sndNxt32)) s.sndNxt32 = seq; // data we did not capture was sent before
    }
    if ((flags & FIN) !== 0) {
      this.onFin(conn, s, r, seg, index);
    } else if (((flags & ACK) !== 0 || len > 0) && (s.state === S_UNKNOWN || s.state === S_SYN_SENT || s.state === S_SYN_RECEIVED)) {
      // an ACK-bearing segment proves the sender is synchronized
      this.event(conn, s, len > 0 ? E_SEND_DATA : E_SEND_ACK, index, sec, nsec);
    }
  }

  private trackWindow(s: Endpoint, seg: TcpSegment, index: number): void {
    const raw = seg.window;
    if (raw === 0) {
      s.zeroWindows++;
      if (s.zeroWindowFirstSegment < 0) {
        s.zeroWindowFirstSegment = index;
        s.zeroWindowFirstTsSec = seg.tsSec;
        s.zeroWindowFirstTsNsec = seg.tsNsec;
      }
      s.zeroWindowLastSegment = index;
    }
    if ((seg.flags & SYN) !== 0) {
      if (s.synWindow < 0) s.synWindow = raw;
      s.windowLast = raw; // never scaled
      return;
    }
    const bytes = s.wscale > 0 ? raw * (1 << s.wscale) : raw;
    s.windowLast = bytes;
    if (s.windowMin < 0 || bytes < s.windowMin) s.windowMin = bytes;
    if (bytes > s.windowMax) s.windowMax = bytes;
  }

  private onSyn(conn: Connection, s: Endpoint, r: Endpoint, seg: TcpSegment, index: number): void {
    const flags = seg.flags;
    const isAck = (flags & ACK) !== 0;
    const sec = seg.tsSec, nsec = seg.tsNsec;
    if (seg.windowScale >= 0 || !s.sawSyn) s.wscaleOffered = seg.windowScale;
    const seq = seg.seq | 0, ack = seg.ack | 0;
    if (s.sawSyn && seq === s.isn32 && (isAck ? s.sentSynAck : s.sentPureSyn)) {
      s.retransmissions++;
      s.synRetransmissions++;
      // A SYN+ACK sent again after the peer's handshake ACK: that ACK never completed the
      // handshake (Linux drops it when the accept queue is full). Take back the ESTABLISHED it
      // was credited with; from now on only the responder's own segments can establish it.
      if (isAck && s.state === S_ESTABLISHED && !s.finSent && s.uniqueBytes === 0 && s.lastChange >= 0) {
        const log = this.changeLog, last = s.lastChange;
        if (log.from(last) === S_SYN_RECEIVED && log.to(last) === S_ESTABLISHED && log.segment(last) >= 0) {
          log.remove(conn, last);
          s.state = S_SYN_RECEIVED;
          this.reindex(conn);
        }
      }
      if (isAck) s.peerAckIgnored = true;
      return;
    }
    s.sawSyn = true;
    s.isn32 = seq;
    if (isAck) s.sentSynAck = true; else s.sentPureSyn = true;
    const end = (seq + 1 + seg.payloadLength) | 0;
    if (!s.seqKnown || seqGt(end, s.sndNxt32)) {
      if (seg.payloadLength > 0) {
        s.uniqueBytes += seg.payloadLength; // data on a SYN (TCP Fast Open)
        s.lastDataTsSec = sec; s.lastDataTsNsec = nsec; s.lastDataSegment = index;
      }
      s.seqKnown = true;
      s.sndNxt32 = end;
    }
    if (!isAck) {
      this.event(conn, s, E_SEND_SYN, index, sec, nsec);
      this.event(conn, r, E_RECV_SYN, index, sec, nsec);
      return;
    }
    this.event(conn, s, E_SEND_SYN_ACK, index, sec, nsec);
    // the SYN+ACK completes the receiver's open only if it acknowledges the receiver's SYN
    if (!r.sawSyn || ack === ((r.isn32 + 1) | 0)) this.event(conn, r, E_RECV_SYN_ACK, index, sec, nsec);
    if (!s.ackKnown || seqGt(ack, s.ackSent32)) {
      s.ackKnown = true;
      s.ackSent32 = ack;
    }
    // RFC 7323: scaling applies only when both SYNs offered it
    if (r.wscaleOffered >= 0 && s.wscaleOffered >= 0) {
      r.wscale = Math.min(r.wscaleOffered, 14);
      s.wscale = Math.min(s.wscaleOffered, 14);
    } else {
      r.wscale = 0;
      s.wscale = 0;
    }
  }

  private onAck(conn: Connection, s: Endpoint, r: Endpoint, seg: TcpSegment, index: number): void {
    const ack = seg.ack | 0;
    const sec = seg.tsSec, nsec = seg.tsNsec;
    if (r.state === S_SYN_RECEIVED && r.sawSyn && !r.peerAckIgnored && seqGeq(ack, (r.isn32 + 1) | 0)) {
      this.event(conn, r, E_SYN_ACKED, index, sec, nsec);
    }
    if (r.finSent && !r.finAcked && seqGeq(ack, (r.finSeq32 + 1) | 0)) {
      if (r.crossedFin && r.state === S_LAST_ACK && r.crossedFinChange === r.lastChange) this.rewriteCrossedClose(conn, r);
      r.finAcked = true;
      r.finAckedSegment = index;
      r.finAckedTsSec = sec;
      r.finAckedTsNsec = nsec;
      this.event(conn, r, E_FIN_ACKED, index, sec, nsec);
    }
    if (!s.ackKnown || seqGt(ack, s.ackSent32)) {
      // Did this ACK take in new peer data (not just the SYN or FIN octet)?
      let point = ack;
      if (r.finSent && seqGt(point, r.finSeq32)) point = r.finSeq32;
      const base = s.ackKnown ? s.ackSent32 : (r.sawSyn ? (r.isn32 + 1) | 0 : point);
      const tookData = seqGt(point, base);
      s.ackKnown = true;
      s.ackSent32 = ack;
      if (tookData) {
        s.lastAckAdvanceTsSec = sec;
        s.lastAckAdvanceTsNsec = nsec;
        s.lastAckAdvanceSegment = index;
        // Accepting data after its own FIN: half-closed by shutdown(), not closed. Linux resets
        // data that reaches an orphaned (closed) socket, so tcp_fin_timeout does not apply.
        if (s.finSent) {
          s.notOrphan = true;
          if (s.timerEvent === E_FIN_TIMEOUT) s.timerEvent = -1;
        }
      }
    }
  }

  private onFin(conn: Connection, s: Endpoint, r: Endpoint, seg: TcpSegment, index: number): void {
    const sec = seg.tsSec, nsec = seg.tsNsec;
    const finSeq = ((seg.seq | 0) + seg.payloadLength) | 0;
    if (s.finSent) {
      if (finSeq === s.finSeq32) {
        s.finRetransmissions++;
        if (seg.payloadLength === 0) s.retransmissions++;
        // a retransmitted FIN re-arms the receiver's TIME_WAIT (it ACKs again and waits 2MSL)
        if (r.state === S_TIME_WAIT) this.armTimer(r, E_TIME_WAIT_EXPIRED, sec, nsec, this.timeWaitNs);
      }
      return; // not a new event
    }
    s.finSent = true;
    s.finSeq32 = finSeq;
    s.finSegment = index;
    s.finTsSec = sec;
    s.finTsNsec = nsec;
    if (!s.seqKnown || seqGt((finSeq + 1) | 0, s.sndNxt32)) {
      s.seqKnown = true;
      s.sndNxt32 = (finSeq + 1) | 0;
    }
    if (conn.firstFin === null) conn.firstFin = conn.roleOf(s);
    r.windowAtPeerFin = r.windowLast;
    r.lastDataAtPeerFinTsSec = r.lastDataTsSec;
    r.lastDataAtPeerFinTsNsec = r.lastDataTsNsec;
    // A FIN that does not acknowledge the peer's earlier FIN may have crossed it (simultaneous
    // close). That is only concluded once the peer acknowledges this FIN (see onAck); until then
    // this side is taken to answer the peer's FIN (CLOSE_WAIT → LAST_ACK), as Suricata does.
    const acksPeerFin = (seg.flags & ACK) !== 0 && r.finSent && seqGeq(seg.ack | 0, (r.finSeq32 + 1) | 0);
    const mayHaveCrossed = s.state === S_CLOSE_WAIT && r.finSent && !acksPeerFin && s.closeWaitChange >= 0
      && s.closeWaitChange === s.lastChange;
    this.event(conn, s, E_SEND_FIN, index, sec, nsec);
    if (mayHaveCrossed && s.state === S_LAST_ACK) {
      s.crossedFin = true;
      s.crossedFinChange = s.lastChange;
    }
    this.event(conn, r, E_RECV_FIN, index, sec, nsec);
  }

  /**
   * The peer has just acknowledged `e`'s FIN, and that FIN had crossed the peer's FIN: `e` sent
   * it from ESTABLISHED (FIN_WAIT_1) and received the peer's FIN afterwards (CLOSING), RFC 9293
   * §3.6 case 2. Rewrite the two changes recorded on the "answer" assumption.
   */
  private rewriteCrossedClose(conn: Connection, e: Endpoint): void {
    const log = this.changeLog;
    const lastAck = e.crossedFinChange, closeWait = e.closeWaitChange;
    const before = log.from(closeWait);
    log.remove(conn, closeWait);
    log.rewrite(lastAck, before, S_FIN_WAIT_1, R_SIMULTANEOUS_CLOSE);
    log.insertAfter(conn, lastAck, log.role(lastAck), S_FIN_WAIT_1, S_CLOSING, R_SIMULTANEOUS_CLOSE, log.segment(lastAck),
      log.tsSec(lastAck), log.tsNsec(lastAck));
    e.state = S_CLOSING;
    e.crossedFin = false;
    this.reindex(conn);
  }

  /** Recompute the change-list bookmarks of both endpoints after an edit of the list. */
  private reindex(conn: Connection): void {
    const log = this.changeLog;
    for (const e of [conn.orig, conn.resp]) {
      const role = roleCode(conn.roleOf(e));
      e.lastChange = -1;
      e.closeWaitChange = -1;
      for (let r = conn.changeHead; r >= 0; r = log.next(r)) {
        if (log.role(r) !== role) continue;
        e.lastChange = r;
        if (log.to(r) === S_CLOSE_WAIT) e.closeWaitChange = r;
      }
      e.crossedFinChange = e.crossedFin ? e.lastChange : -1;
    }
  }

  private onRst(conn: Connection, s: Endpoint, r: Endpoint, seg: TcpSegment, index: number): void {
    if (!rstAcceptable(s, r, seg)) {
      s.rstOutOfWindow++; // proves nothing about either socket (RFC 5961): no state change
      return;
    }
    const sec = seg.tsSec, nsec = seg.tsNsec;
    conn.rstAccepted = true;
    if (s.rstSegment < 0) {
      s.rstSegment = index;
      s.rstTsSec = sec;
      s.rstTsNsec = nsec;
    }
    this.event(conn, s, E_SEND_RST, index, sec, nsec);
    this.event(conn, r, E_RECV_RST, index, sec, nsec);
  }

  // ---- state changes and timers ----

  private event(conn: Connection, e: Endpoint, ev: number, segment: number, sec: number, nsec: number, reason = R_NONE): void {
    const next = nextState(e.state, ev);
    if (next < 0 || next === e.state) return;
    const r = this.changeLog.append(conn, roleCode(conn.roleOf(e)), e.state, next, reason, segment, sec, nsec);
    e.lastChange = r;
    if (next === S_CLOSE_WAIT) e.closeWaitChange = r;
    e.state = next;
    e.timerEvent = -1;
    if (next === S_TIME_WAIT) this.armTimer(e, E_TIME_WAIT_EXPIRED, sec, nsec, this.timeWaitNs);
    else if (next === S_FIN_WAIT_2 && !e.notOrphan) this.armTimer(e, E_FIN_TIMEOUT, sec, nsec, this.finTimeoutNs);
  }

  private armTimer(e: Endpoint, ev: number, sec: number, nsec: number, ns: number): void {
    let tn = nsec + ns;
    const carry = Math.floor(tn / 1e9);
    tn -= carry * 1e9;
    e.timerEvent = ev;
    e.timerSec = sec + carry;
    e.timerNsec = tn;
  }

  /** Fire the timers of both endpoints that expire at or before (sec, nsec), earliest first. */
  private runTimers(conn: Connection, sec: number, nsec: number): void {
    const a = conn.orig, b = conn.resp;
    const aDue = a.timerEvent >= 0 && (a.timerSec < sec || (a.timerSec === sec && a.timerNsec <= nsec));
    const bDue = b.timerEvent >= 0 && (b.timerSec < sec || (b.timerSec === sec && b.timerNsec <= nsec));
    if (!aDue && !bDue) return;
    if (aDue && bDue && (b.timerSec < a.timerSec || (b.timerSec === a.timerSec && b.timerNsec < a.timerNsec))) {
      this.fire(conn, b);
      this.fire(conn, a);
    } else {
      if (aDue) this.fire(conn, a);
      if (bDue) this.fire(conn, b);
    }
  }

  private fire(conn: Connection, e: Endpoint): void {
    const ev = e.timerEvent;
    const tsSec = e.timerSec, tsNsec = e.timerNsec;
    e.timerEvent = -1;
    this.event(conn, e, ev, -1, tsSec, tsNsec, ev === E_TIME_WAIT_EXPIRED ? R_TIME_WAIT_EXPIRED : R_FIN_TIMEOUT);
  }
}

/** Finished (both endpoints CLOSED or TIME_WAIT), or a SYN nobody answered. */
function isEvictable(conn: Connection): boolean {
  const a = conn.orig.state, b = conn.resp.state;
  if ((a === S_CLOSED || a === S_TIME_WAIT) && (b === S_CLOSED || b === S_TIME_WAIT)) return true;
  const first = conn.first, second = other(conn, first);
  return first.sentPureSyn && second.packets === 0 && first.state === S_SYN_SENT;
}

function other(conn: Connection, e: Endpoint): Endpoint {
  return e === conn.orig ? conn.resp : conn.orig;
}

function sackKey(seg: TcpSegment): number {
  if (seg.sackCount === 0) return 0;
  return (seg.sackEdges[0]! ^ seg.sackEdges[1]! ^ seg.sackCount) | 0;
}

/**
 * RFC 5961-style acceptance of an RST by its receiver: in SYN_SENT the RST must acknowledge our
 * SYN; otherwise its sequence number must fall in the receiver's window
 * [rcv_nxt - 1, rcv_nxt + window], with rcv_nxt known from the receiver's own ACKs or from what the
 * sender sent. With nothing known about either, it is accepted.
 */
function rstAcceptable(s: Endpoint, r: Endpoint, seg: TcpSegment): boolean {
  if (r.state === S_SYN_SENT) {
    return (seg.flags & ACK) !== 0 && r.sawSyn && (seg.ack | 0) === ((r.isn32 + 1) | 0);
  }
  if (r.state === S_CLOSED || (r.state === S_UNKNOWN && !r.ackKnown && !s.seqKnown)) return true;
  let lo = 0, hi = 0, have = false;
  if (r.ackKnown) {
    lo = hi = r.ackSent32;
    have = true;
  }
  if (s.seqKnown) {
    if (!have) {
      lo = hi = s.sndNxt32;
      have = true;
    } else {
      if (seqLt(s.sndNxt32, lo)) lo = s.sndNxt32;
      if (seqGt(s.sndNxt32, hi)) hi = s.sndNxt32;
    }
  }
  if (!have) return true;
  const win = r.windowLast > 0 ? r.windowLast : 1;
  return seqBetween(seg.seq | 0, (lo - 1) | 0, (hi + win) | 0);
}

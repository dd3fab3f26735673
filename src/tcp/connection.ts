// TCP tracking: the Connection and Endpoint records the tracker fills in (one object each per
// connection, never per segment). Their state changes, the evidence the findings, TUI and diagrams
// cite, are records of the tracker's change log (change-log.ts).

import type { ChangeList, ChangeLog, EndpointRole, StateChange } from './change-log.js';
import { STATE_NAMES, type TcpState } from './endpoint-state.js';
import { Template } from './field-copier.js';
import { ZeekEndpoint, ZeekSession } from './zeek-session.js';

export type { EndpointRole, StateChange } from './change-log.js';

/**
 * One side of a connection. Numbers only, so that a connection costs a fixed amount of memory no
 * matter how many segments it carries. Times are (seconds, nanoseconds) pairs; -1 seconds = never.
 */
export class Endpoint {
  addr!: number;
  port!: number;
  /** RFC 9293 state code (see endpoint-state.ts); `stateName` for the text. */
  state!: number;
  initialState!: number;
  /** The endpoint's yes/no facts (sawSyn, finSent, ... : FLAG_NAMES), one bit each, read and written
   *  through accessors: one field instead of thirteen, 96 bytes less per endpoint (a capture of
   *  short connections holds hundreds of thousands). */
  bits = 0;

  // --- sequence space ---
  // The *32 fields hold sequence numbers as signed 32-bit values (`x | 0`) so that they stay small
  // integers in the engine; the getters below give them as on the wire (unsigned).
  /** A SYN (or SYN+ACK) from this side was seen; `isn` holds its sequence number. */
  declare sawSyn: boolean;
  /** ISN as a signed 32-bit value (see `isn` for the wire value). */
  isn32 = 0;
  /** Which kind of SYN this side sent: a plain SYN (active open), a SYN+ACK (answer), or both
   *  (simultaneous open). */
  declare sentPureSyn: boolean;
  declare sentSynAck: boolean;
  /** This side re-sent its SYN+ACK after the peer's ACK: the peer's ACKs no longer establish it. */
  declare peerAckIgnored: boolean;
  /** sndNxt: one past the highest sequence number this side has sent (SYN and FIN count). */
  declare seqKnown: boolean;
  sndNxt32 = 0;
  /** The highest acknowledgement number this side has sent (its rcv_nxt as the wire shows it). */
  declare ackKnown: boolean;
  ackSent32 = 0;

  // --- FIN / RST evidence ---
  declare finSent: boolean;
  /** Sequence number of the FIN itself (FIN segment seq + payload length), signed 32-bit. */
  finSeq32 = 0;
  finSegment = -1;
  finTsSec = -1;
  finTsNsec = 0;
  /** The peer acknowledged this side's FIN (ack >= finSeq + 1). */
  declare finAcked: boolean;
  finAckedSegment = -1;
  finAckedTsSec = -1;
  finAckedTsNsec = 0;
  /** The first acceptable RST this side sent. */
  rstSegment = -1;
  rstTsSec = -1;
  rstTsNsec = 0;

  // --- windows (bytes; scaled when the scale is known) ---
  /** Window scale this side offered in its SYN (-1: none or not seen). */
  wscaleOffered = -1;
  /** Shift applied to this side's windows: -1 unknown (no handshake seen), else 0..14. */
  wscale = -1;
  windowLast = -1;
  windowMin = -1;
  windowMax = -1;
  /** This side's advertised window just before the peer's FIN arrived (-1: unknown). */
  windowAtPeerFin = -1;
  /** Raw window of this side's first SYN or SYN+ACK (never scaled): the receive window before any data (-1). */
  synWindow = -1;
  /** lastDataTs* as it was when the peer's FIN arrived (-1: no peer FIN, or no data before it). */
  lastDataAtPeerFinTsSec = -1;
  lastDataAtPeerFinTsNsec = 0;

  // --- counters ---
  packets = 0;
  /** Sum of TCP payload lengths of every segment this side sent (retransmissions included). */
  payloadBytes = 0;
  /** New payload bytes (sequence space advanced by data), retransmissions excluded. */
  uniqueBytes = 0;
  retransmissions = 0;
  synRetransmissions = 0;
  finRetransmissions = 0;
  zeroWindows = 0;
  zeroWindowFirstSegment = -1;
  zeroWindowFirstTsSec = -1;
  zeroWindowFirstTsNsec = 0;
  zeroWindowLastSegment = -1;
  keepAlives = 0;
  /** The same segment captured twice (e.g. `-i any` on loopback). */
  duplicates = 0;
  /** RSTs from this side that failed the receiver's window check (ignored as evidence). */
  rstOutOfWindow = 0;
  /** One past the last sequence number this side was seen to occupy with payload, SYN or FIN
   *  (pure ACKs move sndNxt, not this), and whether any was seen. */
  dataNxt32 = 0;
  declare dataKnown: boolean;
  /** Bytes of this side that the peer acknowledged but the capture never showed, when they end
   *  its sequence space at capture end (its last segments, perhaps its FIN, were lost): 0 = none.
   *  The states such a loss could change are reported UNKNOWN (reason 'acked-unseen'). */
  ackedUnseen = 0;

  // --- times ---
  firstTsSec = -1;
  firstTsNsec = 0;
  lastTsSec = -1;
  lastTsNsec = 0;
  /** Last segment carrying new payload (retransmissions excluded). */
  lastDataTsSec = -1;
  lastDataTsNsec = 0;
  lastDataSegment = -1;
  /** Last time this side's ACK acknowledged new peer data (it received and acknowledged it). */
  lastAckAdvanceTsSec = -1;
  lastAckAdvanceTsNsec = 0;
  lastAckAdvanceSegment = -1;

  // --- previous segment of this side (duplicate detection) ---
  declare prevValid: boolean;
  prevSeq = 0;
  prevAck = 0;
  prevFlags = 0;
  prevLen = 0;
  prevWin = 0;
  declare prevHasTs: boolean;
  prevTsVal = 0;
  prevSack = 0;
  prevSec = 0;
  prevNsec = 0;
  prevDirection = -1;
  prevInterface = -1;

  // --- kernel timers the wire cannot show ---
  /** Pending timer event (E_TIME_WAIT_EXPIRED / E_FIN_TIMEOUT) or -1, and its deadline. */
  timerEvent = -1;
  timerSec = 0;
  timerNsec = 0;
  /** Seen accepting new data after its FIN: half-closed by shutdown(), not orphaned. */
  declare notOrphan: boolean;
  /** The change that put this side in CLOSE_WAIT: a record of the tracker's ChangeLog (-1: none). */
  closeWaitChange = -1;
  /** This side's latest change: a ChangeLog record (-1: none). */
  lastChange = -1;
  /** This side's FIN did not acknowledge the peer's FIN: it may have crossed it (see the tracker). */
  declare crossedFin: boolean;
  crossedFinChange = -1;

  /** Zeek's view of this side. */
  z!: ZeekEndpoint;

  constructor(addr: number, port: number, state: number, z: ZeekEndpoint) {
    this.begin(addr, port, state, z);
  }

  /** Recycle this object for a new connection (bounded trackers): every field as when new. */
  reuse(addr: number, port: number, state: number, z: ZeekEndpoint): void {
    ENDPOINT.reset(this);
    this.begin(addr, port, state, z);
  }

  /** The fields an endpoint starts from (constructor, reuse and newEndpoint alike). */
  begin(addr: number, port: number, state: number, z: ZeekEndpoint): void {
    this.addr = addr;
    this.port = port;
    this.state = state;
    this.initialState = state;
    this.z = z;
  }

  /** Initial sequence number (valid when `sawSyn`), as on the wire. */
  get isn(): number {
    return this.isn32 >>> 0;
  }

  /** One past the highest sequence number sent (valid when `seqKnown`), as on the wire. */
  get sndNxt(): number {
    return this.sndNxt32 >>> 0;
  }

  /** Highest acknowledgement number sent (valid when `ackKnown`), as on the wire. */
  get ackSent(): number {
    return this.ackSent32 >>> 0;
  }

  /** Sequence number of the FIN (valid when `finSent`), as on the wire. */
  get finSeq(): number {
    return this.finSeq32 >>> 0;
  }

  get stateName(): TcpState {
    return STATE_NAMES[this.state]!;
  }
}

/** The endpoint's flags, each an accessor over one bit of `bits` (in this order). */
const FLAG_NAMES = [
  'sawSyn', 'sentPureSyn', 'sentSynAck', 'peerAckIgnored', 'seqKnown', 'ackKnown', 'finSent', 'finAcked', 'dataKnown',
  'prevValid', 'prevHasTs', 'notOrphan', 'crossedFin',
] as const satisfies readonly (keyof Endpoint)[];
FLAG_NAMES.forEach((name, bit) => {
  const mask = 1 << bit;
  Object.defineProperty(Endpoint.prototype, name, {
    get(this: Endpoint): boolean {
      return (this.bits & mask) !== 0;
    },
    set(this: Endpoint, on: boolean): void {
      this.bits = on ? this.bits | mask : this.bits & ~mask;
    },
    enumerable: false,
    configurable: false,
  });
});

/** A rebuilt TCP connection: both endpoints, their state changes and Zeek's summary of it. */
export class Connection implements ChangeList {
  /** 1-based, in order of the connection's first segment. */
  id!: number;
  /** Originator and responder, as Zeek would name them (the roles may flip early on). */
  orig!: Endpoint;
  resp!: Endpoint;
  /** The side that sent the first segment (fixed; used by the segment store). */
  first!: Endpoint;
  firstTsSec!: number;
  firstTsNsec!: number;
  lastTsSec!: number;
  lastTsNsec!: number;
  firstSegment!: number;
  lastSegment!: number;
  segmentCount = 0;
  /** First and last record of this connection's state changes in `log` (-1: none yet). */
  changeHead = -1;
  changeTail = -1;
  /** The tracker's change log, which holds the records (null only in the template). */
  log: ChangeLog | null = null;
  /** Which side sent the first FIN (not counting FIN+RST). */
  firstFin: EndpointRole | null = null;
  /** An acceptable RST was seen (the next SYN on this 4-tuple starts a new connection). */
  rstAccepted = false;
  ipVersion!: number;
  /** Zeek's per-endpoint machine, history and roles. */
  zeek!: ZeekSession;
  /** First and last segment in the optional SegmentStore (-1 when not kept). */
  storeFirst = -1;
  storeLast = -1;
  /** The tracker's slot for this connection (its index in the tracker's connection array). */
  slot = -1;

  constructor(id: number, first: Endpoint, second: Endpoint, zeek: ZeekSession, sec: number, nsec: number,
    segment: number, ipVersion: number) {
    this.begin(id, first, second, zeek, sec, nsec, segment, ipVersion);
  }

  /** Recycle this object for a new connection (bounded trackers): every field as when new. */
  reuse(id: number, first: Endpoint, second: Endpoint, zeek: ZeekSession, sec: number, nsec: number,
    segment: number, ipVersion: number): void {
    CONNECTION.reset(this); // the tracker has emptied its change list first
    this.begin(id, first, second, zeek, sec, nsec, segment, ipVersion);
  }

  /** The fields a connection starts from (constructor, reuse and newConnection alike). */
  begin(id: number, first: Endpoint, second: Endpoint, zeek: ZeekSession, sec: number, nsec: number,
    segment: number, ipVersion: number): void {
    this.id = id;
    this.first = first;
    this.orig = first;
    this.resp = second;
    this.zeek = zeek;
    this.firstTsSec = this.lastTsSec = sec;
    this.firstTsNsec = this.lastTsNsec = nsec;
    this.firstSegment = this.lastSegment = segment;
    this.ipVersion = ipVersion;
  }

  /** Every state change of either endpoint, in order (built from the change log on each call). */
  get changes(): StateChange[] {
    return this.log === null ? [] : this.log.toArray(this);
  }

  /** Zeek's conn_state for this connection (at any time; final at capture end). */
  get connState(): string {
    return this.zeek.connState();
  }

  get history(): string {
    return this.zeek.history;
  }

  get origState(): TcpState {
    return STATE_NAMES[this.orig.state]!;
  }

  get respState(): TcpState {
    return STATE_NAMES[this.resp.state]!;
  }

  /** Seconds (float) of the first segment. */
  get ts(): number {
    return this.firstTsSec + this.firstTsNsec / 1e9;
  }

  /** Last segment minus first, in seconds. */
  get duration(): number {
    return (this.lastTsSec - this.firstTsSec) + (this.lastTsNsec - this.firstTsNsec) / 1e9;
  }

  endpoint(role: EndpointRole): Endpoint {
    return role === 'orig' ? this.orig : this.resp;
  }

  roleOf(e: Endpoint): EndpointRole {
    return e === this.orig ? 'orig' : 'resp';
  }

  /** State changes of one endpoint, in order. */
  changesOf(role: EndpointRole): StateChange[] {
    return this.changes.filter((c) => c.endpoint === role);
  }
}

// Fresh instances: `reuse` copies their fields back (so fields added later are reset too), and the
// tracker's objects are built from them by one literal each. The lists name the fields the
// per-segment path touched 0.3 times a segment or more on the bench capture (counted through a
// Proxy), most touched first: they are stored first, so a segment reads fewer cache lines (see
// literalMaker). A field missing from a list still works, only laid out among the cold ones.
const ENDPOINT = new Template(() => new Endpoint(0, 0, 0, new ZeekEndpoint(true)), Endpoint.prototype, [
  'state', 'bits', 'sndNxt32', 'timerEvent', 'z', 'windowMin', 'packets', 'payloadBytes', 'prevSeq', 'wscale',
  'ackSent32', 'prevAck', 'dataNxt32', 'uniqueBytes', 'windowMax',
  'prevFlags', 'firstTsSec', 'prevLen', 'windowLast', 'lastTsSec', 'lastTsNsec', 'prevWin', 'prevTsVal',
  'prevSack', 'prevSec', 'prevNsec', 'prevDirection', 'prevInterface', 'addr', 'lastDataTsSec', 'lastDataTsNsec',
  'lastDataSegment', 'port', 'lastAckAdvanceTsSec', 'lastAckAdvanceTsNsec', 'lastAckAdvanceSegment',
]);
const CONNECTION = new Template(
  () => new Connection(0, ENDPOINT.instance, ENDPOINT.instance, new ZeekSession(0, 0, false, 0), 0, 0, 0, 4),
  Connection.prototype,
  ['orig', 'first', 'zeek', 'resp', 'lastTsSec', 'segmentCount', 'lastTsNsec', 'lastSegment', 'id', 'changeTail'],
);

/**
 * `new Endpoint(...)` for the tracker, built from an object literal so that V8 can allocate the
 * long-lived endpoints of a big capture directly in the old generation (see literalMaker).
 */
export function newEndpoint(addr: number, port: number, state: number, z: ZeekEndpoint): Endpoint {
  const e = ENDPOINT.create();
  e.begin(addr, port, state, z);
  return e;
}

/** `new Connection(...)` for the tracker, built like newEndpoint. */
export function newConnection(id: number, first: Endpoint, second: Endpoint, zeek: ZeekSession, sec: number, nsec: number,
  segment: number, ipVersion: number): Connection {
  const c = CONNECTION.create();
  c.begin(id, first, second, zeek, sec, nsec, segment, ipVersion);
  return c;
}

// Diagnosis input: the per-connection facts the rules read, filled from a tracked Connection.
// Rules never see the engine's own types, so the engine can change shape without touching them;
// one ConnectionFacts is refilled for every connection (no per-connection allocation).

import type { TcpState } from '../analysis/flow-record.js';
import { formatEndpoint } from './finding.js';

/** What one endpoint did, as the capture shows it. Times are epoch seconds (NaN: never);
 *  segment numbers are capture-wide and 0-based (-1: none). */
export class SideFacts {
  peer!: SideFacts;
  /** Address id (AddressTable) or another number that is equal exactly when the host is. */
  hostId = -1;
  host = '';
  port = 0;
  /** State at capture end (with the kernel timers modelled). */
  state: TcpState = 'UNKNOWN';
  packets = 0;
  /** TCP payload bytes sent. */
  bytes = 0;

  /** SYN (originator) or SYN+ACK (responder) segments sent, retransmissions included. */
  synCount = 0;
  synTime = NaN;
  synSeg = -1;

  /** This side's first FIN. */
  finTime = NaN;
  finSeg = -1;
  /** This side's first RST. */
  rstTime = NaN;
  rstSeg = -1;

  /** Payload segments sent: first and last. */
  firstDataTime = NaN;
  lastDataTime = NaN;
  lastDataSeg = -1;
  /** The last payload sent before the peer's FIN arrived (equals lastData* when no peer FIN). */
  lastDataBeforePeerFinTime = NaN;
  /** The first payload sent after the peer's FIN (a write on a half-closed socket). */
  dataAfterPeerFinTime = NaN;
  dataAfterPeerFinSeg = -1;

  /** The last segment of this side that acknowledged new data from the peer (-1: none). */
  ackedDataSeg = -1;
  ackedDataTime = NaN;

  /** Entered CLOSE_WAIT (the peer's FIN arrived); left it (NaN: still there at capture end). */
  closeWaitSince = NaN;
  closeWaitSeg = -1;
  closeWaitUntil = NaN;
  closeWaitEndSeg = -1;
  /** The segment in which this side acknowledged the peer's FIN (-1: not seen). */
  ackedPeerFinSeg = -1;

  /** Zero-window advertisements by this side: count, first one, and whether the last window seen was zero. */
  zeroWindowCount = 0;
  zeroWindowSince = NaN;
  zeroWindowSeg = -1;
  /** When a non-zero window next followed the first zero one (NaN: never). */
  zeroWindowUntil = NaN;
  zeroWindowAtEnd = false;
  /** Receive window this side advertised, in bytes (window scale applied); -1 unknown. The max
   *  includes the SYN's (unscaled) window: the window before any data arrived. */
  windowMax = -1;
  windowLast = -1;
  /** Granularity of the advertised window in bytes (1 << window scale). */
  windowUnit = 1;
  /** The window this side advertised just before the peer's FIN arrived, in bytes (-1 unknown). */
  windowAtPeerFin = -1;

  constructor(readonly role: 'orig' | 'resp', private readonly endpointCache: Map<number, string>) {}

  get isOrig(): boolean {
    return this.role === 'orig';
  }

  /** `ip:port` (IPv6 bracketed). Responder endpoints repeat across connections and are cached;
   *  others are built on each call, so call it only when emitting a finding. */
  get endpoint(): string {
    if (this.role === 'resp' && this.hostId >= 0) {
      const key = this.hostId * 65536 + this.port;
      const cache = this.endpointCache;
      let text = cache.get(key);
      if (text === undefined) {
        text = formatEndpoint(this.host, this.port);
        cache.set(key, text);
      }
      return text;
    }
    return formatEndpoint(this.host, this.port);
  }

  /** The first close this side sent: FIN or RST, whichever came first (NaN: neither). */
  get closeTime(): number {
    const f = this.finTime, r = this.rstTime;
    return f !== f ? r : r !== r ? f : Math.min(f, r);
  }

  get closeSeg(): number {
    const f = this.finTime, r = this.rstTime;
    if (f !== f) return this.rstSeg;
    if (r !== r) return this.finSeg;
    return f <= r ? this.finSeg : this.rstSeg;
  }

  reset(): void {
    this.hostId = -1; this.host = ''; this.port = 0; this.state = 'UNKNOWN'; this.packets = 0; this.bytes = 0;
    this.synCount = 0; this.synTime = NaN; this.synSeg = -1;
    this.finTime = NaN; this.finSeg = -1; this.rstTime = NaN; this.rstSeg = -1;
    this.firstDataTime = NaN; this.lastDataTime = NaN; this.lastDataSeg = -1;
    this.lastDataBeforePeerFinTime = NaN; this.dataAfterPeerFinTime = NaN; this.dataAfterPeerFinSeg = -1;
    this.closeWaitSince = NaN; this.closeWaitSeg = -1; this.closeWaitUntil = NaN; this.closeWaitEndSeg = -1;
    this.ackedPeerFinSeg = -1;
    this.zeroWindowCount = 0; this.zeroWindowSince = NaN; this.zeroWindowSeg = -1; this.zeroWindowUntil = NaN;
    this.zeroWindowAtEnd = false; this.windowMax = -1; this.windowLast = -1; this.windowUnit = 1;
    this.windowAtPeerFin = -1; this.ackedDataSeg = -1; this.ackedDataTime = NaN;
  }
}

/** One connection, both sides. Refilled in place for each connection. */
export class ConnectionFacts {
  /** Responder `ip:port` texts by address id and port, for one diagnosis run. */
  private readonly endpoints = new Map<number, string>();
  readonly orig = new SideFacts('orig', this.endpoints);
  readonly resp = new SideFacts('resp', this.endpoints);
  /** [orig, resp], for rules that look at both sides the same way. */
  readonly sides: readonly [SideFacts, SideFacts] = [this.orig, this.resp];
  /** Position in the connections/flows arrays, and the contract id (flows[index].id). */
  index = 0;
  id = 0;
  /** First and last segment of the connection. */
  start = NaN;
  end = NaN;
  /** True when the capture holds this connection's handshake start (a SYN). */
  synSeen = false;
  /** Dense id of the responder's `ip:port` in this run (ServiceIndex), -1 before it is counted. */
  service = -1;

  constructor() {
    this.orig.peer = this.resp;
    this.resp.peer = this.orig;
  }

  reset(): void {
    this.orig.reset();
    this.resp.reset();
    this.index = 0; this.id = 0; this.start = NaN; this.end = NaN; this.synSeen = false; this.service = -1;
  }

  /** The side that closed first (FIN or RST), or null when neither did. */
  get firstCloser(): SideFacts | null {
    const o = this.orig.closeTime, r = this.resp.closeTime;
    if (o !== o) return r !== r ? null : this.resp;
    if (r !== r) return this.orig;
    return o <= r ? this.orig : this.resp;
  }

  /**
   * Seconds of silence before `closer`'s first close: from the last payload either side sent before
   * it (or from the connection's start when there was none) to the close. NaN when `closer` never closed.
   */
  idleBeforeClose(closer: SideFacts): number {
    const t = closer.closeTime;
    if (t !== t) return NaN;
    let last = NaN;
    // A side sends no payload after its own FIN or RST.
    const a = closer.lastDataTime;
    if (a === a && a <= t) last = a;
    const other = closer.peer;
    // The other side's data after the close does not end the idle period before it.
    const b = other.lastDataTime <= t ? other.lastDataTime : other.lastDataBeforePeerFinTime;
    if (b === b && b <= t && !(b <= last)) last = b;
    if (last !== last) last = this.start;
    return t - last;
  }
}

/** Dense id of the connection's responder `ip:port` (set by ServiceIndex before the rules run). */
export function serviceKey(f: ConnectionFacts): number {
  return f.service;
}

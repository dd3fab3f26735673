// TCP tracking: the state changes of every connection, in typed-array columns, one record per
// change. A connection keeps only the first and last record of its own list (linked by `next`).
//
// Why not an array of objects per connection: a 2,000,000-segment capture makes ~250,000 changes;
// as objects (plus each connection's array) they cost 80-200 ms of the tracking thread's time in
// allocation and garbage collection, and diagnosis then chased them across the heap. Records of
// evicted connections and records edited away are reused (a free list), so a SYN flood of millions
// of connections under `maxConnections` holds only the live ones.

import { STATE_NAMES, type TcpState } from './endpoint-state.js';

export type EndpointRole = 'orig' | 'resp';

/** One recorded state change: the evidence behind every state we report. */
export interface StateChange {
  endpoint: EndpointRole;
  from: TcpState;
  to: TcpState;
  /** Capture-wide 0-based index of the segment that caused it; -1 for a kernel timer. */
  segment: number;
  tsSec: number;
  tsNsec: number;
  /** Why, when not plain segment evidence: 'time-wait-expired', 'fin-timeout', 'simultaneous-close',
   *  'acked-unseen'. */
  reason?: string;
}

/** Reason codes (0: none). */
export const R_NONE = 0;
export const R_TIME_WAIT_EXPIRED = 1;
export const R_FIN_TIMEOUT = 2;
export const R_SIMULTANEOUS_CLOSE = 3;
export const R_ACKED_UNSEEN = 4;
const REASONS: readonly (string | undefined)[] = [undefined, 'time-wait-expired', 'fin-timeout', 'simultaneous-close', 'acked-unseen'];

/** Role codes as stored: 0 originator, 1 responder. */
export const ROLE_ORIG = 0;
export const ROLE_RESP = 1;

/** The stored code of a role, and back. */
export function roleCode(role: EndpointRole): number {
  return role === 'orig' ? ROLE_ORIG : ROLE_RESP;
}

export function roleName(code: number): EndpointRole {
  return code === ROLE_ORIG ? 'orig' : 'resp';
}

/** What a list's owner holds: its first and last record (-1: none). Connection implements it. */
export interface ChangeList {
  changeHead: number;
  changeTail: number;
}

// meta word: role (bit 0) | from (bits 1-5) | to (bits 6-10) | reason (bits 11-14)
const FROM_SHIFT = 1;
const TO_SHIFT = 6;
const REASON_SHIFT = 11;
const STATE_MASK = 0x1f;

/** Bytes one record occupies: seconds and segment index 8 each, meta, nanoseconds and next 4 each. */
const BYTES_PER_RECORD = 28;
/** Records per page by default: 8,192 records, 224 KiB. */
const DEFAULT_PAGE_SIZE = 1 << 13;

/** One page of records: a view per column over one buffer (widest columns first, so each is aligned). */
class ChangePage {
  /** Seconds and segment indices as doubles: captures may outlive 2038 or 2^31 segments. */
  readonly secs: Float64Array;
  readonly segments: Float64Array;
  readonly meta: Int32Array;
  readonly nsec: Int32Array;
  readonly next: Int32Array;

  constructor(n: number) {
    const buffer = new ArrayBuffer(n * BYTES_PER_RECORD);
    this.secs = new Float64Array(buffer, 0, n);
    this.segments = new Float64Array(buffer, 8 * n, n);
    this.meta = new Int32Array(buffer, 16 * n, n);
    this.nsec = new Int32Array(buffer, 20 * n, n);
    this.next = new Int32Array(buffer, 24 * n, n);
  }
}

/**
 * Every connection's state changes: records in fixed pages (a capture of short connections makes
 * about ten a connection, 1.8 M for 180,000), so growing neither copies the columns nor holds twice
 * what it needs, as columns that doubled did.
 */
export class ChangeLog {
  private readonly pages: ChangePage[] = [];
  private readonly bits: number;
  private readonly mask: number;
  /** Records handed out so far (the next fresh one) and the head of the free list (-1: empty). */
  private used = 0;
  private free = -1;
  private live = 0;

  /** `pageSize`: records per page, a power of two (tests use tiny pages to cross them often). */
  constructor(pageSize = DEFAULT_PAGE_SIZE) {
    if (!(pageSize >= 1 && (pageSize & (pageSize - 1)) === 0)) throw new RangeError(`ChangeLog page size ${pageSize} is not a power of two`);
    this.bits = Math.log2(pageSize);
    this.mask = pageSize - 1;
  }

  /** Records in use (all lists together). */
  get size(): number {
    return this.live;
  }

  // --- reading one record ---
  role(r: number): number { return this.page(r).meta[r & this.mask]! & 1; }
  from(r: number): number { return (this.page(r).meta[r & this.mask]! >> FROM_SHIFT) & STATE_MASK; }
  to(r: number): number { return (this.page(r).meta[r & this.mask]! >> TO_SHIFT) & STATE_MASK; }
  reasonCode(r: number): number { return this.page(r).meta[r & this.mask]! >> REASON_SHIFT; }
  segment(r: number): number { return this.page(r).segments[r & this.mask]!; }
  tsSec(r: number): number { return this.page(r).secs[r & this.mask]!; }
  tsNsec(r: number): number { return this.page(r).nsec[r & this.mask]!; }
  /** The record after `r` in its list (-1: last). */
  next(r: number): number { return this.page(r).next[r & this.mask]!; }

  /** Append a change to `list`; returns its record. */
  append(list: ChangeList, role: number, from: number, to: number, reason: number, segment: number, sec: number, nsec: number): number {
    const r = this.make(role, from, to, reason, segment, sec, nsec);
    if (list.changeTail < 0) list.changeHead = r;
    else this.setNext(list.changeTail, r);
    list.changeTail = r;
    return r;
  }

  /** Insert a change right after record `after` of `list`; returns its record. */
  insertAfter(list: ChangeList, after: number, role: number, from: number, to: number, reason: number, segment: number,
    sec: number, nsec: number): number {
    const r = this.make(role, from, to, reason, segment, sec, nsec);
    this.setNext(r, this.next(after));
    this.setNext(after, r);
    if (list.changeTail === after) list.changeTail = r;
    return r;
  }

  /** Take record `r` out of `list` and free it. */
  remove(list: ChangeList, r: number): void {
    let prev = -1;
    for (let x = list.changeHead; x >= 0 && x !== r; x = this.next(x)) prev = x;
    const after = this.next(r);
    if (prev < 0) list.changeHead = after; else this.setNext(prev, after);
    if (list.changeTail === r) list.changeTail = prev;
    this.release(r);
  }

  /** Rewrite what record `r` says (its role and place stay). */
  rewrite(r: number, from: number, to: number, reason: number): void {
    const meta = this.page(r).meta, o = r & this.mask;
    meta[o] = (meta[o]! & 1) | (from << FROM_SHIFT) | (to << TO_SHIFT) | (reason << REASON_SHIFT);
  }

  /** Swap orig and resp on every record of `list` (the tracker follows a role flip of Zeek's). */
  flipRoles(list: ChangeList): void {
    for (let x = list.changeHead; x >= 0; x = this.next(x)) this.page(x).meta[x & this.mask]! ^= 1;
  }

  /** Free every record of `list` and empty it. */
  clear(list: ChangeList): void {
    for (let x = list.changeHead; x >= 0;) {
      const after = this.next(x);
      this.release(x);
      x = after;
    }
    list.changeHead = list.changeTail = -1;
  }

  /** The list as objects (for renderers and tests; the tracker and diagnosis read records). */
  toArray(list: ChangeList): StateChange[] {
    const out: StateChange[] = [];
    for (let x = list.changeHead; x >= 0; x = this.next(x)) out.push(this.toObject(x));
    return out;
  }

  toObject(r: number): StateChange {
    return {
      endpoint: roleName(this.role(r)),
      from: STATE_NAMES[this.from(r)]!,
      to: STATE_NAMES[this.to(r)]!,
      segment: this.segment(r),
      tsSec: this.tsSec(r),
      tsNsec: this.tsNsec(r),
      reason: REASONS[this.reasonCode(r)],
    };
  }

  private make(role: number, from: number, to: number, reason: number, segment: number, sec: number, nsec: number): number {
    let r = this.free;
    if (r >= 0) {
      this.free = this.next(r);
    } else {
      r = this.used++;
      if (r >>> this.bits === this.pages.length) this.pages.push(new ChangePage(this.mask + 1));
    }
    const p = this.page(r), o = r & this.mask;
    p.meta[o] = role | (from << FROM_SHIFT) | (to << TO_SHIFT) | (reason << REASON_SHIFT);
    p.segments[o] = segment;
    p.secs[o] = sec;
    p.nsec[o] = nsec;
    p.next[o] = -1;
    this.live++;
    return r;
  }

  private release(r: number): void {
    this.setNext(r, this.free);
    this.free = r;
    this.live--;
  }

  /** The page holding record `r` (its offset there is `r & this.mask`). */
  private page(r: number): ChangePage {
    return this.pages[r >>> this.bits]!;
  }

  private setNext(r: number, to: number): void {
    this.page(r).next[r & this.mask] = to;
  }

  /** Bytes the pages occupy. */
  get bytes(): number {
    return this.pages.length * (this.mask + 1) * BYTES_PER_RECORD;
  }
}

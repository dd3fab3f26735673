// TCP tracking (optional): a compact per-segment store for the TUI and the ladder diagrams, so a
// connection can be drawn later without reading the capture again. Typed-array columns in fixed
// pages; per-connection chains through `next` instead of per-connection arrays.
//
// Pages, not one array per column that doubles when full: doubling held up to twice the segments'
// size and copied every column at each step. On 10,000,000 segments that was 620 MB of columns
// (room for 16.8 M) and 1.1 s in the copies (CPU profile); pages hold 37 bytes a segment (370 MB)
// plus less than one page, and nothing is copied.

const PAGE_BITS = 16;
/** Segments per page (each page is one ArrayBuffer of PAGE_SIZE * BYTES_PER_SEGMENT bytes). */
export const PAGE_SIZE = 1 << PAGE_BITS;
const OFFSET_MASK = PAGE_SIZE - 1;
/** Bytes one segment occupies: tsSec 8, tsNsec, conn, seq, ack, payloadLength, next 4 each,
 *  flags and window 2 each, fromFirst 1. */
export const BYTES_PER_SEGMENT = 37;

/** One page: a view per column over one buffer (widest columns first, so each view is aligned). */
class Page {
  readonly tsSec: Float64Array;
  readonly tsNsec: Uint32Array;
  readonly conn: Uint32Array;
  readonly seq: Uint32Array;
  readonly ack: Uint32Array;
  readonly payloadLength: Uint32Array;
  readonly next: Int32Array;
  readonly flags: Uint16Array;
  readonly window: Uint16Array;
  readonly fromFirst: Uint8Array;

  constructor() {
    const n = PAGE_SIZE;
    const buffer = new ArrayBuffer(n * BYTES_PER_SEGMENT);
    let at = 0;
    this.tsSec = new Float64Array(buffer, at, n); at += 8 * n;
    this.tsNsec = new Uint32Array(buffer, at, n); at += 4 * n;
    this.conn = new Uint32Array(buffer, at, n); at += 4 * n;
    this.seq = new Uint32Array(buffer, at, n); at += 4 * n;
    this.ack = new Uint32Array(buffer, at, n); at += 4 * n;
    this.payloadLength = new Uint32Array(buffer, at, n); at += 4 * n;
    this.next = new Int32Array(buffer, at, n); at += 4 * n;
    this.flags = new Uint16Array(buffer, at, n); at += 2 * n;
    this.window = new Uint16Array(buffer, at, n); at += 2 * n;
    this.fromFirst = new Uint8Array(buffer, at, n);
  }
}

/** Every kept segment by capture-wide index: read with the accessors (index < count). */
export class SegmentStore {
  count = 0;
  private readonly pages: Page[] = [];
  /** The page `push` writes to (null before the first segment). */
  private last: Page | null = null;

  /** Append one segment; returns its index (equal to the capture-wide segment index). */
  push(tsSec: number, tsNsec: number, conn: number, fromFirst: boolean, flags: number, seq: number, ack: number,
    window: number, payloadLength: number): number {
    const i = this.count++;
    const o = i & OFFSET_MASK;
    let p = this.last;
    if (o === 0 || p === null) {
      p = new Page();
      this.pages.push(p);
      this.last = p;
    }
    p.tsSec[o] = tsSec;
    p.tsNsec[o] = tsNsec;
    p.conn[o] = conn;
    p.fromFirst[o] = fromFirst ? 1 : 0;
    p.flags[o] = flags;
    p.seq[o] = seq;
    p.ack[o] = ack;
    p.window[o] = window;
    p.payloadLength[o] = payloadLength;
    p.next[o] = -1;
    return i;
  }

  /** Chain segment `to` after segment `from` of the same connection. */
  link(from: number, to: number): void {
    this.page(from).next[from & OFFSET_MASK] = to;
  }

  /** The next segment of the same connection, or -1. */
  next(i: number): number {
    return this.page(i).next[i & OFFSET_MASK]!;
  }

  tsSec(i: number): number {
    return this.page(i).tsSec[i & OFFSET_MASK]!;
  }

  tsNsec(i: number): number {
    return this.page(i).tsNsec[i & OFFSET_MASK]!;
  }

  /** Connection id (1-based; 0 for a segment no connection took: `maxConnections`). */
  conn(i: number): number {
    return this.page(i).conn[i & OFFSET_MASK]!;
  }

  /** Whether the sender is the connection's `first` endpoint (the sender of its first segment). */
  fromFirst(i: number): boolean {
    return this.page(i).fromFirst[i & OFFSET_MASK] === 1;
  }

  flags(i: number): number {
    return this.page(i).flags[i & OFFSET_MASK]!;
  }

  /** Sequence number as on the wire (unsigned). */
  seq(i: number): number {
    return this.page(i).seq[i & OFFSET_MASK]!;
  }

  ack(i: number): number {
    return this.page(i).ack[i & OFFSET_MASK]!;
  }

  /** Raw 16-bit window field. */
  window(i: number): number {
    return this.page(i).window[i & OFFSET_MASK]!;
  }

  payloadLength(i: number): number {
    return this.page(i).payloadLength[i & OFFSET_MASK]!;
  }

  /** The page holding segment `i` (its offset there is `i & OFFSET_MASK`). */
  private page(i: number): Page {
    return this.pages[i >>> PAGE_BITS]!;
  }

  /** Indices of one connection's segments, given its first stored index (Connection.storeFirst). */
  *indicesFrom(first: number): IterableIterator<number> {
    for (let i = first; i >= 0; i = this.next(i)) yield i;
  }

  /** Bytes the pages occupy (the store's memory, all but a few objects). */
  get bytes(): number {
    return this.pages.length * PAGE_SIZE * BYTES_PER_SEGMENT;
  }
}

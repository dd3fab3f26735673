// TCP tracking (optional): a compact per-segment store for the TUI and the ladder diagrams, so a
// connection can be drawn later without reading the capture again. Typed-array columns that grow by
// doubling; per-connection chains through `next` instead of per-connection arrays.

import { grown } from './grown.js';

export class SegmentStore {
  private cap: number;
  count = 0;
  tsSec: Float64Array;
  tsNsec: Uint32Array;
  /** Connection id (1-based). */
  conn: Uint32Array;
  /** 1 when the sender is the connection's `first` endpoint (the sender of its first segment). */
  fromFirst: Uint8Array;
  flags: Uint16Array;
  seq: Uint32Array;
  ack: Uint32Array;
  /** Raw 16-bit window field. */
  window: Uint16Array;
  payloadLength: Uint32Array;
  /** Next segment index of the same connection, -1 at the end. */
  next: Int32Array;

  constructor(initialCapacity = 1 << 16) {
    this.cap = initialCapacity;
    this.tsSec = new Float64Array(this.cap);
    this.tsNsec = new Uint32Array(this.cap);
    this.conn = new Uint32Array(this.cap);
    this.fromFirst = new Uint8Array(this.cap);
    this.flags = new Uint16Array(this.cap);
    this.seq = new Uint32Array(this.cap);
    this.ack = new Uint32Array(this.cap);
    this.window = new Uint16Array(this.cap);
    this.payloadLength = new Uint32Array(this.cap);
    this.next = new Int32Array(this.cap);
  }

  /** Append one segment; returns its index (equal to the capture-wide segment index). */
  push(tsSec: number, tsNsec: number, conn: number, fromFirst: boolean, flags: number, seq: number, ack: number,
    window: number, payloadLength: number): number {
    if (this.count === this.cap) this.grow();
    const i = this.count++;
    this.tsSec[i] = tsSec;
    this.tsNsec[i] = tsNsec;
    this.conn[i] = conn;
    this.fromFirst[i] = fromFirst ? 1 : 0;
    this.flags[i] = flags;
    this.seq[i] = seq;
    this.ack[i] = ack;
    this.window[i] = window;
    this.payloadLength[i] = payloadLength;
    this.next[i] = -1;
    return i;
  }

  /** Indices of one connection's segments, given its first stored index (Connection.storeFirst). */
  *indicesFrom(first: number): IterableIterator<number> {
    for (let i = first; i >= 0; i = this.next[i]!) yield i;
  }

  private grow(): void {
    const cap = (this.cap *= 2);
    this.tsSec = grown(this.tsSec, cap);
    this.tsNsec = grown(this.tsNsec, cap);
    this.conn = grown(this.conn, cap);
    this.fromFirst = grown(this.fromFirst, cap);
    this.flags = grown(this.flags, cap);
    this.seq = grown(this.seq, cap);
    this.ack = grown(this.ack, cap);
    this.window = grown(this.window, cap);
    this.payloadLength = grown(this.payloadLength, cap);
    this.next = grown(this.next, cap);
  }
}

// Capture stage, across threads: decoded TcpSegments as fixed-size records in a SharedArrayBuffer
// ring of batches (a decode worker writes, the analysing thread reads), plus the addresses the
// worker interned, so that the reader's AddressTable gets the same entries. Allocation-free per
// segment on both sides; the writer blocks (Atomics.wait) when the reader falls behind, so memory
// stays bounded whatever the input's size.

import { AddressTable } from '../segment/address-table.js';
import { SourceKind, type TcpSegment } from '../segment/tcp-segment.js';
import { waitForChange } from './wait-for-change.js';

/** Segments per batch. */
export const BATCH_SEGMENTS = 8192;
/** Batches in one ring: enough to ride out scheduling hiccups, small enough to stay in cache. */
export const RING_BATCHES = 6;
/** Int32 words per segment record: 22 words of fields and 8 SACK edges (128 bytes, two cache lines). */
const STRIDE = 32;
/** Longest host name an address entry can carry (a tcpdump text line is at most 64 KiB). */
const MAX_NAME = 64 * 1024;
/** Int32 words for address entries per batch: every segment may bring two new addresses. */
const APPENDIX_WORDS = 2 * BATCH_SEGMENTS * 5 + 2 * (MAX_NAME + 2);
const HEADER_WORDS = 2; // [segments, appendix words]
const SLOT_WORDS = HEADER_WORDS + BATCH_SEGMENTS * STRIDE + APPENDIX_WORDS;

// Control words.
const WRITE_SEQ = 0; // batches published by the writer
const READ_SEQ = 1; // batches released by the reader
const STATE = 2; // RING_RUNNING / RING_DONE
const BYTES_LO = 3; // raw bytes the writer has read (progress), low and high 32 bits
const BYTES_HI = 4;
const ABORT = 5; // the reader asks the writer to stop
const WRITER_WAITING = 6; // 1 while the writer sleeps on a full ring
const READER_WAITING = 7; // 1 while the reader sleeps on an empty ring
const CONTROL_WORDS = 16;

export const RING_RUNNING = 0;
export const RING_DONE = 1;

// Address entry kinds (the AddressTable's own: 4, 6, 0 = host name).
const ENTRY_V4 = 4;
const ENTRY_V6 = 6;
const ENTRY_NAME = 0;

const TWO32 = 4294967296;

/** Thrown inside the writer when the reader has asked it to stop. */
export class RingAborted extends Error {
  constructor() {
    super('reading stopped by the analysing thread');
    this.name = 'RingAborted';
  }
}

export function createRingBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * (CONTROL_WORDS + RING_BATCHES * SLOT_WORDS));
}

/**
 * The worker's AddressTable: interns as usual and remembers every new entry, in id order, so the
 * writer can ship it with the batch of the segment that first used it.
 */
export class RecordingAddressTable extends AddressTable {
  /** Pending entries: [4, v4] | [6, w0, w1, w2, w3] | [0, length, code units...]. */
  pending: number[] = [];

  override internV4(value: number): number {
    const before = this.size;
    const id = super.internV4(value);
    if (this.size !== before) this.pending.push(ENTRY_V4, value | 0);
    return id;
  }

  override internV6Words(w0: number, w1: number, w2: number, w3: number): number {
    const before = this.size;
    const id = super.internV6Words(w0, w1, w2, w3);
    if (this.size !== before) this.pending.push(ENTRY_V6, w0 | 0, w1 | 0, w2 | 0, w3 | 0);
    return id;
  }

  override internName(name: string): number {
    const before = this.size;
    const id = super.internName(name);
    if (this.size !== before) {
      // Names longer than an entry can hold cannot come from a tcpdump line; cut defensively.
      const n = Math.min(name.length, MAX_NAME);
      this.pending.push(ENTRY_NAME, n);
      for (let i = 0; i < n; i++) this.pending.push(name.charCodeAt(i));
    }
    return id;
  }
}

/** Worker side: fills batches and publishes them; blocks while the ring is full. */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly words: Int32Array;
  private published = 0;
  private slotBase: number;
  private count = 0;
  private appendixUsed = 0;

  constructor(buffer: SharedArrayBuffer, private readonly addresses: RecordingAddressTable) {
    this.control = new Int32Array(buffer, 0, CONTROL_WORDS);
    this.words = new Int32Array(buffer, 4 * CONTROL_WORDS);
    this.slotBase = 0;
  }

  /** Append one segment (and the addresses first interned for it). */
  write(seg: TcpSegment): void {
    const pending = this.addresses.pending;
    if (pending.length > 0) {
      if (this.appendixUsed + pending.length > APPENDIX_WORDS) this.publish();
      const w = this.words;
      let p = this.slotBase + HEADER_WORDS + BATCH_SEGMENTS * STRIDE + this.appendixUsed;
      for (let i = 0; i < pending.length; i++) w[p++] = pending[i]!;
      this.appendixUsed += pending.length;
      pending.length = 0;
    }
    const w = this.words;
    const k = this.slotBase + HEADER_WORDS + this.count * STRIDE;
    const sec = seg.tsSec;
    const secHigh = Math.floor(sec / TWO32);
    w[k] = sec - secHigh * TWO32;
    w[k + 21] = secHigh;
    w[k + 1] = seg.tsNsec;
    w[k + 2] = seg.src;
    w[k + 3] = seg.dst;
    w[k + 4] = (seg.sport << 16) | seg.dport;
    w[k + 5] = seg.seq;
    w[k + 6] = seg.ack;
    w[k + 7] = seg.flags | (seg.window << 16);
    w[k + 8] = seg.payloadLength;
    const sackCount = seg.sackCount;
    w[k + 9] = seg.ipVersion | (seg.kind << 4) | (seg.sackPermitted ? 0x40 : 0) | (seg.hasTimestamps ? 0x80 : 0)
      | (seg.checksumOk ? 0x100 : 0) | (seg.truncated ? 0x200 : 0) | (sackCount << 10);
    w[k + 10] = seg.windowScale;
    w[k + 11] = seg.mss;
    w[k + 12] = seg.urgent;
    w[k + 13] = seg.tsVal;
    w[k + 14] = seg.tsEcr;
    w[k + 15] = seg.record;
    const offset = seg.byteOffset;
    const offsetHigh = Math.floor(offset / TWO32);
    w[k + 16] = offset - offsetHigh * TWO32;
    w[k + 17] = offsetHigh;
    w[k + 18] = seg.interfaceId;
    w[k + 19] = seg.direction;
    w[k + 20] = seg.input;
    if (sackCount > 0) {
      const edges = seg.sackEdges;
      for (let i = 0; i < 2 * sackCount; i++) w[k + 22 + i] = edges[i]!;
    }
    if (++this.count === BATCH_SEGMENTS) this.publish();
  }

  /** Raw bytes read so far, for the reader's progress line. */
  progress(bytes: number): void {
    Atomics.store(this.control, BYTES_LO, bytes % TWO32);
    Atomics.store(this.control, BYTES_HI, Math.floor(bytes / TWO32));
  }

  /** Publish what is left and mark the ring finished (also after a failure: the reader then
   *  learns why from the worker's last message). */
  finish(): void {
    if (this.count > 0 || this.appendixUsed > 0) this.publish(false);
    Atomics.store(this.control, STATE, RING_DONE);
    Atomics.notify(this.control, WRITE_SEQ);
  }

  private publish(next = true): void {
    const w = this.words;
    w[this.slotBase] = this.count;
    w[this.slotBase + 1] = this.appendixUsed;
    this.published++;
    Atomics.store(this.control, WRITE_SEQ, this.published);
    // A wake-up is a system call and often a context switch: only when the reader sleeps.
    if (Atomics.load(this.control, READER_WAITING) !== 0) Atomics.notify(this.control, WRITE_SEQ);
    this.count = 0;
    this.appendixUsed = 0;
    if (!next) return;
    // Wait for a free slot. Once the ring is full, sleep until half of it is free again, so the
    // two threads trade places once per several batches rather than once per batch.
    if (this.published - Atomics.load(this.control, READ_SEQ) >= RING_BATCHES) {
      for (;;) {
        if (Atomics.load(this.control, ABORT) !== 0) throw new RingAborted();
        Atomics.store(this.control, WRITER_WAITING, 1);
        const released = Atomics.load(this.control, READ_SEQ);
        if (this.published - released <= RING_BATCHES / 2) break;
        Atomics.wait(this.control, READ_SEQ, released, 1000);
      }
      Atomics.store(this.control, WRITER_WAITING, 0);
    }
    this.slotBase = (this.published % RING_BATCHES) * SLOT_WORDS;
  }
}

/** Reader side: one ring, read in order; fills the caller's TcpSegment from the current record. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly words: Int32Array;
  private consumed = 0;
  private slotBase = 0;
  /** Records in the current batch, and the next one to read. */
  private count = 0;
  private pos = 0;
  /** Worker address id -> id in the reader's AddressTable. */
  private remap = new Int32Array(1024);
  private nextLocal = 0;
  /** Time and input of the record at `pos` (valid while `ready`), for merging several rings. */
  sec = 0;
  nsec = 0;
  input = 0;

  constructor(buffer: SharedArrayBuffer, private readonly addresses: AddressTable) {
    this.control = new Int32Array(buffer, 0, CONTROL_WORDS);
    this.words = new Int32Array(buffer, 4 * CONTROL_WORDS);
  }

  /** A record is available at the cursor. */
  get ready(): boolean {
    return this.pos < this.count;
  }

  /**
   * Move to the next published batch (after the current one is used up). Returns true when one
   * was taken; false when none is published yet (`finished` tells whether one ever will be).
   */
  take(): boolean {
    if (this.pos < this.count) return true;
    if (this.count > 0 || this.pos > 0) this.release();
    while (Atomics.load(this.control, WRITE_SEQ) > this.consumed) {
      this.slotBase = (this.consumed % RING_BATCHES) * SLOT_WORDS;
      this.count = this.words[this.slotBase]!;
      this.pos = 0;
      this.replayAddresses(this.words[this.slotBase + 1]!);
      if (this.count > 0) {
        this.peek();
        return true;
      }
      this.release(); // a batch of addresses only
    }
    return false;
  }

  /** The writer has published its last batch and it has been taken. */
  get finished(): boolean {
    return Atomics.load(this.control, STATE) === RING_DONE && Atomics.load(this.control, WRITE_SEQ) === this.consumed
      && this.pos >= this.count;
  }

  /** Resolves when the writer publishes a batch or finishes, or after `timeoutMs`. */
  async waitForWriter(timeoutMs: number): Promise<void> {
    Atomics.store(this.control, READER_WAITING, 1);
    const seen = Atomics.load(this.control, WRITE_SEQ);
    if (seen <= this.consumed && Atomics.load(this.control, STATE) !== RING_DONE) {
      await waitForChange(this.control, WRITE_SEQ, seen, timeoutMs);
    }
    Atomics.store(this.control, READER_WAITING, 0);
  }

  /** Raw bytes the writer has read. */
  get bytesRead(): number {
    return Atomics.load(this.control, BYTES_HI) * TWO32 + (Atomics.load(this.control, BYTES_LO) >>> 0);
  }

  /** Ask the writer to stop (it throws RingAborted at its next full batch). */
  abort(): void {
    Atomics.store(this.control, ABORT, 1);
    Atomics.notify(this.control, READ_SEQ);
  }

  /** Fill `seg` from the record at the cursor and advance. Call only when `ready`. */
  read(seg: TcpSegment): void {
    const w = this.words;
    const k = this.slotBase + HEADER_WORDS + this.pos * STRIDE;
    const remap = this.remap;
    seg.tsSec = w[k + 21]! * TWO32 + (w[k]! >>> 0);
    seg.tsNsec = w[k + 1]!;
    seg.src = remap[w[k + 2]!]!;
    seg.dst = remap[w[k + 3]!]!;
    const ports = w[k + 4]!;
    seg.sport = ports >>> 16;
    seg.dport = ports & 0xffff;
    seg.seq = w[k + 5]! >>> 0;
    seg.ack = w[k + 6]! >>> 0;
    const fw = w[k + 7]!;
    seg.flags = fw & 0xffff;
    seg.window = fw >>> 16;
    seg.payloadLength = w[k + 8]!;
    const bits = w[k + 9]!;
    seg.ipVersion = bits & 0xf;
    seg.kind = ((bits >> 4) & 3) as SourceKind;
    seg.sackPermitted = (bits & 0x40) !== 0;
    seg.hasTimestamps = (bits & 0x80) !== 0;
    seg.checksumOk = (bits & 0x100) !== 0;
    seg.truncated = (bits & 0x200) !== 0;
    const sackCount = (bits >> 10) & 7;
    seg.sackCount = sackCount;
    seg.windowScale = w[k + 10]!;
    seg.mss = w[k + 11]!;
    seg.urgent = w[k + 12]!;
    seg.tsVal = w[k + 13]! >>> 0;
    seg.tsEcr = w[k + 14]! >>> 0;
    seg.record = w[k + 15]!;
    seg.byteOffset = w[k + 17]! * TWO32 + (w[k + 16]! >>> 0);
    seg.interfaceId = w[k + 18]!;
    seg.direction = w[k + 19]!;
    seg.input = w[k + 20]!;
    if (sackCount > 0) {
      const edges = seg.sackEdges;
      for (let i = 0; i < 2 * sackCount; i++) edges[i] = w[k + 22 + i]! >>> 0;
    }
    if (++this.pos < this.count) this.peek();
  }

  /** Cache the merge key of the record at the cursor. */
  private peek(): void {
    const k = this.slotBase + HEADER_WORDS + this.pos * STRIDE;
    this.sec = this.words[k + 21]! * TWO32 + (this.words[k]! >>> 0);
    this.nsec = this.words[k + 1]!;
    this.input = this.words[k + 20]!;
  }

  private release(): void {
    this.consumed++;
    this.count = 0;
    this.pos = 0;
    Atomics.store(this.control, READ_SEQ, this.consumed);
    if (Atomics.load(this.control, WRITER_WAITING) !== 0
      && Atomics.load(this.control, WRITE_SEQ) - this.consumed <= RING_BATCHES / 2) Atomics.notify(this.control, READ_SEQ);
  }

  private replayAddresses(words: number): void {
    const w = this.words;
    const addresses = this.addresses;
    let p = this.slotBase + HEADER_WORDS + BATCH_SEGMENTS * STRIDE;
    const end = p + words;
    while (p < end) {
      const kind = w[p]!;
      let id: number;
      if (kind === ENTRY_V4) {
        id = addresses.internV4(w[p + 1]! >>> 0);
        p += 2;
      } else if (kind === ENTRY_V6) {
        id = addresses.internV6Words(w[p + 1]! >>> 0, w[p + 2]! >>> 0, w[p + 3]! >>> 0, w[p + 4]! >>> 0);
        p += 5;
      } else {
        const n = w[p + 1]!;
        let name = '';
        for (let i = 0; i < n; i++) name += String.fromCharCode(w[p + 2 + i]!);
        id = addresses.internName(name);
        p += 2 + n;
      }
      if (this.nextLocal === this.remap.length) {
        const bigger = new Int32Array(this.remap.length * 2);
        bigger.set(this.remap);
        this.remap = bigger;
      }
      this.remap[this.nextLocal++] = id;
    }
  }
}

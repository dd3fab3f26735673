// Text stage helper: printed (relative or absolute) seq/ack/SACK numbers -> absolute ones, per
// conversation, by replaying how tcpdump chose its bases (print-tcp.c, `tcp_seq_hash`).
//
// What tcpdump does without -S: for a packet with ACK set it looks up the conversation (both
// directions share one entry). If there is none yet, or the packet has SYN (so any SYN+ACK), it
// records the bases - the sender's base is the packet's seq, the receiver's base is ack-1 - and prints
// the packet's own seq/ack absolute. Every later ACK-bearing packet prints seq - base(sender) and
// ack - base(receiver). Packets without ACK (a bare SYN or RST) always print absolute numbers. SACK
// edges are printed relative to base(receiver) on every ACK-bearing packet, the recording one included.
//
// We cannot know whether the text was printed with -S, so each conversation decides at its second
// ACK-bearing packet (the first one whose numbers differ between the two readings): if the printed ack
// lies near the recorded base (within the data exchanged since) the text is absolute, if it lies near
// 0 it is relative. A handshake makes this plain (`ack 1` vs `ack <ISN+1>`); when the text starts
// mid-conversation the first line is absolute and the next small, which reads as relative too. An
// excerpt cut from relative output (its first line already relative, so small) reads as absolute,
// which keeps the printed numbers: consistent with each other, though not the capture's. When the
// evidence is weak (two far-apart values) the mode most conversations decided is used.
//
// A base tcpdump recorded from a packet that did not print it (a pure ACK without -vv shows no seq)
// is unknown: that direction's numbers then stay relative to it, unless a bare SYN from the same
// side was seen, whose ISN+1 is then taken as the base (the pure ACK that completes a handshake).
// A pure ACK's own seq is not printed either; it is estimated as the sender's next sequence number.

const UNDECIDED = 0;
const RELATIVE = 1;
const ABSOLUTE = 2;

// Per-conversation bits (index 0 = the endpoint that sorts first, 1 = the other).
const RECORDED = 1;
const MODE_MASK = 6; // mode << 1
const KNOWN0 = 8; // base[0] known
const SYN0 = 32; // synSeq[0] valid (a bare SYN from endpoint 0 was seen)
const NEXT0 = 128; // next[0] valid

const TWO32 = 4294967296;
/** Bases below this count as "small": the recording line was itself probably relative. */
const SMALL = 1 << 24;
/** A decision is firm when the closer reading is within this and 4x closer than the other. */
const NEAR = 1 << 26;

function sdist(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return d > 2147483648 ? TWO32 - d : d;
}

export class RelativeSeq {
  private capacity = 0;
  private mask = 0;
  private count = 0;
  /** 4 ints per slot: address id and port of endpoint 0, then of endpoint 1. */
  private keys = new Int32Array(0);
  private used = new Uint8Array(0);
  private bits = new Uint16Array(0);
  /** 2 per slot (endpoint 0, endpoint 1). */
  private base = new Float64Array(0);
  private next = new Float64Array(0);
  private synSeq = new Float64Array(0);
  /** Conversations decided firmly as relative / absolute (`-S`). */
  relativeVotes = 0;
  absoluteVotes = 0;
  /** Directions whose base tcpdump took from an unprinted seq (numbers left relative to it). */
  unknownBases = 0;

  constructor() {
    this.allocate(1024);
  }

  get conversations(): number {
    return this.count;
  }

  /**
   * Rewrites seg.seq / seg.ack / seg.sackEdges from printed to absolute values (mod 2^32) and fills
   * seg.seq for a packet that printed none. Uses seg.src/sport/dst/dport, flags, payloadLength.
   */
  apply(seg: {
    src: number; sport: number; dst: number; dport: number; flags: number; seq: number; ack: number;
    payloadLength: number; sackCount: number; readonly sackEdges: Float64Array;
  }, hasSeq: boolean): void {
    const s = seg.src, sp = seg.sport, d = seg.dst, dp = seg.dport;
    let e: number, slot: number;
    if (s < d || (s === d && sp <= dp)) {
      e = 0;
      slot = this.slot(s, sp, d, dp);
    } else {
      e = 1;
      slot = this.slot(d, dp, s, sp);
    }
    const o = 1 - e;
    const ie = slot * 2 + e, io = slot * 2 + o;
    let bits = this.bits[slot]!;
    const flags = seg.flags;
    // TCP flag bits: FIN 1, SYN 2, ACK 16.
    if (flags & 2) bits &= ~((NEXT0 << e) | (NEXT0 << o)); // a new connection: forget old positions

    if ((flags & 16) === 0) {
      // No ACK: printed absolute either way.
      if ((flags & 2) && hasSeq) {
        this.synSeq[ie] = seg.seq;
        bits |= SYN0 << e;
      }
    } else if ((bits & RECORDED) === 0 || (flags & 2)) {
      // The recording packet: its own seq/ack are absolute in both readings.
      bits |= RECORDED;
      if (hasSeq) {
        this.base[ie] = seg.seq;
        bits |= KNOWN0 << e;
      } else if (bits & (SYN0 << e)) {
        this.base[ie] = (this.synSeq[ie]! + 1) >>> 0;
        bits |= KNOWN0 << e;
      } else {
        this.base[ie] = 0;
        bits &= ~(KNOWN0 << e);
        this.unknownBases++;
      }
      this.base[io] = (seg.ack - 1) >>> 0;
      bits |= KNOWN0 << o;
      if (seg.sackCount > 0) {
        let mode = (bits & MODE_MASK) >> 1;
        if (mode === UNDECIDED) {
          mode = this.decide(seg.sackEdges[0]!, this.base[io]!, -1);
          bits = (bits & ~MODE_MASK) | (mode << 1);
        }
        if (mode === RELATIVE) this.shiftSack(seg, this.base[io]!);
      }
    } else {
      let mode = (bits & MODE_MASK) >> 1;
      if (mode === UNDECIDED) {
        if (bits & (KNOWN0 << o)) {
          mode = this.decide(seg.ack, this.base[io]!, bits & (SYN0 << o) ? (this.synSeq[io]! + 1) >>> 0 : -1);
        } else if (hasSeq && (bits & (KNOWN0 << e))) {
          mode = this.decide(seg.seq, this.base[ie]!, -1);
        }
        // else: every printed field has an unknown (zero) base, so both readings agree for now.
        bits = (bits & ~MODE_MASK) | (mode << 1);
      }
      if (mode === RELATIVE) {
        const be = this.base[ie]!, bo = this.base[io]!;
        if (hasSeq) seg.seq = (seg.seq + be) >>> 0;
        seg.ack = (seg.ack + bo) >>> 0;
        this.shiftSack(seg, bo);
      }
    }

    if (!hasSeq) {
      // Not printed (pure ACK without -vv): the sender's next sequence number, as far as we know it.
      if (bits & (NEXT0 << e)) seg.seq = this.next[ie]!;
      else if (bits & (KNOWN0 << e)) seg.seq = this.base[ie]!;
      else seg.seq = 0;
    } else {
      const end = (seg.seq + seg.payloadLength + (flags & 2 ? 1 : 0) + (flags & 1)) >>> 0;
      if ((bits & (NEXT0 << e)) === 0 || ((end - this.next[ie]!) | 0) > 0) {
        this.next[ie] = end;
        bits |= NEXT0 << e;
      }
    }
    if (flags & 16) {
      // What the receiver acknowledges, the sender of that data has sent at least.
      if ((bits & (NEXT0 << o)) === 0 || ((seg.ack - this.next[io]!) | 0) > 0) {
        this.next[io] = seg.ack;
        bits |= NEXT0 << o;
      }
    }
    this.bits[slot] = bits;
  }

  /** RELATIVE or ABSOLUTE for a printed value `v` whose base would be `ref`. */
  private decide(v: number, ref: number, exactIfAbsolute: number): number {
    if (exactIfAbsolute >= 0) {
      // The ack of a SYN we saw: exact evidence either way.
      if (v === exactIfAbsolute) return this.vote(ABSOLUTE);
      if (((v + ref) >>> 0) === exactIfAbsolute) return this.vote(RELATIVE);
    }
    const d0 = sdist(v, 0), d1 = sdist(v, ref);
    if (sdist(ref, 0) < SMALL) return d0 < d1 ? RELATIVE : ABSOLUTE;
    const lo = d0 < d1 ? d0 : d1, hi = d0 < d1 ? d1 : d0;
    if (lo < NEAR && hi >= 4 * lo) return this.vote(d0 < d1 ? RELATIVE : ABSOLUTE);
    return this.absoluteVotes > this.relativeVotes ? ABSOLUTE : RELATIVE;
  }

  private vote(mode: number): number {
    if (mode === RELATIVE) this.relativeVotes++;
    else this.absoluteVotes++;
    return mode;
  }

  private shiftSack(seg: { sackCount: number; readonly sackEdges: Float64Array }, base: number): void {
    const edges = seg.sackEdges;
    for (let i = 0, n = seg.sackCount * 2; i < n; i++) edges[i] = (edges[i]! + base) >>> 0;
  }

  private slot(a: number, pa: number, b: number, pb: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(pa + 1, 0x85ebca77) ^ Math.imul(b + 3, 0xc2b2ae3d) ^ Math.imul(pb + 7, 0x27d4eb2f);
    h ^= h >>> 15;
    const keys = this.keys;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      if (this.used[i] === 0) {
        if ((this.count + 1) * 2 > this.capacity) {
          this.grow();
          return this.slot(a, pa, b, pb);
        }
        this.used[i] = 1;
        keys[i * 4] = a; keys[i * 4 + 1] = pa; keys[i * 4 + 2] = b; keys[i * 4 + 3] = pb;
        this.count++;
        return i;
      }
      if (keys[i * 4] === a && keys[i * 4 + 1] === pa && keys[i * 4 + 2] === b && keys[i * 4 + 3] === pb) return i;
    }
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.keys = new Int32Array(capacity * 4);
    this.used = new Uint8Array(capacity);
    this.bits = new Uint16Array(capacity);
    this.base = new Float64Array(capacity * 2);
    this.next = new Float64Array(capacity * 2);
    this.synSeq = new Float64Array(capacity * 2);
  }

  private grow(): void {
    const { keys, used, bits, base, next, synSeq, capacity } = this;
    this.allocate(capacity * 2);
    this.count = 0;
    for (let i = 0; i < capacity; i++) {
      if (used[i] === 0) continue;
      const j = this.slot(keys[i * 4]!, keys[i * 4 + 1]!, keys[i * 4 + 2]!, keys[i * 4 + 3]!);
      this.bits[j] = bits[i]!;
      this.base[j * 2] = base[i * 2]!; this.base[j * 2 + 1] = base[i * 2 + 1]!;
      this.next[j * 2] = next[i * 2]!; this.next[j * 2 + 1] = next[i * 2 + 1]!;
      this.synSeq[j * 2] = synSeq[i * 2]!; this.synSeq[j * 2 + 1] = synSeq[i * 2 + 1]!;
    }
  }
}

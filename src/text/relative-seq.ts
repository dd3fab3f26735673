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

// One record per conversation in a single Float64Array (one or two cache lines per packet instead of
// one per field): key of endpoint 0, key of endpoint 1 (address id * 2^22 + port + 1; 0 = empty
// slot), bits, base[2], next[2], synSeq[2].
const STRIDE = 9;
const K0 = 0, K1 = 1, BITS = 2, BASE = 3, NEXT = 5, SYNSEQ = 7;
const PORT_SPACE = 4194304; // 2^22: real ports and synthetic service-name ports

export class RelativeSeq {
  private capacity = 0;
  private mask = 0;
  private count = 0;
  private t = new Float64Array(0);
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
    // Small integers only in calls: a double argument would be boxed (an allocation per packet).
    const s = seg.src, sp = seg.sport, d = seg.dst, dp = seg.dport;
    const e = s < d || (s === d && sp <= dp) ? 0 : 1;
    const o = 1 - e;
    const r = e === 0 ? this.slot(s, sp, d, dp) : this.slot(d, dp, s, sp);
    const t = this.t;
    let bits = t[r + BITS]!;
    const flags = seg.flags;
    // TCP flag bits: FIN 1, SYN 2, ACK 16.
    if (flags & 2) bits &= ~((NEXT0 << e) | (NEXT0 << o)); // a new connection: forget old positions

    if ((flags & 16) === 0) {
      // No ACK: printed absolute either way.
      if ((flags & 2) && hasSeq) {
        t[r + SYNSEQ + e] = seg.seq;
        bits |= SYN0 << e;
      }
    } else if ((bits & RECORDED) === 0 || (flags & 2)) {
      // The recording packet: its own seq/ack are absolute in both readings.
      bits |= RECORDED;
      if (hasSeq) {
        t[r + BASE + e] = seg.seq;
        bits |= KNOWN0 << e;
      } else if (bits & (SYN0 << e)) {
        t[r + BASE + e] = (t[r + SYNSEQ + e]! + 1) >>> 0;
        bits |= KNOWN0 << e;
      } else {
        t[r + BASE + e] = 0;
        bits &= ~(KNOWN0 << e);
        this.unknownBases++;
      }
      t[r + BASE + o] = (seg.ack - 1) >>> 0;
      bits |= KNOWN0 << o;
      if (seg.sackCount > 0) {
        let mode = (bits & MODE_MASK) >> 1;
        if (mode === UNDECIDED) {
          mode = this.decide(seg.sackEdges[0]!, t[r + BASE + o]!, -1);
          bits = (bits & ~MODE_MASK) | (mode << 1);
        }
        if (mode === RELATIVE) this.shiftSack(seg, t[r + BASE + o]!);
      }
    } else {
      let mode = (bits & MODE_MASK) >> 1;
      if (mode === UNDECIDED) {
        if (bits & (KNOWN0 << o)) {
          mode = this.decide(seg.ack, t[r + BASE + o]!, bits & (SYN0 << o) ? (t[r + SYNSEQ + o]! + 1) >>> 0 : -1);
        } else if (hasSeq && (bits & (KNOWN0 << e))) {
          mode = this.decide(seg.seq, t[r + BASE + e]!, -1);
        }
        // else: every printed field has an unknown (zero) base, so both readings agree for now.
        bits = (bits & ~MODE_MASK) | (mode << 1);
      }
      if (mode === RELATIVE) {
        const bo = t[r + BASE + o]!;
        if (hasSeq) seg.seq = (seg.seq + t[r + BASE + e]!) >>> 0;
        seg.ack = (seg.ack + bo) >>> 0;
        if (seg.sackCount > 0) this.shiftSack(seg, bo);
      }
    }

    if (!hasSeq) {
      // Not printed (pure ACK without -vv): the sender's next sequence number, as far as we know it.
      if (bits & (NEXT0 << e)) seg.seq = t[r + NEXT + e]!;
      else if (bits & (KNOWN0 << e)) seg.seq = t[r + BASE + e]!;
      else seg.seq = 0;
    } else {
      const end = (seg.seq + seg.payloadLength + (flags & 2 ? 1 : 0) + (flags & 1)) >>> 0;
      if ((bits & (NEXT0 << e)) === 0 || ((end - t[r + NEXT + e]!) | 0) > 0) {
        t[r + NEXT + e] = end;
        bits |= NEXT0 << e;
      }
    }
    if (flags & 16) {
      // What the receiver acknowledges, the sender of that data has sent at least.
      if ((bits & (NEXT0 << o)) === 0 || ((seg.ack - t[r + NEXT + o]!) | 0) > 0) {
        t[r + NEXT + o] = seg.ack;
        bits |= NEXT0 << o;
      }
    }
    t[r + BITS] = bits;
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

  /** Offset in `t` of the record of endpoints (a, pa) < (b, pb), inserting an empty one. */
  private slot(a: number, pa: number, b: number, pb: number): number {
    const k0 = a * PORT_SPACE + pa + 1, k1 = b * PORT_SPACE + pb + 1;
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(pa + 1, 0x85ebca77) ^ Math.imul(b, 0xc2b2ae3d) ^ Math.imul(pb + 1, 0x27d4eb2f);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    const t = this.t;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const r = i * STRIDE;
      const key = t[r + K0]!;
      if (key === 0) {
        if ((this.count + 1) * 2 > this.capacity) {
          this.grow();
          return this.slot(a, pa, b, pb);
        }
        t[r + K0] = k0;
        t[r + K1] = k1;
        this.count++;
        return r;
      }
      if (key === k0 && t[r + K1] === k1) return r;
    }
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.t = new Float64Array(capacity * STRIDE);
  }

  private grow(): void {
    const old = this.t, capacity = this.capacity;
    this.allocate(capacity * 2);
    this.count = 0;
    for (let i = 0; i < capacity; i++) {
      const r = i * STRIDE;
      if (old[r + K0] === 0) continue;
      const k0 = old[r + K0]! - 1, k1 = old[r + K1]! - 1;
      const a = Math.floor(k0 / PORT_SPACE), b = Math.floor(k1 / PORT_SPACE);
      const j = this.slot(a, k0 - a * PORT_SPACE, b, k1 - b * PORT_SPACE);
      this.t.set(old.subarray(r + BITS, r + STRIDE), j + BITS);
    }
  }
}

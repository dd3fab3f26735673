// pcapng timestamps: a 64-bit tick count (high and low words) at a per-interface resolution ->
// exact whole seconds + nanoseconds. At nanosecond resolution hi*2^32+lo exceeds 2^53, so doubles
// would lose hundreds of ns: the BigInt division runs only when the high word changes (every ~4.3 s
// at ns resolution), and the low word is added in plain, exact integer arithmetic.

import type { TcpSegment } from '../segment/tcp-segment.js';

/** Tick rates up to this keep every intermediate value below 2^53 on the fast path. */
const FAST_LIMIT = 2 ** 50;
const TWO_POW_32 = 2 ** 32;

export class TimestampConverter {
  /** Ticks per second. */
  private readonly units: number;
  private readonly unitsBig: bigint;
  private readonly fast: boolean;
  /** Base 10 with exponent <= 9: ns = r * multiplier. */
  private readonly multiplier: number = 0;
  /** Base 10 with exponent > 9: ns = floor(r / divisor). */
  private readonly divisor: number = 0;
  /** Base 2: exponent (ns = floor(r * 1e9 / 2^exponent)). */
  private readonly binaryExponent: number = -1;
  private lastHigh = -1;
  private secondsBase = 0;
  private remainderBase = 0;

  /**
   * `tsresol` is the if_tsresol option byte (default 6: microseconds): high bit clear = 10^-n,
   * set = 2^-n. `offsetSeconds` is if_tsoffset.
   */
  constructor(tsresol: number, private readonly offsetSeconds: number) {
    const exponent = tsresol & 0x7f;
    if ((tsresol & 0x80) !== 0) {
      this.unitsBig = 1n << BigInt(exponent);
      this.binaryExponent = exponent;
    } else {
      this.unitsBig = 10n ** BigInt(exponent);
      if (exponent <= 9) this.multiplier = 10 ** (9 - exponent);
      else this.divisor = 10 ** (exponent - 9);
    }
    this.units = Number(this.unitsBig);
    this.fast = this.units <= FAST_LIMIT && this.divisor <= FAST_LIMIT;
  }

  /** Whether this resolution is finer than microseconds (for summaries). */
  get subMicrosecond(): boolean {
    return this.units > 1e6;
  }

  /** Set seg.tsSec / seg.tsNsec from the tick count high*2^32 + low. */
  set(seg: TcpSegment, high: number, low: number): void {
    if (!this.fast) {
      this.setSlow(seg, high, low);
      return;
    }
    if (high !== this.lastHigh) {
      const base = BigInt(high) * BigInt(TWO_POW_32);
      this.secondsBase = Number(base / this.unitsBig);
      this.remainderBase = Number(base % this.unitsBig);
      this.lastHigh = high;
    }
    const units = this.units;
    const t = this.remainderBase + low; // < units + 2^32 < 2^53: exact
    let q = Math.floor(t / units);
    let r = t - q * units;
    if (r < 0) { q--; r += units; } else if (r >= units) { q++; r -= units; }
    seg.tsSec = this.secondsBase + q + this.offsetSeconds;
    seg.tsNsec = this.fractionToNanoseconds(r);
  }

  private fractionToNanoseconds(r: number): number {
    if (this.multiplier !== 0) return r * this.multiplier;
    if (this.divisor !== 0) {
      const d = this.divisor;
      let q = Math.floor(r / d);
      if (q * d > r) q--;
      else if ((q + 1) * d <= r) q++;
      return q;
    }
    const e = this.binaryExponent;
    if (e <= 23) return Math.floor((r * 1e9) / 2 ** e); // r * 1e9 < 2^53 and /2^e is exact
    return Number((BigInt(r) * 1_000_000_000n) >> BigInt(e));
  }

  /** Resolutions finer than 2^-50 s: BigInt for every packet (no real capture uses them). */
  private setSlow(seg: TcpSegment, high: number, low: number): void {
    const ticks = (BigInt(high) << 32n) | BigInt(low);
    const units = this.unitsBig;
    seg.tsSec = Number(ticks / units) + this.offsetSeconds;
    seg.tsNsec = Number(((ticks % units) * 1_000_000_000n) / units);
  }
}

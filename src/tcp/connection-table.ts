// TCP tracking: 4-tuple → connection id, an open-addressing hash table over one typed array.
// Keys are numbers (interned address ids and ports), canonicalised so both directions meet; a lookup
// allocates nothing. Each slot keeps its key and value side by side (4 words: a, b, ports, value),
// so a probe touches one cache line instead of one per column: with tens of thousands of live
// connections the table does not fit in cache, and the miss per lookup was the tracker's largest cost.

const STRIDE = 4;

export class ConnectionTable {
  private capacity: number;
  private mask: number;
  /** [a, b, ports, value] per slot; value 0 = empty. Int32 (ids and ports fit). */
  private slots: Int32Array;
  private used = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.capacity = cap;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap * STRIDE);
  }

  get size(): number {
    return this.used;
  }

  /** The id stored for this 4-tuple (either direction), or 0. */
  get(src: number, sport: number, dst: number, dport: number): number {
    let a: number, b: number, ports: number;
    if (src < dst || (src === dst && sport <= dport)) {
      a = src; b = dst; ports = (sport << 16) | dport;
    } else {
      a = dst; b = src; ports = (dport << 16) | sport;
    }
    const s = this.slots;
    const mask = this.mask;
    let i = hash(a, b, ports) & mask;
    for (;;) {
      const k = i * STRIDE;
      const v = s[k + 3]!;
      if (v === 0) return 0;
      if (s[k] === a && s[k + 1] === b && s[k + 2] === ports) return v;
      i = (i + 1) & mask;
    }
  }

  /** Store (or replace: port reuse) the id for this 4-tuple. */
  set(src: number, sport: number, dst: number, dport: number, id: number): void {
    if ((this.used + 1) * 2 > this.capacity) this.grow();
    let a: number, b: number, ports: number;
    if (src < dst || (src === dst && sport <= dport)) {
      a = src; b = dst; ports = (sport << 16) | dport;
    } else {
      a = dst; b = src; ports = (dport << 16) | sport;
    }
    this.insert(a, b, ports, id);
  }

  private insert(a: number, b: number, ports: number, id: number): void {
    const s = this.slots;
    let i = hash(a, b, ports) & this.mask;
    for (;;) {
      const k = i * STRIDE;
      const v = s[k + 3]!;
      if (v === 0) {
        s[k] = a; s[k + 1] = b; s[k + 2] = ports; s[k + 3] = id;
        this.used++;
        return;
      }
      if (s[k] === a && s[k + 1] === b && s[k + 2] === ports) {
        s[k + 3] = id;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Remove the 4-tuple if it still maps to `id` (backward-shift deletion keeps probing exact). */
  delete(src: number, sport: number, dst: number, dport: number, id: number): boolean {
    let a: number, b: number, ports: number;
    if (src < dst || (src === dst && sport <= dport)) {
      a = src; b = dst; ports = (sport << 16) | dport;
    } else {
      a = dst; b = src; ports = (dport << 16) | sport;
    }
    const s = this.slots;
    const mask = this.mask;
    let i = hash(a, b, ports) & mask;
    for (;;) {
      const k = i * STRIDE;
      const v = s[k + 3]!;
      if (v === 0) return false;
      if (s[k] === a && s[k + 1] === b && s[k + 2] === ports) break;
      i = (i + 1) & mask;
    }
    if (s[i * STRIDE + 3] !== id) return false;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = j * STRIDE;
      if (s[kj + 3] === 0) break;
      const home = hash(s[kj]!, s[kj + 1]!, s[kj + 2]!) & mask;
      // move j back into the hole at i unless its home lies cyclically in (i, j]
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        const ki = i * STRIDE;
        s[ki] = s[kj]!; s[ki + 1] = s[kj + 1]!; s[ki + 2] = s[kj + 2]!; s[ki + 3] = s[kj + 3]!;
        i = j;
      }
    }
    s[i * STRIDE + 3] = 0;
    this.used--;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.slots = new Int32Array(this.capacity * STRIDE);
    this.used = 0;
    for (let k = 0; k < old.length; k += STRIDE) {
      if (old[k + 3] !== 0) this.insert(old[k]!, old[k + 1]!, old[k + 2]!, old[k + 3]!);
    }
  }
}

function hash(a: number, b: number, ports: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= Math.imul(ports, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  return h >>> 0;
}

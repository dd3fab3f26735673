// TCP tracking: 4-tuple → connection id, an open-addressing hash table over typed arrays.
// Keys are numbers (interned address ids and ports), canonicalised so both directions meet; a lookup
// allocates nothing.

export class ConnectionTable {
  private capacity: number;
  private mask: number;
  private keyA: Uint32Array;
  private keyB: Uint32Array;
  private keyPorts: Uint32Array;
  /** Connection id per slot; 0 = empty. */
  private value: Int32Array;
  private used = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.capacity = cap;
    this.mask = cap - 1;
    this.keyA = new Uint32Array(cap);
    this.keyB = new Uint32Array(cap);
    this.keyPorts = new Uint32Array(cap);
    this.value = new Int32Array(cap);
  }

  get size(): number {
    return this.used;
  }

  /** The id stored for this 4-tuple (either direction), or 0. */
  get(src: number, sport: number, dst: number, dport: number): number {
    let a: number, b: number, ports: number;
    if (src < dst || (src === dst && sport <= dport)) {
      a = src; b = dst; ports = ((sport << 16) | dport) >>> 0;
    } else {
      a = dst; b = src; ports = ((dport << 16) | sport) >>> 0;
    }
    let i = hash(a, b, ports) & this.mask;
    for (;;) {
      const v = this.value[i]!;
      if (v === 0) return 0;
      if (this.keyA[i] === a && this.keyB[i] === b && this.keyPorts[i] === ports) return v;
      i = (i + 1) & this.mask;
    }
  }

  /** Store (or replace: port reuse) the id for this 4-tuple. */
  set(src: number, sport: number, dst: number, dport: number, id: number): void {
    if ((this.used + 1) * 2 > this.capacity) this.grow();
    let a: number, b: number, ports: number;
    if (src < dst || (src === dst && sport <= dport)) {
      a = src; b = dst; ports = ((sport << 16) | dport) >>> 0;
    } else {
      a = dst; b = src; ports = ((dport << 16) | sport) >>> 0;
    }
    this.insert(a, b, ports, id);
  }

  private insert(a: number, b: number, ports: number, id: number): void {
    let i = hash(a, b, ports) & this.mask;
    for (;;) {
      const v = this.value[i]!;
      if (v === 0) {
        this.keyA[i] = a; this.keyB[i] = b; this.keyPorts[i] = ports; this.value[i] = id;
        this.used++;
        return;
      }
      if (this.keyA[i] === a && this.keyB[i] === b && this.keyPorts[i] === ports) {
        this.value[i] = id;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Remove the 4-tuple if it still maps to `id` (backward-shift deletion keeps probing exact). */
  delete(src: number, sport: number, dst: number, dport: number, id: number): boolean {
    let a: number, b: number, ports: number;
    if (src < dst || (src === dst && sport <= dport)) {
      a = src; b = dst; ports = ((sport << 16) | dport) >>> 0;
    } else {
      a = dst; b = src; ports = ((dport << 16) | sport) >>> 0;
    }
    let i = hash(a, b, ports) & this.mask;
    for (;;) {
      const v = this.value[i]!;
      if (v === 0) return false;
      if (this.keyA[i] === a && this.keyB[i] === b && this.keyPorts[i] === ports) break;
      i = (i + 1) & this.mask;
    }
    if (this.value[i] !== id) return false;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      if (this.value[j] === 0) break;
      const home = hash(this.keyA[j]!, this.keyB[j]!, this.keyPorts[j]!) & this.mask;
      // move j back into the hole at i unless its home lies cyclically in (i, j]
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        this.keyA[i] = this.keyA[j]!; this.keyB[i] = this.keyB[j]!; this.keyPorts[i] = this.keyPorts[j]!;
        this.value[i] = this.value[j]!;
        i = j;
      }
    }
    this.value[i] = 0;
    this.used--;
    return true;
  }

  private grow(): void {
    const oldA = this.keyA, oldB = this.keyB, oldP = this.keyPorts, oldV = this.value;
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.keyA = new Uint32Array(this.capacity);
    this.keyB = new Uint32Array(this.capacity);
    this.keyPorts = new Uint32Array(this.capacity);
    this.value = new Int32Array(this.capacity);
    this.used = 0;
    for (let i = 0; i < oldV.length; i++) {
      if (oldV[i] !== 0) this.insert(oldA[i]!, oldB[i]!, oldP[i]!, oldV[i]!);
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

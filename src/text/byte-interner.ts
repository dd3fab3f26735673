// Text stage helper: maps byte strings (host names, service names, interface names as printed by
// tcpdump) to numbers without decoding a string per line; a string is built only the first time.

export class ByteInterner {
  private pool = new Uint8Array(4096);
  private poolLength = 0;
  private capacity = 0;
  private mask = 0;
  private count = 0;
  private offsets = new Int32Array(0);
  private lengths = new Int32Array(0);
  private hashes = new Int32Array(0);
  private values = new Float64Array(0);
  /** Slot of the last miss, so `add` after a failed `get` needs no second probe. */
  private lastHash = 0;

  constructor() {
    this.allocate(256);
  }

  get size(): number {
    return this.count;
  }

  /** Value stored for bytes[start, end), or -1. */
  get(bytes: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    h |= 0;
    this.lastHash = h;
    const len = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const l = this.lengths[slot]!;
      if (l < 0) return -1;
      if (l === len && this.hashes[slot] === h) {
        const off = this.offsets[slot]!;
        let same = true;
        for (let i = 0; i < len; i++) {
          if (this.pool[off + i] !== bytes[start + i]) { same = false; break; }
        }
        if (same) return this.values[slot]!;
      }
    }
  }

  /** Store `value` for bytes[start, end); call right after a `get` of the same bytes returned -1. */
  add(bytes: Uint8Array, start: number, end: number, value: number): void {
    if ((this.count + 1) * 2 > this.capacity) {
      this.grow();
    }
    const len = end - start;
    if (this.poolLength + len > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.pool.length * 2, this.poolLength + len));
      bigger.set(this.pool.subarray(0, this.poolLength));
      this.pool = bigger;
    }
    const off = this.poolLength;
    this.pool.set(bytes.subarray(start, end), off);
    this.poolLength += len;
    this.insert(this.lastHash, off, len, value);
    this.count++;
  }

  private insert(h: number, off: number, len: number, value: number): void {
    let slot = h & this.mask;
    while (this.lengths[slot]! >= 0) slot = (slot + 1) & this.mask;
    this.hashes[slot] = h;
    this.offsets[slot] = off;
    this.lengths[slot] = len;
    this.values[slot] = value;
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.offsets = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity).fill(-1);
    this.hashes = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  private grow(): void {
    const { offsets, lengths, hashes, values, capacity } = this;
    this.allocate(capacity * 2);
    for (let i = 0; i < capacity; i++) {
      if (lengths[i]! >= 0) this.insert(hashes[i]!, offsets[i]!, lengths[i]!, values[i]!);
    }
  }
}

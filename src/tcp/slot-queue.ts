// TCP tracking helper: a FIFO of (slot, id) pairs over a growable typed-array ring, the eviction
// candidates of a bounded tracker. Pushing and shifting allocate nothing (an array shifted from
// the front had to be sliced now and then, leaving large garbage arrays behind).

export class SlotQueue {
  private slots = new Int32Array(1024);
  private ids = new Float64Array(1024);
  private head = 0;
  private count = 0;
  /** The pair taken by the last `shift`. */
  slot = 0;
  id = 0;

  get length(): number {
    return this.count;
  }

  push(slot: number, id: number): void {
    if (this.count === this.slots.length) this.grow();
    const i = (this.head + this.count) & (this.slots.length - 1);
    this.slots[i] = slot;
    this.ids[i] = id;
    this.count++;
  }

  /** Take the oldest pair into `slot` and `id`; false when empty. */
  shift(): boolean {
    if (this.count === 0) return false;
    this.slot = this.slots[this.head]!;
    this.id = this.ids[this.head]!;
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.count--;
    return true;
  }

  private grow(): void {
    const n = this.slots.length;
    const slots = new Int32Array(n * 2);
    const ids = new Float64Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (n - 1);
      slots[k] = this.slots[i]!;
      ids[k] = this.ids[i]!;
    }
    this.slots = slots;
    this.ids = ids;
    this.head = 0;
  }
}

// Capture stage: the binary min-heap behind both k-way merges by timestamp, of several inputs on one
// thread (read-inputs.ts) and of several decode workers' rings (parallel-read.ts). It holds small
// integer indices (an input's or a ring's position) and orders them with the caller's `before`,
// which compares the current records of two indices; keeping the keys with the caller means nothing
// is copied per segment, and the heap allocates nothing after construction: the per-segment step
// (the top moved to its next record, sift it down) is comparisons and Int32Array moves only.

/**
 * Min-heap of the indices 0..capacity-1 (each present at most once). `before(a, b)` must be a strict
 * total order over the indices present (break ties on the index itself), so that the order in which
 * they come out does not depend on the heap's shape.
 */
export class IndexHeap {
  private readonly items: Int32Array;
  private n = 0;

  constructor(capacity: number, private readonly before: (a: number, b: number) => boolean) {
    this.items = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** The first index in the caller's order. Only while size > 0. */
  get top(): number {
    return this.items[0]!;
  }

  /** Add an index whose current record is ready to be compared. */
  push(index: number): void {
    if (this.n === this.items.length) throw new Error(`IndexHeap: more than ${this.items.length} indices`);
    this.items[this.n] = index;
    this.n++;
    this.siftUp(this.n - 1);
  }

  /** The top's key changed (its input moved on to its next record): put it back in order. */
  topChanged(): void {
    this.siftDown(0);
  }

  /** Remove the top (its input has ended). */
  pop(): void {
    if (this.n === 0) return;
    const last = --this.n;
    if (last > 0) {
      this.items[0] = this.items[last]!;
      this.siftDown(0);
    }
  }

  private siftDown(at: number): void {
    const heap = this.items;
    const before = this.before;
    const n = this.n;
    const item = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  }

  private siftUp(at: number): void {
    const heap = this.items;
    const before = this.before;
    const item = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(item, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = item;
  }
}

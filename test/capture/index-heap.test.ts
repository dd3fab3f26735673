// The merge heap shared by both k-way merges (read-inputs.ts: inputs on one thread; parallel-read.ts:
// decode workers' rings). Merging lists that are each in order must give exactly what a stable sort
// of their concatenation (in list order) gives, ties included: that is the "stable on equal
// timestamps, command-line order" promise of readSegments.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IndexHeap } from '../../src/capture/index-heap.js';

interface Rec { sec: number; nsec: number; input: number; list: number; at: number }

/** (sec, nsec, input) order; tiny ranges so that ties are common. */
const key = (a: Rec, b: Rec): number => a.sec - b.sec || a.nsec - b.nsec || a.input - b.input;
const rec = fc.record({ sec: fc.integer({ min: 0, max: 3 }), nsec: fc.integer({ min: 0, max: 3 }), input: fc.integer({ min: 0, max: 2 }) });
const lists = fc.array(fc.array(rec, { maxLength: 40 }), { minLength: 1, maxLength: 9 });

/** Each list sorted by its own key, its records numbered. */
function prepare(raw: { sec: number; nsec: number; input: number }[][], withInput: boolean): Rec[][] {
  return raw.map((l, list) => l
    .map((r) => ({ ...r, input: withInput ? r.input : list, list, at: 0 }))
    .sort(key)
    .map((r, at) => ({ ...r, at })));
}

/** The call sites' "comes first" test: (sec, nsec), then the input (parallel-read only: a worker's
 *  ring carries several inputs), then the list's position. */
function callSiteOrder(ls: Rec[][], byInput: boolean): (cur: Int32Array) => (a: number, b: number) => boolean {
  return (cur) => (a, b) => {
    const ra = ls[a]![cur[a]!]!, rb = ls[b]![cur[b]!]!;
    if (ra.sec !== rb.sec) return ra.sec < rb.sec;
    if (ra.nsec !== rb.nsec) return ra.nsec < rb.nsec;
    if (byInput && ra.input !== rb.input) return ra.input < rb.input;
    return a < b;
  };
}

/** The merge loop of both call sites: the top's record out, its list moves on, sift or remove it. */
function merge(ls: Rec[][], before: (cur: Int32Array) => (a: number, b: number) => boolean): Rec[] {
  const cur = new Int32Array(ls.length);
  const heap = new IndexHeap(ls.length, before(cur));
  for (let i = 0; i < ls.length; i++) if (ls[i]!.length > 0) heap.push(i);
  const out: Rec[] = [];
  while (heap.size > 0) {
    const i = heap.top;
    out.push(ls[i]![cur[i]!]!);
    cur[i]!++;
    if (cur[i]! < ls[i]!.length) heap.topChanged();
    else heap.pop();
  }
  return out;
}

describe('IndexHeap', () => {
  it('read-inputs order (sec, nsec, then input position) equals a stable sort, ties included', () => {
    fc.assert(fc.property(lists, (raw) => {
      const ls = prepare(raw, false);
      const merged = merge(ls, callSiteOrder(ls, false));
      assert.deepEqual(merged, ls.flat().sort(key)); // Array.prototype.sort is stable
    }), { numRuns: 500 });
  });

  it('parallel-read order (sec, nsec, input, then ring position) equals a stable sort, ties included', () => {
    fc.assert(fc.property(lists, (raw) => {
      const ls = prepare(raw, true);
      const merged = merge(ls, callSiteOrder(ls, true));
      assert.deepEqual(merged, ls.flat().sort(key));
    }), { numRuns: 500 });
  });

  it('push and pop: indices come out in key order whatever order they went in', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 64 }), fc.nat(), (keys, shift) => {
      const heap = new IndexHeap(keys.length, (a, b) => keys[a]! < keys[b]! || (keys[a] === keys[b] && a < b));
      for (let k = 0; k < keys.length; k++) heap.push((k + shift) % keys.length);
      assert.equal(heap.size, keys.length);
      const out: number[] = [];
      while (heap.size > 0) {
        out.push(heap.top);
        heap.pop();
      }
      const expected = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
      assert.deepEqual(out, expected);
    }), { numRuns: 300 });
  });

  it('pop on an empty heap is harmless; more indices than its capacity is a bug, thrown', () => {
    const heap = new IndexHeap(1, (a, b) => a < b);
    heap.pop();
    assert.equal(heap.size, 0);
    heap.push(0);
    assert.throws(() => heap.push(0), /more than 1/);
  });
});

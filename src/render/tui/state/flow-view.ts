// TUI table stage: flows + filter + sort + findings-only → a view (positions → flow indices).
// Computed once per change of its inputs, never per key: with 1,000,000 connections a filter
// pass costs tens of milliseconds and a sort a few hundred, a cursor move nothing.

import type { FlowRecord, TcpState } from '../../../analysis/flow-record.js';
import type { FlowPredicate } from '../../../filter/filter-expression.js';

/** Positions 0..count-1 of the table; `indexAt(p)` is the index into `flows`. */
export interface FlowView {
  readonly count: number;
  indexAt(position: number): number;
}

/** No filter and id order: the flows array itself, nothing allocated. */
class IdentityView implements FlowView {
  constructor(readonly count: number) {}
  indexAt(position: number): number {
    return position;
  }
}

class IndexView implements FlowView {
  constructor(private readonly indices: Uint32Array) {}
  get count(): number {
    return this.indices.length;
  }
  indexAt(position: number): number {
    return this.indices[position] ?? -1;
  }
}

/** A sort the `s` key cycles through. `key` gives a number per flow; ties keep id order. */
export interface SortOrder {
  /** Shown in the header: `id ↑`, `age ↓`. */
  label: string;
  descending: boolean;
  key: ((flow: FlowRecord) => number) | null;
}

// Worst first: what an on-call engineer looks for before anything else.
const STATE_RANK: Record<TcpState, number> = {
  CLOSE_WAIT: 0, LAST_ACK: 1, FIN_WAIT_1: 2, FIN_WAIT_2: 3, CLOSING: 4, SYN_SENT: 5, SYN_RECEIVED: 6,
  ESTABLISHED: 7, TIME_WAIT: 8, UNKNOWN: 9, CLOSED: 10,
};

function findingAge(flow: FlowRecord): number {
  let max = -1;
  for (const f of flow.findings) if (f.age > max) max = f.age;
  return max;
}

export const SORT_ORDERS: readonly SortOrder[] = [
  { label: 'id', descending: false, key: null },
  { label: 'state', descending: false, key: (f) => Math.min(STATE_RANK[f.orig_state], STATE_RANK[f.resp_state]) },
  { label: 'finding age', descending: true, key: findingAge },
  { label: 'duration', descending: true, key: (f) => f.duration },
  { label: 'bytes', descending: true, key: (f) => f.orig_bytes + f.resp_bytes },
  { label: 'packets', descending: true, key: (f) => f.orig_pkts + f.resp_pkts },
  { label: 'last activity', descending: true, key: (f) => f.ts + f.duration },
];

export interface ViewSpec {
  predicate: FlowPredicate | null;
  /** Connection ids to keep (an aggregate finding's list), or null. */
  ids: ReadonlySet<number> | null;
  findingsOnly: boolean;
  sort: SortOrder;
}

/** Filter then sort. Ties (and the id order) keep the flows' own order, which is id order. */
export function computeView(flows: readonly FlowRecord[], spec: ViewSpec): FlowView {
  const n = flows.length;
  const filtering = spec.predicate !== null || spec.ids !== null || spec.findingsOnly;
  if (!filtering && spec.sort.key === null) return new IdentityView(n);

  let indices: Uint32Array;
  if (filtering) {
    const keep = new Uint32Array(n);
    let k = 0;
    const { predicate, ids, findingsOnly } = spec;
    for (let i = 0; i < n; i++) {
      const f = flows[i]!;
      if (findingsOnly && f.findings.length === 0) continue;
      if (ids !== null && !ids.has(f.id)) continue;
      if (predicate !== null && !predicate(f)) continue;
      keep[k++] = i;
    }
    indices = keep.slice(0, k);
  } else {
    indices = new Uint32Array(n);
    for (let i = 0; i < n; i++) indices[i] = i;
  }
  if (spec.sort.key !== null) sortIndices(flows, indices, spec.sort);
  return new IndexView(indices);
}

/**
 * Stable sort of `indices` by the order's key, in place. Keys are computed once into a
 * Float64Array (one call per row, not two per comparison), then a permutation of positions is
 * sorted with a comparator that reads only typed arrays; ties fall back to the position, which is
 * id order. Measured on 1,000,000 rows: ~350 ms, against ~1.5 s for a comparator over the records.
 */
function sortIndices(flows: readonly FlowRecord[], indices: Uint32Array, order: SortOrder): void {
  const n = indices.length;
  if (n < 2 || order.key === null) return;
  const key = order.key;
  const sign = order.descending ? -1 : 1;
  const keys = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const v = key(flows[indices[p]!]!);
    keys[p] = Number.isFinite(v) ? sign * v : Number.MAX_VALUE;
  }
  const perm = new Uint32Array(n);
  for (let p = 0; p < n; p++) perm[p] = p;
  perm.sort((a, b) => keys[a]! - keys[b]! || a - b);
  const copy = indices.slice();
  for (let p = 0; p < n; p++) indices[p] = copy[perm[p]!]!;
}

/** Position of the flow with this id in the view, or -1. O(count); used only after a view change. */
export function positionOfId(flows: readonly FlowRecord[], view: FlowView, id: number): number {
  if (view instanceof IdentityView) {
    // Ids are 1-based in capture order; with no eviction the id is the index + 1.
    const guess = id - 1;
    if (flows[guess]?.id === id) return guess;
  }
  for (let p = 0; p < view.count; p++) if (flows[view.indexAt(p)]?.id === id) return p;
  return -1;
}

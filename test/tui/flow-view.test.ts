// The table view (filter + findings-only + id scope + sort) against a plain filter and a stable
// comparator sort over the same flows: the packed-rank sort must give exactly the same order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FlowRecord, TcpState } from '../../src/analysis/flow-record.js';
import { compileFilter } from '../../src/filter/filter-expression.js';
import { computeView, positionOfId, SORT_ORDERS, type ViewSpec } from '../../src/render/tui/state/flow-view.js';
import { finNotReturned, flow, manyFlows } from './tui-fixtures.js';

const STATES: TcpState[] = ['SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'CLOSED', 'UNKNOWN'];

function ids(flows: readonly FlowRecord[], spec: ViewSpec): number[] {
  const v = computeView(flows, spec);
  const out: number[] = [];
  for (let p = 0; p < v.count; p++) out.push(flows[v.indexAt(p)]!.id);
  return out;
}

/** The oracle: Array.filter, then Array.sort (stable since ES2019) on the order's key. */
function naive(flows: readonly FlowRecord[], spec: ViewSpec): number[] {
  let rows = flows.filter((f) => (!spec.findingsOnly || f.findings.length > 0) && (spec.ids === null || spec.ids.has(f.id)) && (spec.predicate === null || spec.predicate(f)));
  const key = spec.sort.key;
  if (key) rows = [...rows].sort((a, b) => (spec.sort.descending ? key(b) - key(a) : key(a) - key(b)));
  return rows.map((f) => f.id);
}

const flowArb = fc.record({
  duration: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e5, noNaN: true })),
  orig_bytes: fc.nat({ max: 5000 }),
  resp_bytes: fc.oneof(fc.constant(0), fc.nat({ max: 2 ** 40 })),
  orig_pkts: fc.nat({ max: 20 }),
  resp_pkts: fc.nat({ max: 20 }),
  orig_state: fc.constantFrom(...STATES),
  resp_state: fc.constantFrom(...STATES),
  resp_p: fc.constantFrom(80, 443, 9000),
  age: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true }), { nil: undefined }),
});

test('filter + sort equals the plain filter and stable comparator sort, for every order', () => {
  fc.assert(
    fc.property(fc.array(flowArb, { maxLength: 60 }), fc.nat({ max: SORT_ORDERS.length - 1 }), fc.boolean(), fc.constantFrom('', 'port 9000', 'state CLOSE_WAIT or resp_state ESTABLISHED', 'not port 80'), fc.boolean(), (rows, order, findingsOnly, expr, scoped) => {
      const flows = rows.map((r, i) => flow({
        id: i + 1, duration: r.duration, orig_bytes: r.orig_bytes, resp_bytes: r.resp_bytes, orig_pkts: r.orig_pkts,
        resp_pkts: r.resp_pkts, orig_state: r.orig_state, resp_state: r.resp_state, resp_p: r.resp_p, ts: 1000 + (i % 7),
        findings: r.age === undefined ? [] : [finNotReturned({ age: r.age, flow: i + 1 })],
      }));
      const spec: ViewSpec = {
        predicate: expr ? compileFilter(expr) : null,
        ids: scoped ? new Set(flows.filter((f) => f.id % 3 !== 0).map((f) => f.id)) : null,
        findingsOnly,
        sort: SORT_ORDERS[order]!,
      };
      assert.deepEqual(ids(flows, spec), naive(flows, spec));
    }),
    { numRuns: 400 },
  );
});

test('equal keys keep id order in both directions (the sort is stable)', () => {
  const flows = [5, 1, 5, 1, 5].map((d, i) => flow({ id: i + 1, duration: d }));
  const byDuration = SORT_ORDERS.find((o) => o.label === 'duration')!;
  assert.deepEqual(ids(flows, { predicate: null, ids: null, findingsOnly: false, sort: byDuration }), [1, 3, 5, 2, 4]);
});

test('no filter and id order allocate nothing: the view is the array itself', () => {
  const flows = manyFlows(10);
  const v = computeView(flows, { predicate: null, ids: null, findingsOnly: false, sort: SORT_ORDERS[0]! });
  assert.equal(v.count, 10);
  assert.equal(v.indexAt(7), 7);
  assert.equal(positionOfId(flows, v, 8), 7);
  assert.equal(positionOfId(flows, v, 99), -1);
});

test('1,000,000 flows: a filter pass and a sort stay well under a second', () => {
  const flows = manyFlows(1_000_000);
  let t = performance.now();
  const filtered = computeView(flows, { predicate: compileFilter('state CLOSE_WAIT'), ids: null, findingsOnly: false, sort: SORT_ORDERS[0]! });
  const filterMs = performance.now() - t;
  assert.equal(filtered.count, 20_000);
  t = performance.now();
  const sorted = computeView(flows, { predicate: null, ids: null, findingsOnly: false, sort: SORT_ORDERS.find((o) => o.label === 'duration')! });
  const sortMs = performance.now() - t;
  assert.equal(sorted.count, 1_000_000);
  for (let p = 1; p < 1000; p++) assert.ok(flows[sorted.indexAt(p - 1)]!.duration >= flows[sorted.indexAt(p)]!.duration);
  console.log(`# 1,000,000 flows: filter ${filterMs.toFixed(0)} ms, sort by duration ${sortMs.toFixed(0)} ms`);
  assert.ok(filterMs < 1000 && sortMs < 3000, `filter ${filterMs} ms, sort ${sortMs} ms`);
});

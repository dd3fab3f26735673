// The summary's netstat view (sockets per state per endpoint) against a direct count, and the
// grouping of findings into lines that lead to their connections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter } from '../../src/filter/filter-expression.js';
import { buildSummary, groupFindings, layoutSummary, parseEndpoint, SUMMARY_STATES } from '../../src/render/tui/state/state-summary.js';
import { finNotReturned, flow, manyFlows } from './tui-fixtures.js';

test('per-endpoint state counts equal a direct count of resp_state per server and orig_state per client host', () => {
  const flows = manyFlows(5000);
  const model = buildSummary(flows, []);
  for (const row of model.endpoints) {
    const mine = row.role === 'server'
      ? flows.filter((f) => `${f.resp_h}:${f.resp_p}` === row.label).map((f) => f.resp_state)
      : flows.filter((f) => f.orig_h === row.label).map((f) => f.orig_state);
    assert.equal(row.total, mine.length, row.label);
    SUMMARY_STATES.forEach((s, i) => assert.equal(row.counts[i], mine.filter((x) => x === s).length, `${row.label} ${s}`));
    // The row's target selects exactly those connections.
    assert.equal(row.target.kind, 'filter');
    if (row.target.kind === 'filter') assert.equal(flows.filter(compileFilter(row.target.expression)).length, row.total, row.target.expression);
  }
  // Endpoints owing a close (CLOSE_WAIT here) sort first.
  assert.equal(model.endpoints[0]!.role, 'server');
  assert.ok(model.endpoints[0]!.counts[SUMMARY_STATES.indexOf('CLOSE_WAIT')]! > 0);
  assert.deepEqual(SUMMARY_STATES.filter((_, i) => model.usedStates[i]), ['FIN_WAIT_2', 'CLOSE_WAIT', 'TIME_WAIT', 'CLOSED']);
});

test('the endpoint table is capped and says how many rows it left out', () => {
  const flows = manyFlows(3000);
  const model = buildSummary(flows, [], 10);
  assert.equal(model.endpoints.length, 10);
  const distinct = new Set(flows.map((f) => `s${f.resp_h}:${f.resp_p}`)).size + new Set(flows.map((f) => `c${f.orig_h}`)).size;
  assert.equal(model.moreEndpoints, distinct - 10);
  assert.ok(layoutSummary(model).lines.some((l) => l.kind === 'note' && l.text.includes(`${distinct - 10} more endpoints`)));
});

test('findings group by code, severity and host: one server port stays host:port; many client ports collapse', () => {
  const server = [1, 2, 3].map((id) => finNotReturned({ flow: id, endpoint: '10.0.0.5:9000' }));
  const clients = [4, 5].map((id) => finNotReturned({ flow: id, endpoint: `10.0.0.9:${40000 + id}`, severity: 'error' }));
  const groups = groupFindings([...server, ...clients]);
  assert.deepEqual(groups.map((g) => [g.severity, g.endpoint, g.count]), [['error', '10.0.0.9 (2 ports)', 2], ['warning', '10.0.0.5:9000', 3]]);
  const flows = [1, 2, 3, 4, 5, 6].map((id) => flow({
    id, resp_h: id <= 3 ? '10.0.0.5' : '10.0.0.1', orig_h: id <= 3 ? '10.0.0.20' : '10.0.0.9', orig_p: 40000 + id, resp_p: id <= 3 ? 9000 : 22,
    findings: [...server, ...clients].filter((f) => f.flow === id),
  }));
  for (const g of groups) {
    assert.equal(g.target.kind, 'filter');
    if (g.target.kind === 'filter') assert.equal(flows.filter(compileFilter(g.target.expression)).length, g.count, g.target.expression);
  }
});

test('endpoints parse as ip:port and [v6]:port', () => {
  assert.deepEqual(parseEndpoint('10.0.0.5:9000'), { host: '10.0.0.5', port: 9000 });
  assert.deepEqual(parseEndpoint('[2001:db8::1]:443'), { host: '2001:db8::1', port: 443 });
  assert.equal(parseEndpoint('10.0.0.5'), null);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilterError } from '../../src/filter/filter-expression.js';
import type { FlowRecord } from '../../src/analysis/flow-record.js';

function flow(over: Partial<FlowRecord>): FlowRecord {
  return {
    id: 1, orig_h: '10.0.0.9', orig_p: 51234, resp_h: '10.0.0.5', resp_p: 9000, ts: 1000, duration: 12,
    orig_pkts: 5, resp_pkts: 4, orig_bytes: 100, resp_bytes: 0, conn_state: 'S2', history: 'ShADaF',
    orig_state: 'FIN_WAIT_2', resp_state: 'CLOSE_WAIT', first_fin: 'orig', findings: [], ...over,
  };
}

const closeWait = flow({});
const clean = flow({ id: 2, orig_p: 40000, resp_p: 80, resp_h: '192.168.1.1', orig_state: 'TIME_WAIT', resp_state: 'CLOSED', conn_state: 'SF', history: 'ShADadFf', duration: 400 });
const withFinding = flow({ id: 3, findings: [{ code: 'fin-not-returned', severity: 'warning', endpoint: '10.0.0.5:9000', since: 1, age: 30, message: '' }] });

test('host and port match either endpoint', () => {
  assert.equal(compileFilter('port 9000')(closeWait), true);
  assert.equal(compileFilter('port 9000')(clean), false);
  assert.equal(compileFilter('port 51234')(closeWait), true);
  assert.equal(compileFilter('host 10.0.0.5')(closeWait), true);
  assert.equal(compileFilter('host 10.0.0.5')(clean), false);
  assert.equal(compileFilter('resp port 9000')(closeWait), true);
  assert.equal(compileFilter('orig port 9000')(closeWait), false);
});

test('state names are the contract names; either endpoint for "state"', () => {
  assert.equal(compileFilter('state CLOSE_WAIT')(closeWait), true);
  assert.equal(compileFilter('state close-wait')(closeWait), true);
  assert.equal(compileFilter('orig_state CLOSE_WAIT')(closeWait), false);
  assert.equal(compileFilter('resp_state CLOSE_WAIT')(closeWait), true);
  assert.equal(compileFilter('conn_state sf')(clean), true);
});

test('and / or / not / parentheses, and juxtaposition as and', () => {
  assert.equal(compileFilter('port 9000 and state CLOSE_WAIT')(closeWait), true);
  assert.equal(compileFilter('port 9000 state TIME_WAIT')(closeWait), false);
  assert.equal(compileFilter('port 80 or port 9000')(clean), true);
  assert.equal(compileFilter('not port 9000')(clean), true);
  assert.equal(compileFilter('not (port 80 or port 9000)')(clean), false);
  assert.equal(compileFilter('! port 80')(closeWait), true);
});

test('findings, severity and numeric comparisons with units', () => {
  assert.equal(compileFilter('finding fin-not-returned')(withFinding), true);
  assert.equal(compileFilter('finding fin-not-returned')(closeWait), false);
  assert.equal(compileFilter('severity warning')(withFinding), true);
  assert.equal(compileFilter('severity error')(withFinding), false);
  assert.equal(compileFilter('duration > 5m')(clean), true);
  assert.equal(compileFilter('duration > 5m')(closeWait), false);
  assert.equal(compileFilter('bytes >= 100')(closeWait), true);
  assert.equal(compileFilter('id 2')(clean), true);
  assert.equal(compileFilter('net 192.168.0.0/16')(clean), true);
  assert.equal(compileFilter('net 192.168.0.0/16')(closeWait), false);
});

test('errors say what was expected and where', () => {
  assert.throws(() => compileFilter('port'), (e: unknown) => e instanceof FilterError && /port number/.test(e.message));
  assert.throws(() => compileFilter('port 70000'), FilterError);
  assert.throws(() => compileFilter('state OPEN'), (e: unknown) => e instanceof FilterError && e.column === 6);
  assert.throws(() => compileFilter('(port 80'), FilterError);
  assert.throws(() => compileFilter('port 80)'), FilterError);
  assert.throws(() => compileFilter('bogus 1'), (e: unknown) => e instanceof FilterError && e.column === 0);
});

test('leading and trailing spaces are fine (a failed sticky match once reset the tokenizer)', () => {
  assert.equal(compileFilter('port 9000 ')(closeWait), true);
  assert.equal(compileFilter('  port 9000  and  state CLOSE_WAIT   ')(closeWait), true);
});

test('blank selects everything', () => {
  assert.equal(compileFilter('  ')(clean), true);
});

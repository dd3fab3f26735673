// `finscope summary` rendering: the endpoint table, CLOSE_WAIT growth and fd projection, grouped
// findings with next commands, input problems, the three formats and escaping.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyze, buildResult } from '../../src/index.js';
import type { AnalysisResult } from '../../src/analysis/analysis-result.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import {
  buildSummary, buildSummaryView, firstInOrder, renderSummary, renderSummaryView, viewOf, type SummaryModel, type SummaryOptions,
} from '../../src/render/summary.js';
import { Wire } from './wire.js';

const OPTIONS = { timeWait: 60, finTimeout: 60, minAge: 5, keepSegments: false };

/**
 * Over 80 s: 30 connections to 10.0.0.5:9000 left in CLOSE_WAIT by the server (one every 2 s) beside
 * 5 open ones; 2 to 10.0.0.6:80 left in CLOSE_WAIT; 3 clean ones to 10.0.0.7:443.
 */
function incident(issues = new IssueLog()): AnalysisResult {
  const w = new Wire();
  let port = 40000;
  for (let i = 0; i < 30; i++) {
    const c = w.conversation('10.0.0.9', port++, '10.0.0.5', 9000);
    const t = i * 2;
    c.handshake(t);
    c.exchange(t + 0.01);
    c.fin('client', t + 0.1);
    c.ack('server', t + 0.1001);
  }
  for (let i = 0; i < 5; i++) w.conversation('10.0.0.9', port++, '10.0.0.5', 9000).handshake(10 + i);
  for (let i = 0; i < 2; i++) {
    const c = w.conversation('10.0.0.8', port++, '10.0.0.6', 80);
    c.handshake(20 + i * 10);
    c.fin('client', 20.5 + i * 10);
    c.ack('server', 20.5001 + i * 10);
  }
  for (let i = 0; i < 3; i++) {
    const c = w.conversation('10.0.0.8', port++, '10.0.0.7', 443);
    c.handshake(30 + i);
    c.exchange(30.01 + i);
    c.close('server', 30.1 + i);
  }
  w.tick(80);
  w.tracker.finish();
  return buildResult(w.tracker, w.addresses, issues, undefined, OPTIONS);
}

describe('endpoint table and CLOSE_WAIT growth', () => {
  test('rows per local endpoint at capture end, leaking fastest first', () => {
    const m = buildSummary(incident());
    const rows = m.endpoints.map((r) => [r.role === 'server' ? r.endpoint : `${r.endpoint} → ${r.peer}`, r.states]);
    assert.deepEqual(rows.slice(0, 2), [
      ['10.0.0.5:9000', { CLOSE_WAIT: 30, ESTABLISHED: 5 }],
      ['10.0.0.6:80', { CLOSE_WAIT: 2 }],
    ]);
    // the clean server holds its actively closed sockets in TIME_WAIT; their clients are gone
    assert.ok(rows.some(([label, states]) => label === '10.0.0.7:443' && JSON.stringify(states) === '{"TIME_WAIT":3}'));
    assert.ok(!rows.some(([label]) => label === '10.0.0.8 → 10.0.0.7:443'), 'CLOSED sockets are not listed');
  });

  test('growth per minute over the capture and the time to the fd limit at that rate', () => {
    const result = incident();
    const duration = result.captureEnd - result.captureStart;
    const m = buildSummary(result, { fdLimit: 1024 });
    const g = m.endpoints[0]!.closeWait!;
    assert.equal(g.count, 30);
    const perMinute = (30 / duration) * 60;
    assert.ok(Math.abs(g.perMinute! - perMinute) < 1e-9);
    assert.equal(g.openSockets, 35);
    assert.ok(Math.abs(g.secondsToFdLimit! - ((1024 - 35) / perMinute) * 60) < 1e-6);
    assert.ok(Math.abs(g.firstSince - (result.captureStart + 0.1)) < 1e-6);
    const text = renderSummary(result, { fdLimit: 1024, width: 1000 });
    // 30 in 80 s = 22.5/min; (1024 − 35) / 22.5 min = 43 min 57 s
    assert.match(text, /10\.0\.0\.5:9000: 30 CLOSE_WAIT, \+22\.5\/min since .*; fd limit 1,024 reached in ~43 min 57 s at this rate/);
    // at or above the limit already
    const low = buildSummary(result, { fdLimit: 20 }).endpoints[0]!.closeWait!;
    assert.equal(low.secondsToFdLimit, 0);
    assert.match(renderSummary(result, { fdLimit: 20, width: 1000 }), /35 sockets open: already at or above the fd limit of 20/);
  });
});

describe('finding groups', () => {
  test('grouped by endpoint and pattern, with counts, timing, the oldest examples and next commands', () => {
    const m = buildSummary(incident());
    const g = m.groups.find((x) => x.code === 'fin-not-returned' && x.endpoint === '10.0.0.5:9000');
    assert.ok(g);
    assert.equal(g.count, 30);
    assert.equal(g.severity, 'error', 'the oldest are over a minute old');
    assert.deepEqual(g.examples, [1, 2, 3]);
    assert.ok(g.age.min < g.age.median && g.age.median < g.age.max);
    assert.ok(Math.abs(g.age.max - 79.9) < 1e-3);
    assert.ok(Math.abs(g.age.min - 21.9) < 1e-3);
    // ages 21.9 … 79.9 s: ten at or over errorAge (60 s), the rest over --min-age
    assert.deepEqual(g.bySeverity, { info: 0, warning: 20, error: 10 });
    assert.ok(g.next.includes("ss -tanp state close-wait '( sport = :9000 )'"));
    assert.ok(g.next.includes('lsof -p PID'));
    assert.ok(g.next.some((c) => c.startsWith('py-spy dump') && c.includes('jstack')));
    assert.equal(m.groups[0], g, 'most severe and most numerous first');
    assert.deepEqual(m.totals, { error: 10, warning: 22, info: 0 });
  });

  test('a clean capture says so', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.1', 40000, '10.0.0.2', 80);
    c.handshake(0); c.exchange(0.1); c.close('client', 0.2);
    w.tracker.finish();
    const result = buildResult(w.tracker, w.addresses, new IssueLog(), undefined, OPTIONS);
    const text = renderSummary(result);
    assert.match(text, /Findings by endpoint and pattern\n {2}none/);
    assert.match(text, /findings: 0 error, 0 warning, 0 info/);
  });
});

describe('formats', () => {
  test('json is the documented model', () => {
    const result = incident();
    const m = JSON.parse(renderSummary(result, { format: 'json' })) as SummaryModel;
    assert.equal(m.schema, 'finscope-summary/1');
    // `limits` (issue 9): what --max-connections evicted; keys are only ever added
    assert.deepEqual(Object.keys(m), ['schema', 'capture', 'totals', 'endpoints', 'patterns', 'groups', 'issues', 'limits']);
    assert.deepEqual(m.patterns.map((p) => [p.code, p.severity, p.connections, p.endpoints]), [['fin-not-returned', 'error', 32, 2]]);
    assert.equal(m.capture.connections, result.flows.length);
    assert.equal(m.endpoints[0]!.states.CLOSE_WAIT, 30);
    assert.deepEqual(Object.keys(m.groups[0]!).sort(), [
      'age', 'bySeverity', 'code', 'connections', 'count', 'endpoint', 'examples', 'idle', 'message', 'next', 'role', 'severity', 'since',
    ]);
  });

  test('md has the table and fenced commands', () => {
    const md = renderSummary(incident(), { format: 'md' });
    assert.match(md, /^# finscope summary$/m);
    assert.match(md, /^\| 10\.0\.0\.5:9000 \| server \| CLOSE_WAIT 30 {2}ESTABLISHED 5 \|/m);
    assert.match(md, /^### ERROR `fin-not-returned` on 10\.0\.0\.5:9000$/m);
    assert.match(md, /```sh\nss -tanp state close-wait/);
  });

  test('colour only when asked', () => {
    const result = incident();
    assert.ok(!renderSummary(result).includes('\x1b'));
    const colored = renderSummary(result, { color: true });
    assert.ok(colored.includes('\x1b[1;31mCLOSE_WAIT 30\x1b[0m'));
    assert.ok(colored.includes('\x1b[1;31mERROR'));
  });

  test('capture-derived text is escaped for the terminal and for markdown', () => {
    const result = incident();
    // a host name as tcpdump printed it without -n can be anything but spaces
    const evil = 'evil\x1b[2Jhost|<b>';
    for (const f of result.flows) if (f.resp_h === '10.0.0.6') f.resp_h = evil;
    for (const x of result.findings) x.message = x.message.replaceAll('10.0.0.6', evil);
    for (const f of result.flows) for (const x of f.findings) x.endpoint = x.endpoint.replaceAll('10.0.0.6', evil);
    const text = renderSummary(result);
    assert.ok(!text.includes('\x1b'), 'no raw escape sequence reaches the terminal');
    assert.ok(text.includes('evil\\x1b[2Jhost|<b>:80'));
    const md = renderSummary(result, { format: 'md' });
    assert.ok(!md.includes('<b>'));
    assert.ok(md.includes('| evil\\x1b[2Jhost\\|&lt;b&gt;:80 |'));
    const json = JSON.parse(renderSummary(result, { format: 'json' })) as SummaryModel;
    assert.ok(json.endpoints.some((r) => r.endpoint === `${evil}:80`), 'JSON keeps the text exactly');
  });
});

test('input problems are summarised by kind, with the first of each', () => {
  const issues = new IssueLog();
  issues.add('unparsable-line', 'incident.txt', 0, -1, 12, 'expected a TCP line, found "garbage"');
  issues.add('unparsable-line', 'incident.txt', 0, -1, 40, 'expected a TCP line, found "more"');
  issues.add('truncated-file', 'incident.txt', 0, 9000, 0, 'the input ends inside a line');
  issues.skip('ipv4 proto 17');
  const result = incident(issues);
  const m = buildSummary(result);
  assert.deepEqual(m.issues.byCode, { 'unparsable-line': 2, 'truncated-file': 1 });
  assert.equal(m.issues.total, 3);
  const text = renderSummary(result);
  assert.match(text, /unparsable-line 2, truncated-file 1/);
  assert.match(text, /first: "incident\.txt": line 12: unparsable-line: expected a TCP line/);
  assert.match(text, /skipped \(not TCP or not decodable\): ipv4 proto 17 1/);
});

test('text explains each pattern once, lists the commands once, and keeps one line per further group', () => {
  const w = new Wire();
  for (let i = 0; i < 12; i++) {
    const c = w.conversation('10.0.0.9', 45000 + i, `10.0.1.${i}`, 5432);
    c.handshake(i);
    c.fin('client', i + 0.5);
    c.ack('server', i + 0.5001);
  }
  w.tick(100);
  w.tracker.finish();
  const result = buildResult(w.tracker, w.addresses, new IssueLog(), undefined, OPTIONS);
  const text = renderSummary(result, { width: 1000 });
  assert.equal(text.match(/never sent its own FIN/g)?.length, 1, 'one full explanation');
  assert.equal(text.match(/next, on that host:/g)?.length, 1);
  assert.equal(text.match(/^ {2}ERROR {3}fin-not-returned {2}10\.0\.1\.\d+:5432 {2}\(1 connection\)$/gm)?.length, 12);
  assert.match(text, /^Patterns\n {2}ERROR {3}fin-not-returned {2}12 connections on 12 endpoints \(12 error\)$/m);
  assert.match(text, /… 2 more endpoints hold 2 CLOSE_WAIT between them/);
  assert.match(text, /10\.0\.1\.\d+:5432: 1 CLOSE_WAIT since .* \(too few to project a rate\)/);
});

/**
 * Many endpoint rows that tie: 14 client hosts, each connected to two or three of four servers in
 * the same states, so a host's rows differ only by their peer (which the ranking does not look at:
 * first seen goes first); some servers left in CLOSE_WAIT, some sockets open.
 */
function crowd(): AnalysisResult {
  const w = new Wire();
  let port = 30000;
  const servers = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'];
  for (let h = 0; h < 14; h++) {
    const host = `10.2.0.${h + 1}`;
    for (let k = 0; k < 2 + (h % 2); k++) {
      const server = servers[(h + k) % servers.length]!;
      const c = w.conversation(host, port++, server, 8080 + (h % 3));
      const t = h + k * 0.1;
      c.handshake(t);
      if (h % 4 !== 0) {
        c.fin('client', t + 0.01);
        c.ack('server', t + 0.0101);
      }
    }
  }
  w.tick(60);
  w.tracker.finish();
  return buildResult(w.tracker, w.addresses, new IssueLog(), undefined, OPTIONS);
}

describe('the text and Markdown formats rank and finish only the rows and groups they show', () => {
  test('firstInOrder: the first k items of a stable sort, equal items in input order', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: Math.floor(rnd() * 40) }, (_, id) => ({ key: Math.floor(rnd() * 5), id }));
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
      const sorted = items.slice().sort(byKey);
      for (const k of [0, 1, 2, 5, 17, items.length, items.length + 3]) {
        assert.deepEqual(firstInOrder(items, k, byKey), sorted.slice(0, k), `round ${round}, k ${k}`);
      }
    }
  });

  test('the view equals the first rows and groups of the whole model, in text and Markdown', async () => {
    const results: [string, AnalysisResult][] = [['incident', incident()], ['crowd', crowd()]];
    const samples = join(import.meta.dirname, '..', '..', 'samples');
    for (const f of readdirSync(samples).filter((x) => x.endsWith('.pcap'))) results.push([f, await analyze(join(samples, f))]);
    const variants: SummaryOptions[] = [{}, { maxRows: 0 }, { maxRows: 1 }, { maxRows: 2 }, { maxRows: 5, color: true }, { fdLimit: 3, width: 60 }];
    // without the engine's connections, rows are keyed by the host strings instead: the same rows
    for (const [name, result] of results.slice()) results.push([`${name} (flows only)`, { ...result, connections: [] }]);
    let rowsCompared = 0;
    for (const [name, result] of results) {
      for (const o of variants) {
        const whole = viewOf(buildSummary(result, o), o.maxRows ?? 20);
        const view = buildSummaryView(result, o);
        assert.deepEqual(view, whole, `${name} ${JSON.stringify(o)}`);
        for (const format of ['text', 'md'] as const) {
          assert.equal(renderSummaryView(view, format, o), renderSummaryView(whole, format, o), `${name} ${format} ${JSON.stringify(o)}`);
        }
        assert.equal(renderSummary(result, o), renderSummaryView(whole, 'text', o));
        if (name.endsWith('(flows only)')) {
          const full = results.find(([n]) => `${n} (flows only)` === name)![1];
          assert.equal(renderSummary(result, { ...o, format: 'json' }), renderSummary(full, { ...o, format: 'json' }), `${name}: keyed by host text`);
        }
        rowsCompared += whole.endpointCount;
      }
    }
    // the crowd's ties are in the comparison: rows of one host towards different servers
    const crowdRows = buildSummary(crowd()).endpoints.filter((r) => r.role === 'client');
    assert.ok(crowdRows.some((r, i) => crowdRows.findIndex((x) => x.endpoint === r.endpoint) !== i), 'a client host with two rows');
    assert.ok(rowsCompared > 100, `${rowsCompared} rows`);
  });
});

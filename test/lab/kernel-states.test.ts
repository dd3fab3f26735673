// Kernel oracle (issue 5): run the lab, then finscope's per-endpoint states at capture end must equal what ss said.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labUnavailable, runLab, selectScenarios, type ScenarioResult } from '../../lab/lab.js';
import type { Truth } from '../../lab/truth.js';
import type { FlowRecord } from '../../src/analysis/flow-record.js';
import { analyze } from '../../src/index.js';
import { compareFlows, compareWithKernel, formatRows, type EndpointVerdict } from './compare.js';

const ANALYZE = { timeWait: 60, finTimeout: 60 };
/** Acceptance of issue 5: endpoint-state agreement with ss. */
const MIN_AGREEMENT = 0.98;
/** The test's own port range, away from the CLI default so a manual lab run cannot collide. */
const BASE_PORT = Number(process.env.FINSCOPE_LAB_BASE_PORT ?? 31400);
/** Development: compare against an existing `lab/run.ts --out DIR` instead of running the lab. */
const REUSE = process.env.FINSCOPE_LAB_DIR;
const KEEP = process.env.FINSCOPE_LAB_KEEP === '1';

const why = REUSE ? null : await labUnavailable();
const netnsWhy = await labUnavailable({ netns: true });
const wanted = selectScenarios().filter((s) => !s.netns || netnsWhy === null);
const netnsNote = netnsWhy !== null && why === null ? ` (netns-veth skipped: ${netnsWhy})` : '';

describe(`kernel lab: finscope states vs ss${netnsNote}`, { skip: why ? `kernel lab skipped: ${why}` : false }, () => {
  let out = '';
  let results: ScenarioResult[] = [];
  const truths: Truth[] = [];
  const labLog: string[] = [];
  const flowCache = new Map<string, Promise<FlowRecord[]>>();
  const flowsOf = (scenario: string, file: string): Promise<FlowRecord[]> => {
    const key = `${scenario}/${file}`;
    let p = flowCache.get(key);
    if (!p) {
      p = analyze([join(out, scenario, file)], ANALYZE).then((r) => r.flows);
      flowCache.set(key, p);
    }
    return p;
  };

  before(async () => {
    if (REUSE) {
      out = REUSE;
      for (const d of (await readdir(out, { withFileTypes: true })).filter((x) => x.isDirectory())) {
        const t = await readFile(join(out, d.name, 'truth.json'), 'utf8').catch(() => null);
        if (t !== null) truths.push(JSON.parse(t) as Truth);
      }
      return;
    }
    out = await mkdtemp(join(tmpdir(), 'finscope-lab-'));
    results = await runLab({ out, scenarios: wanted.map((s) => s.name), basePort: BASE_PORT, log: (l) => labLog.push(l) });
    for (const r of results) if (r.truth) truths.push(r.truth);
  });

  after(async () => {
    if (!REUSE && out && !KEEP) await rm(out, { recursive: true, force: true });
  });

  test('every scenario reproduces its incident per ss (lab self-check, no packet dropped)', (t) => {
    if (REUSE) return t.skip('reusing FINSCOPE_LAB_DIR');
    for (const line of labLog) t.diagnostic(line);
    const failed = results.filter((r) => !r.ok);
    assert.equal(failed.length, 0, failed.map((r) => `${r.name}:\n    ${r.failures.join('\n    ')}`).join('\n'));
    assert.equal(results.length, wanted.length);
  });

  test(`endpoint states at capture end agree with ss (≥ ${MIN_AGREEMENT * 100}%)`, async (t) => {
    assert.ok(truths.length > 0, 'the lab produced no truth.json');
    const rows: EndpointVerdict[] = [];
    for (const truth of truths) {
      const cmp = compareWithKernel(truth, await flowsOf(truth.scenario, 'capture.pcap'));
      const agree = cmp.rows.filter((r) => r.verdict !== 'wrong').length;
      t.diagnostic(`${truth.scenario}: ${agree}/${cmp.rows.length} endpoints agree with ss`);
      rows.push(...cmp.rows);
    }
    const exact = rows.filter((r) => r.verdict === 'exact');
    const excused = rows.filter((r) => r.verdict === 'excused');
    const wrong = rows.filter((r) => r.verdict === 'wrong');
    const rate = (exact.length + excused.length) / rows.length;
    t.diagnostic(`overall: ${exact.length} exact + ${excused.length} excused of ${rows.length} endpoints = ${(rate * 100).toFixed(1)}%`);
    for (const r of excused) t.diagnostic(`excused (the wire cannot tell): ${formatRows([r]).trim()}`);
    for (const r of wrong) t.diagnostic(`disagreement: ${formatRows([r]).trim()}`);
    assert.ok(rate >= MIN_AGREEMENT, `agreement ${(rate * 100).toFixed(1)}% < ${MIN_AGREEMENT * 100}%; disagreements:\n${formatRows(wrong)}`);
  });

  test('every CLOSE_WAIT socket that ss lists is reported CLOSE_WAIT', async () => {
    const missed: EndpointVerdict[] = [];
    const uncaptured: string[] = [];
    let listed = 0;
    for (const truth of truths) {
      const cmp = compareWithKernel(truth, await flowsOf(truth.scenario, 'capture.pcap'));
      listed += cmp.rows.filter((r) => r.kernel === 'CLOSE_WAIT').length;
      missed.push(...cmp.closeWaitMissed);
      uncaptured.push(...cmp.closeWaitUncaptured);
    }
    assert.ok(listed >= 10, `the lab should leave plenty of CLOSE_WAIT sockets, ss listed ${listed}`);
    assert.deepEqual(uncaptured, [], 'CLOSE_WAIT sockets without packets in the capture (a lab design error)');
    assert.equal(missed.length, 0, `CLOSE_WAIT per ss, not per finscope:\n${formatRows(missed)}`);
  });

  test('nothing is reported CLOSE_WAIT that ss does not list as CLOSE_WAIT', async () => {
    const invented: string[] = [];
    const extra: string[] = [];
    for (const truth of truths) {
      const cmp = compareWithKernel(truth, await flowsOf(truth.scenario, 'capture.pcap'));
      invented.push(...cmp.closeWaitInvented);
      extra.push(...cmp.extraFlows);
    }
    assert.deepEqual(invented, []);
    assert.deepEqual(extra, [], 'flows that tcpdump does not show as connections');
  });

  test('pcap, pcapng and the tcpdump text renderings give the same flows', async () => {
    const diffs: string[] = [];
    for (const truth of truths) {
      const base = await flowsOf(truth.scenario, 'capture.pcap');
      assert.equal(base.length, truth.connections.length, `${truth.scenario}: finscope sees ${base.length} connections, tcpdump ${truth.connections.length}`);
      for (const file of ['capture.pcapng', ...Object.keys(truth.renderings).filter((f) => f.endsWith('.txt'))]) {
        if (!(file in truth.renderings)) continue;
        diffs.push(...compareFlows(`${truth.scenario}/${file}`, base, await flowsOf(truth.scenario, file)));
      }
    }
    assert.deepEqual(diffs, []);
  });
});

// The mutation suite in CI: a fixed seed, every sample and corpus capture once (then random picks
// and generated captures), damaged in every way mutate.ts knows, through analyze() and every
// renderer with the invariants of run-case.ts. Capped in time so `npm test` stays well under two
// minutes; every case replays alone with `npm run fuzz -- --seed 20261121 --case N`.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpus } from 'node:os';
import { runFuzz } from './engine.js';
import { loadSeeds } from './seeds.js';

const SEED = 20261121;
const RUNS = Number(process.env.FINSCOPE_FUZZ_RUNS ?? 1200);
const TIME_LIMIT_MS = Number(process.env.FINSCOPE_FUZZ_SECONDS ?? 50) * 1000;
// One worker thread: `npm test` already runs two test files at a time on this 2-core machine.
const WORKERS = Number(process.env.FINSCOPE_FUZZ_WORKERS ?? 1);

describe('mutation fuzzing (fixed seed)', () => {
  it(`seed ${SEED}: damaged captures never crash, hang or break an invariant`, async (t) => {
    const { seeds, corpusNote } = loadSeeds();
    if (corpusNote) t.diagnostic(corpusNote);
    const report = await runFuzz({ seed: SEED, runs: RUNS, workers: Math.min(WORKERS, cpus().length), timeLimitMs: TIME_LIMIT_MS });
    t.diagnostic(`${report.cases} cases in ${(report.ms / 1000).toFixed(1)} s (${report.ok} analysed, ${report.rejected} rejected as not a capture); ` +
      `${seeds.length} seeds; slowest ${report.slowest ? `${report.slowest.ms.toFixed(0)} ms for ${report.slowest.bytes} bytes` : '-'}`);
    const lines = report.failures.map((f) => `case ${f.index} [${f.kind}] ${f.label}\n    ${f.message}${f.detail ? `\n    ${f.detail.split('\n').slice(0, 6).join('\n    ')}` : ''}\n    replay: npm run fuzz -- --seed ${SEED} --case ${f.index}`);
    assert.equal(report.failures.length, 0, `failures:\n${lines.join('\n')}`);
    // Each seed is the first input of one case; make sure the run got through all of them.
    assert.ok(report.cases >= Math.min(RUNS, seeds.length), `only ${report.cases} cases ran within ${TIME_LIMIT_MS / 1000} s: fewer than the ${seeds.length} seeds`);
  });

  it('the watchdog catches a case that never returns, reports it and goes on', async () => {
    const report = await runFuzz({ seed: SEED, runs: 4, workers: 1, simulateHang: 1, hangGraceMs: -4000, seedOptions: { corpus: false, generated: 4 } });
    assert.deepEqual(report.failures.map((f) => [f.index, f.kind]), [[1, 'hang']]);
    assert.equal(report.cases, 4);
  });
});

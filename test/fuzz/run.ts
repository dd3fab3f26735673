// `npm run fuzz -- --runs N [--seed S] [--workers W] [--first F] [--time-limit SECONDS] [--no-corpus] [--out DIR]`
// Soak run of the mutation fuzzer (test/fuzz/run-case.ts) over samples, corpus and generated captures.
// `npm run fuzz -- --seed S --case N [--save FILE]` replays one case in this process and prints
// what it did (and writes its input to FILE), which is how a failure becomes a regression test.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runFuzz } from './engine.js';
import { buildCase, cleanupTmp, runCase } from './run-case.js';
import { loadSeeds } from './seeds.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const seedOptions = { corpus: !process.argv.includes('--no-corpus') };

async function replay(index: number): Promise<void> {
  const { seeds, corpusNote } = loadSeeds(seedOptions);
  if (corpusNote) console.error(`note: ${corpusNote}`);
  const c = buildCase(seed, index, seeds);
  console.log(`case ${index} of seed ${seed}: ${c.label} (${c.bytes.length} bytes, ${c.delivery}, ${c.chunks.length} chunks)`);
  const save = arg('save');
  if (save) {
    writeFileSync(save, c.bytes);
    console.log(`input written to ${JSON.stringify(save)}`);
  }
  try {
    const out = await runCase(c);
    console.log(`passed: ${JSON.stringify(out)}`);
  } catch (error) {
    console.log(`FAILED: ${(error as Error).stack ?? String(error)}`);
    const detail = (error as { detail?: string }).detail;
    if (detail) console.log(detail);
    process.exitCode = 1;
  } finally {
    cleanupTmp();
  }
}

async function soak(): Promise<void> {
  const runs = Number(arg('runs') ?? 10_000);
  const workers = Number(arg('workers') ?? Math.max(1, cpus().length));
  const first = Number(arg('first') ?? 0);
  const timeLimit = arg('time-limit');
  const out = arg('out');
  const { seeds, corpusNote } = loadSeeds(seedOptions);
  console.log(`fuzz: seed ${seed}, cases ${first}..${first + runs - 1}, ${workers} worker(s), ${seeds.length} seeds${corpusNote ? ` (${corpusNote})` : ''}`);
  let lastLine = 0;
  const report = await runFuzz({
    seed, runs, first, workers, seedOptions,
    timeLimitMs: timeLimit ? Number(timeLimit) * 1000 : undefined,
    onFailure: (f) => {
      console.log(`FAIL case ${f.index} [${f.kind}] ${f.label}\n  ${f.message}${f.detail ? `\n  ${f.detail.split('\n').slice(0, 8).join('\n  ')}` : ''}\n  replay: npm run fuzz -- --seed ${seed} --case ${f.index}`);
      if (out && f.input) {
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, `seed${seed}-case${f.index}.bin`), Buffer.from(f.input, 'base64'));
      }
    },
    onProgress: (done, ms) => {
      if (ms - lastLine < 30_000) return;
      lastLine = ms;
      console.log(`  ${done} cases, ${(done / (ms / 1000)).toFixed(1)} cases/s, ${(ms / 1000).toFixed(0)} s`);
    },
  });
  const rate = report.cases / (report.ms / 1000);
  console.log(`fuzz done: seed ${seed}, ${report.cases} cases (${report.ok} analysed, ${report.rejected} rejected as not a capture), ` +
    `${report.failures.length} failures, ${(report.ms / 1000).toFixed(1)} s, ${rate.toFixed(1)} cases/s, ${(report.inputBytes / 1e6).toFixed(1)} MB of input`);
  if (report.slowest) console.log(`slowest case: ${report.slowest.index} (${report.slowest.ms.toFixed(0)} ms, ${report.slowest.bytes} bytes): ${report.slowest.label}`);
  if (report.failures.length) process.exitCode = 1;
}

const caseArg = arg('case');
await (caseArg !== undefined ? replay(Number(caseArg)) : soak());

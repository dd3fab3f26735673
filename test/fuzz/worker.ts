// Fuzz worker thread: runs the cases assigned to it (start + k * stride) and reports failures and
// counters to engine.ts. Before each case it writes the case number, start time and input size
// into shared memory, so the main thread can see a hang and terminate the thread.

import { parentPort, workerData } from 'node:worker_threads';
import { buildCase, CaseFailure, caseBudgetMs, cleanupTmp, runCase } from './run-case.js';
import { loadSeeds, type SeedOptions } from './seeds.js';

export interface WorkerInput {
  seed: number;
  start: number;
  stride: number;
  /** Exclusive end of the case numbers. */
  end: number;
  seedOptions: SeedOptions;
  /** Shared Float64Array: [case, startedAt (ms since epoch), bytes, cases done]. */
  shared: SharedArrayBuffer;
  /** Stop starting new cases after this wall time (ms since epoch); 0 = no limit. */
  deadline: number;
  /** Test hook: spin forever on this case number. */
  simulateHang?: number;
}

export interface FailureReport {
  index: number;
  label: string;
  kind: 'exception' | 'invariant' | 'slow' | 'hang';
  message: string;
  detail: string;
  bytes: number;
  /** The input, base64 (only when small enough to ship). */
  input?: string;
}

export interface WorkerStats {
  cases: number;
  ok: number;
  rejected: number;
  failures: number;
  bytes: number;
  ms: number;
  slowest: { index: number; label: string; ms: number; bytes: number } | null;
}

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const shared = new Float64Array(input.shared);
  const { seeds } = loadSeeds(input.seedOptions);
  const stats: WorkerStats = { cases: 0, ok: 0, rejected: 0, failures: 0, bytes: 0, ms: 0, slowest: null };
  let lastPost = Date.now();
  for (let i = input.start; i < input.end; i += input.stride) {
    if (input.deadline && Date.now() > input.deadline) break;
    // Mark the case as started before building it: a mutation that never finishes (a regular
    // expression backtracking on a long line) must be reported against this case, not the last one.
    shared[0] = i;
    shared[1] = Date.now();
    shared[2] = 0;
    const c = buildCase(input.seed, i, seeds);
    shared[2] = c.bytes.length;
    const t0 = performance.now();
    let failure: FailureReport | null = null;
    try {
      // The engine's own test: a case that never returns must be caught by the watchdog.
      if (input.simulateHang === i) for (;;) { /* spin */ }
      const out = await runCase(c);
      if (out.result === 'ok') stats.ok++; else stats.rejected++;
      const ms = performance.now() - t0;
      if (ms > caseBudgetMs(c.bytes.length)) {
        failure = { index: i, label: c.label, kind: 'slow', message: `took ${ms.toFixed(0)} ms for ${c.bytes.length} bytes (budget ${caseBudgetMs(c.bytes.length).toFixed(0)} ms)`, detail: '', bytes: c.bytes.length };
      }
    } catch (error) {
      const e = error as Error;
      failure = {
        index: i, label: c.label, kind: error instanceof CaseFailure ? error.kind : 'exception',
        message: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`,
        detail: error instanceof CaseFailure ? error.detail : (e?.stack ?? ''), bytes: c.bytes.length,
      };
    }
    const ms = performance.now() - t0;
    stats.cases++;
    stats.bytes += c.bytes.length;
    stats.ms += ms;
    if (!stats.slowest || ms > stats.slowest.ms) stats.slowest = { index: i, label: c.label, ms, bytes: c.bytes.length };
    if (failure) {
      stats.failures++;
      if (c.bytes.length <= 4 * 1024 * 1024) failure.input = c.bytes.toString('base64');
      parentPort!.postMessage({ type: 'failure', failure });
    }
    shared[3] = stats.cases;
    if (Date.now() - lastPost > 1000) {
      parentPort!.postMessage({ type: 'stats', stats });
      lastPost = Date.now();
    }
  }
  shared[0] = -1;
  cleanupTmp();
  parentPort!.postMessage({ type: 'finished', stats });
}

void main();

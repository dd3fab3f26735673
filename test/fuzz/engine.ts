// Fuzz driver: spreads case numbers over worker threads, watches each case's time through shared
// memory (a case that overruns its budget by far is a hang: the thread is terminated, the case
// reported, and a fresh thread goes on with the next case), and gathers failures and counters.

import { Worker } from 'node:worker_threads';
import { caseBudgetMs } from './run-case.js';
import type { SeedOptions } from './seeds.js';
import type { FailureReport, WorkerInput, WorkerStats } from './worker.js';

export interface FuzzOptions {
  seed: number;
  /** Case numbers [first, first + runs). */
  runs: number;
  first?: number;
  workers?: number;
  seedOptions?: SeedOptions;
  /** Stop starting cases after this many ms (the report says how many ran). */
  timeLimitMs?: number;
  /** A case still running this long past its budget is a hang (default 10 s). */
  hangGraceMs?: number;
  onFailure?: (f: FailureReport) => void;
  onProgress?: (done: number, elapsedMs: number) => void;
  /** Test hook (the watchdog's own test): this case spins forever. */
  simulateHang?: number;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  ok: number;
  rejected: number;
  failures: FailureReport[];
  ms: number;
  inputBytes: number;
  slowest: WorkerStats['slowest'];
}

interface Slot {
  worker: Worker;
  shared: Float64Array;
  stats: WorkerStats | null;
  /** Stats of threads this slot had before (terminated after a hang). */
  carried: WorkerStats[];
  done: boolean;
}

function empty(): WorkerStats {
  return { cases: 0, ok: 0, rejected: 0, failures: 0, bytes: 0, ms: 0, slowest: null };
}

export function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const workers = Math.max(1, o.workers ?? 1);
  const first = o.first ?? 0;
  const end = first + o.runs;
  const started = Date.now();
  const deadline = o.timeLimitMs ? started + o.timeLimitMs : 0;
  const grace = o.hangGraceMs ?? 10_000;
  const failures: FailureReport[] = [];
  const slots: Slot[] = [];

  return new Promise((resolve, reject) => {
    let finished = 0;
    const finish = () => {
      clearInterval(watchdog);
      const all = slots.flatMap((s) => [...s.carried, s.stats ?? empty()]);
      const sum = (k: 'cases' | 'ok' | 'rejected' | 'bytes') => all.reduce((n, s) => n + s[k], 0);
      const slowest = all.map((s) => s.slowest).filter((x) => x !== null).sort((a, b) => b!.ms - a!.ms)[0] ?? null;
      resolve({
        seed: o.seed, cases: sum('cases') + failures.filter((f) => f.kind === 'hang').length, ok: sum('ok'), rejected: sum('rejected'),
        failures, ms: Date.now() - started, inputBytes: sum('bytes'), slowest,
      });
    };

    const spawn = (index: number, start: number, carried: WorkerStats[]): void => {
      const sab = new SharedArrayBuffer(4 * 8);
      const shared = new Float64Array(sab);
      shared[0] = -1;
      const data: WorkerInput = { seed: o.seed, start, stride: workers, end, seedOptions: o.seedOptions ?? {}, shared: sab, deadline, simulateHang: o.simulateHang };
      const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: data });
      const slot: Slot = { worker, shared, stats: null, carried, done: false };
      slots[index] = slot;
      worker.on('message', (m: { type: string; stats?: WorkerStats; failure?: FailureReport }) => {
        if (m.type === 'failure' && m.failure) {
          failures.push(m.failure);
          o.onFailure?.(m.failure);
        } else if (m.stats) {
          slot.stats = m.stats;
          if (m.type === 'finished') {
            slot.done = true;
            finished++;
            void worker.terminate();
            if (finished === workers) finish();
          }
        }
      });
      worker.on('error', (error) => {
        // A crash of the thread itself (e.g. out of memory): report it as a failure of its case.
        const caseIndex = shared[0]!;
        const f: FailureReport = { index: caseIndex, label: '(worker crashed)', kind: 'exception', message: String(error), detail: (error as Error).stack ?? '', bytes: shared[2]! };
        failures.push(f);
        o.onFailure?.(f);
        if (caseIndex >= 0 && caseIndex + workers < end) {
          spawn(index, caseIndex + workers, [...carried, { ...(slot.stats ?? empty()), cases: shared[3]! }]);
        } else if (!slot.done) {
          slot.done = true;
          finished++;
          if (finished === workers) finish();
        }
      });
    };

    for (let w = 0; w < workers; w++) spawn(w, first + w, []);

    const watchdog = setInterval(() => {
      let done = 0;
      for (let w = 0; w < slots.length; w++) {
        const slot = slots[w]!;
        done += slot.carried.reduce((n, s) => n + s.cases, 0) + slot.shared[3]!;
        const caseIndex = slot.shared[0]!;
        if (slot.done || caseIndex < 0) continue;
        const running = Date.now() - slot.shared[1]!;
        const bytes = slot.shared[2]!;
        if (running > caseBudgetMs(bytes) + grace) {
          const f: FailureReport = { index: caseIndex, label: '(see replay)', kind: 'hang', message: `still running after ${running} ms on ${bytes} bytes: terminated`, detail: '', bytes };
          failures.push(f);
          o.onFailure?.(f);
          const carried = [...slot.carried, { ...(slot.stats ?? empty()), cases: slot.shared[3]! }];
          slot.done = true; // this thread's 'error'/'message' no longer count
          void slot.worker.terminate();
          if (caseIndex + workers < end) spawn(w, caseIndex + workers, carried);
          else {
            finished++;
            if (finished === workers) finish();
          }
        }
      }
      o.onProgress?.(done, Date.now() - started);
    }, 250);
    watchdog.unref?.();
    void reject;
  });
}

// Capture stage on several threads: capture files -> decode workers (one per file, or per group of
// files) -> SharedArrayBuffer rings -> this thread, which merges them by timestamp and hands each
// TcpSegment on exactly as the single-threaded readSegments would (same order, same fields, same
// address ids for one input). The analysing thread is left with tracking; reading and decoding,
// the other half of the work, run beside it.

import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CaptureFormatError, UsageError } from '../errors.js';
import { IssueLog, type InputIssue, type IssueCode } from '../segment/input-issues.js';
import { TcpSegment } from '../segment/tcp-segment.js';
import type { InputFormat } from './segment-reader.js';
import type { Brake, ReadOptions, ReadSummary, InputSummary } from './read-inputs.js';
import { IndexHeap } from './index-heap.js';
import { createRingBuffer, RingReader } from './segment-ring.js';
import { spawnWorker } from './spawn-worker.js';

/** Below this many bytes in total a worker's start-up (~40 ms) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Decode workers at most (several files beyond this share workers, in command-line order). */
const MAX_WORKERS = 4;

/**
 * How many decode workers a read of this many inputs uses: one core is left to the thread that
 * consumes the segments (the tracking, finscope's critical path). On two cores, `summary` of four
 * rotated files read and tracked them in 0.96 s with one worker (which merges them itself) against
 * 1.09 s with two, whose decoding only took CPU from the tracking thread (bench set R).
 */
export function workersFor(inputCount: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(inputCount, MAX_WORKERS, cores - 1));
}

/** Workers started ahead of the read, idle until given a job (unreferenced: they never keep the
 *  process alive). */
const prewarmed: Worker[] = [];

/**
 * Start `count` decode workers now, so that their thread start-up and module loading (about 100 ms)
 * overlap the caller's own start-up instead of delaying the first segment. The CLI calls this
 * before it loads its own modules when its inputs look big enough for the parallel path.
 */
export function prewarmDecodeWorkers(count: number): void {
  for (let i = prewarmed.length; i < count; i++) {
    const w = createWorker(undefined);
    w.unref();
    const drop = (): void => {
      const k = prewarmed.indexOf(w);
      if (k >= 0) prewarmed.splice(k, 1);
    };
    w.once('error', drop);
    w.once('exit', drop);
    prewarmed.push(w);
  }
}
const PROGRESS_STEP = 4 * 1024 * 1024;
/** How long one wait for a worker lasts before checking that it is still alive. */
const WAIT_MS = 250;

/** What the decode worker is given (workerData). */
export interface DecodeWorkerData {
  inputs: string[];
  firstInputIndex: number;
  format?: InputFormat;
  date?: string;
  /** ReadOptions.gzipEngine, when the caller chose one. */
  gzipEngine?: ReadOptions['gzipEngine'];
  buffer: SharedArrayBuffer;
}

/** The decode worker's last message. */
export interface DecodeWorkerEnd {
  type: 'end';
  summary: ReadSummary | null;
  issues: { counts: [IssueCode, number][]; kept: InputIssue[]; skipped: [string, number][] };
  error: { name: string; message: string; inputName?: string; stack?: string } | null;
}

/**
 * Sizes of the inputs when every one is a regular file (worker threads can open them by name) and
 * together they are worth the threads; otherwise null, and the caller reads on its own thread.
 */
export async function parallelPlan(inputs: string[], mode: boolean | 'auto'): Promise<number[] | null> {
  if (mode === false) return null;
  const sizes: number[] = [];
  for (const name of inputs) {
    if (name === '-') return null;
    try {
      const s = await stat(name);
      if (!s.isFile()) return null;
      sizes.push(s.size);
    } catch {
      return null; // the single-threaded path reports it properly
    }
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (mode === 'auto' && total < PARALLEL_MIN_BYTES) return null;
  return sizes;
}

interface Stream {
  readonly worker: Worker;
  readonly reader: RingReader;
  /** Resolves with the worker's last message (or a synthetic one when it died without one). */
  readonly end: Promise<DecodeWorkerEnd>;
  readonly firstInput: number;
  ended: DecodeWorkerEnd | null;
  exited: boolean;
}

/** readSegments on worker threads (see parallelPlan for when it applies). */
export async function readSegmentsParallel(inputs: string[], sizes: number[], opts: ReadOptions,
  onSegment: (seg: TcpSegment) => void): Promise<ReadSummary> {
  const workers = Math.max(1, Math.min(inputs.length, opts.decodeWorkers ?? workersFor(inputs.length)));
  const streams: Stream[] = [];
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let lastProgress = 0;
  const progress = (force: boolean): void => {
    if (opts.onProgress === undefined) return;
    let read = 0;
    for (const s of streams) read += s.reader.bytesRead;
    if (!force && read - lastProgress < PROGRESS_STEP) return;
    lastProgress = read;
    opts.onProgress(read, totalBytes);
  };
  try {
    // Contiguous groups keep every worker's inputs in command-line order.
    for (let w = 0, first = 0; w < workers; w++) {
      const n = Math.floor(inputs.length / workers) + (w < inputs.length % workers ? 1 : 0);
      streams.push(startWorker(inputs.slice(first, first + n), first, opts));
      first += n;
    }
    // Every input must be open and readable before the first segment is handed on (as in the
    // single-threaded reader): wait for each worker's first batch or its end.
    for (const s of streams) await waitForBatch(s);
    await throwFirstFailure(streams);
    const seg = new TcpSegment();
    const brake = opts.backpressure;
    if (streams.length === 1) {
      const s = streams[0]!;
      const reader = s.reader;
      for (;;) {
        while (reader.ready) {
          reader.read(seg);
          onSegment(seg);
        }
        progress(false);
        // Between batches: while the consumer waits, the worker fills the ring and then blocks.
        const wait = brake?.();
        if (wait !== undefined) await wait;
        if (!(await waitForBatch(s))) break;
      }
      await throwFirstFailure(streams);
    } else {
      await mergeStreams(streams, seg, onSegment, () => progress(false), brake);
    }
    progress(true);
    const ends = await Promise.all(streams.map((s) => s.end));
    return combine(ends, opts.issues);
  } finally {
    for (const s of streams) {
      if (s.ended === null && !s.exited) {
        s.reader.abort();
        await s.worker.terminate().catch(() => undefined);
      }
    }
  }
}

/** k-way merge on (time, input index) over the streams' current records. */
async function mergeStreams(streams: Stream[], seg: TcpSegment, onSegment: (seg: TcpSegment) => void,
  progress: () => void, brake: Brake | undefined): Promise<void> {
  // A ring carries several inputs in turn: ties go by the record's input, then by ring.
  const heap = new IndexHeap(streams.length, (a, b) => {
    const ra = streams[a]!.reader, rb = streams[b]!.reader;
    if (ra.sec !== rb.sec) return ra.sec < rb.sec;
    if (ra.nsec !== rb.nsec) return ra.nsec < rb.nsec;
    if (ra.input !== rb.input) return ra.input < rb.input;
    return a < b;
  });
  for (let i = 0; i < streams.length; i++) {
    if (streams[i]!.reader.ready) heap.push(i);
  }
  while (heap.size > 0) {
    const s = streams[heap.top]!;
    const reader = s.reader;
    reader.read(seg);
    onSegment(seg);
    if (!reader.ready) {
      progress();
      // Between batches (at most one batch per ring apart), as in the one-ring loop.
      const wait = brake?.();
      if (wait !== undefined) await wait;
      if (!(await waitForBatch(s))) {
        await throwFirstFailure([s]);
        heap.pop();
        continue;
      }
    }
    heap.topChanged();
  }
}

/** Take the stream's next batch, waiting for the worker if needed; false when it has ended. */
async function waitForBatch(s: Stream): Promise<boolean> {
  for (;;) {
    if (s.reader.take()) return true;
    if (s.reader.finished) return false;
    if (s.exited) {
      // It died without finishing its ring (it was killed, or ran out of memory).
      if (s.reader.take()) return true;
      return false;
    }
    await s.reader.waitForWriter(WAIT_MS);
    if (!s.reader.ready && !s.reader.finished) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Throw the error of the first (in command-line order) stream that ended with one. */
async function throwFirstFailure(streams: Stream[]): Promise<void> {
  for (const s of streams) {
    if (!s.reader.finished && !s.exited) continue;
    const end = await s.end;
    if (end.error !== null) throw rebuildError(end.error);
  }
}

function rebuildError(e: NonNullable<DecodeWorkerEnd['error']>): Error {
  let error: Error;
  if (e.name === 'CaptureFormatError') error = new CaptureFormatError(e.inputName ?? '', '');
  else if (e.name === 'UsageError') error = new UsageError('');
  else error = new Error('');
  error.message = e.message;
  if (e.stack !== undefined && e.name !== 'CaptureFormatError' && e.name !== 'UsageError') error.stack = e.stack;
  return error;
}

function startWorker(inputs: string[], firstInputIndex: number, opts: ReadOptions): Stream {
  const buffer = createRingBuffer();
  const data: DecodeWorkerData = { inputs, firstInputIndex, buffer };
  if (opts.format !== undefined) data.format = opts.format;
  if (opts.date !== undefined) data.date = opts.date;
  if (opts.gzipEngine !== undefined) data.gzipEngine = opts.gzipEngine;
  const worker = newWorker(data);
  const reader = new RingReader(buffer, opts.addresses);
  let stream: Stream;
  const end = new Promise<DecodeWorkerEnd>((resolve) => {
    worker.on('message', (m: DecodeWorkerEnd) => {
      if (m && m.type === 'end') {
        stream.ended = m;
        resolve(m);
      }
    });
    worker.on('error', (error: Error) => {
      stream.exited = true;
      resolve({ type: 'end', summary: null, issues: { counts: [], kept: [], skipped: [] },
        error: { name: 'Error', message: `decode worker failed: ${error.message}`, ...(error.stack ? { stack: error.stack } : {}) } });
    });
    worker.on('exit', (code) => {
      stream.exited = true;
      if (stream.ended === null) {
        resolve({ type: 'end', summary: null, issues: { counts: [], kept: [], skipped: [] },
          error: { name: 'Error', message: `decode worker exited (code ${code}) before it finished` } });
      }
    });
  });
  stream = { worker, reader, end, firstInput: firstInputIndex, ended: null, exited: false };
  return stream;
}

/** A decode worker for this job: a prewarmed one when there is one, else a new one. */
function newWorker(data: DecodeWorkerData): Worker {
  const w = prewarmed.shift();
  if (w === undefined) return createWorker(data);
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  w.ref();
  w.postMessage({ type: 'job', data });
  return w;
}

/** A decode worker; `workerData` undefined: prewarmed, it waits for its job as a message. */
function createWorker(workerData: DecodeWorkerData | undefined): Worker {
  return spawnWorker('decode-worker', workerData);
}

function combine(ends: DecodeWorkerEnd[], issues: IssueLog): ReadSummary {
  const inputs: InputSummary[] = [];
  for (const end of ends) {
    if (end.summary !== null) inputs.push(...end.summary.inputs);
    mergeIssues(issues, end.issues);
  }
  return {
    inputs,
    segments: inputs.reduce((n, i) => n + i.segments, 0),
    records: inputs.reduce((n, i) => n + i.records, 0),
    bytes: inputs.reduce((n, i) => n + i.bytes, 0),
  };
}

/** Add a worker's issues to the caller's log, keeping at most KEEP_PER_CODE of each code. */
function mergeIssues(into: IssueLog, from: DecodeWorkerEnd['issues']): void {
  const keptPerCode = new Map<IssueCode, number>();
  for (const i of into.kept) keptPerCode.set(i.code, (keptPerCode.get(i.code) ?? 0) + 1);
  for (const i of from.kept) {
    const n = keptPerCode.get(i.code) ?? 0;
    if (n >= IssueLog.KEEP_PER_CODE) continue;
    keptPerCode.set(i.code, n + 1);
    into.kept.push(i);
  }
  for (const [code, n] of from.counts) into.counts.set(code, (into.counts.get(code) ?? 0) + n);
  for (const [what, n] of from.skipped) into.skipped.set(what, (into.skipped.get(what) ?? 0) + n);
}

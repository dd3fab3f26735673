// Capture stage, worker thread: reads and decodes its capture files (the single-threaded
// readSegments) into a SharedArrayBuffer ring of segment records for the analysing thread; ends
// with one message carrying the read summary, the input issues and any error.

import { availableParallelism } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { IssueLog } from '../segment/input-issues.js';
import type { DecodeWorkerData, DecodeWorkerEnd } from './parallel-read.js';
import { readSegments, type ReadSummary } from './read-inputs.js';
import { RecordingAddressTable, RingAborted, RingWriter } from './segment-ring.js';

async function run(data: DecodeWorkerData): Promise<void> {
  const addresses = new RecordingAddressTable();
  const issues = new IssueLog();
  const writer = new RingWriter(data.buffer, addresses);
  let summary: ReadSummary | null = null;
  let error: DecodeWorkerEnd['error'] = null;
  try {
    summary = await readSegments(data.inputs, {
      addresses, issues, parallel: false, firstInputIndex: data.firstInputIndex,
      ...(data.format !== undefined ? { format: data.format } : {}),
      ...(data.date !== undefined ? { date: data.date } : {}),
      onProgress: (bytes) => writer.progress(bytes),
      // This thread and the analysing one are busy already: a thread inflating gzip beside them
      // pays only with a third core. On two, summary of the 2 M-packet gzip bench file took
      // 2.45-2.73 s with it against 1.85-1.96 s inflating here.
      ...(data.gzipEngine !== undefined ? { gzipEngine: data.gzipEngine }
        : availableParallelism() < 3 ? { gzipEngine: 'sync' as const } : {}),
    }, (seg) => writer.write(seg));
  } catch (e) {
    if (!(e instanceof RingAborted)) {
      const x = e instanceof Error ? e : new Error(String(e));
      error = { name: x.name, message: x.message };
      if (x.stack !== undefined) error.stack = x.stack;
      const inputName = (x as { inputName?: unknown }).inputName;
      if (typeof inputName === 'string') error.inputName = inputName;
    }
  } finally {
    writer.finish();
  }
  const end: DecodeWorkerEnd = {
    type: 'end', summary, error,
    issues: { counts: [...issues.counts], kept: issues.kept, skipped: [...issues.skipped] },
  };
  parentPort!.postMessage(end);
}

// Started ahead of time (prewarmDecodeWorkers), a worker gets its job as a message.
if (workerData) void run(workerData as DecodeWorkerData);
else parentPort!.once('message', (m: { type: string; data: DecodeWorkerData }) => {
  if (m && m.type === 'job') void run(m.data);
});

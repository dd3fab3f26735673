// TUI data stage for a live pipe (`tcpdump -U -w - | finscope tui -`, `tcpdump -l -n | finscope
// tui -`): the engine runs as segments arrive; every ~200 ms, if anything changed, the tracker's
// current picture (flows, findings, details) is published as a new snapshot.

import type { AnalysisResult } from '../../../analysis/analysis-result.js';
import type { AnalyzeOptions } from '../../../analysis/analyze.js';
import type { ConnectionTracker } from '../../../tcp/connection-tracker.js';
import type { AddressTable } from '../../../segment/address-table.js';
import { connectionDetail, titleOf, writeConnectionDiagram } from './analysis-source.js';
import { emptySnapshot, issueCountOf, MutableSource, type TuiSnapshot } from './tui-source.js';

/** Snapshots at most this often (5 per second)... */
export const LIVE_MIN_INTERVAL_MS = 200;
/** ...and started at least this many times their own cost apart, so that building snapshots of
 *  a huge live table never takes more than a quarter of the time (the reader and keys get the rest). */
export const LIVE_COST_FACTOR = 4;

/** The engine hooks the live source needs (the lead's analysis/analyze.ts provides both). */
export interface LiveEngine {
  /** `analyze()`: reads to the end, calling `onSegment` after each segment is tracked. */
  analyze(inputs: string[], options: AnalyzeOptions): Promise<AnalysisResult>;
  /** `buildResult()` over a tracker that is still running: the picture at this moment. */
  snapshot(tracker: ConnectionTracker, addresses: AddressTable): AnalysisResult;
}

export interface LiveSourceOptions {
  inputs: string[];
  analyzeOptions: AnalyzeOptions;
  engine: LiveEngine;
  diagramDir?: string;
  /** The capture stream; destroyed by close() so a reader blocked on a pipe ends. */
  stdin?: NodeJS.ReadableStream & { destroy?: () => void };
  /** Clock and timers (tests). */
  now?: () => number;
  intervalMs?: number;
}

export interface LiveSource extends MutableSource {
  /** Settles when the input ends (or fails: the error is in the snapshot, never thrown here). */
  readonly done: Promise<void>;
}

/** Start reading `inputs` now; the returned source publishes snapshots as data arrives. */
export function startLiveSource(options: LiveSourceOptions): LiveSource {
  const title = titleOf(options.inputs);
  const source = new MutableSource(emptySnapshot(title, 'live')) as LiveSource;
  const now = options.now ?? (() => performance.now());
  const directory = options.diagramDir ?? process.cwd();
  let tracker: ConnectionTracker | null = null;
  let addresses: AddressTable | null = null;
  let seen = 0;
  let published = 0;
  let nextAt = 0;
  let closed = false;
  let latest: AnalysisResult | null = null;

  const publish = (result: AnalysisResult, phase: TuiSnapshot['phase'], error?: string) => {
    latest = result;
    const flows = result.flows;
    const flowOf = (id: number) => (flows[id - 1]?.id === id ? flows[id - 1] : flows.find((f) => f.id === id));
    const conns = result.connections;
    const store = result.segments;
    const snapshot: Omit<TuiSnapshot, 'version'> = {
      flows,
      findings: result.findings,
      captureStart: result.captureStart,
      captureEnd: result.captureEnd,
      segmentCount: result.segmentCount,
      issueCount: issueCountOf(result.issues),
      title,
      phase,
      ...(error !== undefined ? { error } : {}),
      // Ladders read the store as it is now; a later snapshot sees later segments.
      detail: (id) => {
        const conn = conns[id - 1]?.id === id ? conns[id - 1] : conns.find((c) => c.id === id);
        const flow = flowOf(id);
        return conn && flow ? connectionDetail(conn, flow, store) : undefined;
      },
    };
    source.publish(snapshot);
  };

  const tick = () => {
    if (closed || tracker === null || addresses === null || seen === published) return;
    const t = now();
    if (t < nextAt) return;
    published = seen;
    const result = options.engine.snapshot(tracker, addresses);
    const cost = now() - t;
    nextAt = t + Math.max(options.intervalMs ?? LIVE_MIN_INTERVAL_MS, LIVE_COST_FACTOR * cost);
    publish(result, 'live');
  };
  const timer = setInterval(tick, Math.max(10, Math.floor((options.intervalMs ?? LIVE_MIN_INTERVAL_MS) / 2)));
  timer.unref?.();

  const userOnSegment = options.analyzeOptions.onSegment;
  const done = options.engine
    .analyze(options.inputs, {
      ...options.analyzeOptions,
      keepSegments: true,
      onSegment: (seg, flowId, t, a) => {
        tracker = t;
        addresses = a;
        seen++;
        userOnSegment?.(seg, flowId, t, a);
      },
    })
    .then(
      (result) => {
        clearInterval(timer);
        if (!closed) publish(result, 'ended');
      },
      (error: unknown) => {
        clearInterval(timer);
        if (closed) return;
        const message = `input ended with an error: ${error instanceof Error ? error.message : String(error)}`;
        const base = tracker && addresses ? options.engine.snapshot(tracker, addresses) : latest;
        if (base) publish(base, 'ended', message);
        else source.publish({ ...emptySnapshot(title, 'ended'), error: message });
      },
    );

  Object.defineProperty(source, 'done', { value: done });
  source.writeDiagram = (id) => {
    const result = latest;
    if (!result) return Promise.reject(new Error('no data yet'));
    return writeConnectionDiagram(result, id, directory);
  };
  source.close = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    // A reader waiting on a pipe from a running tcpdump would wait forever: end the stream.
    const stdin = options.stdin ?? (options.inputs.includes('-') ? process.stdin : undefined);
    stdin?.destroy?.();
  };
  return source;
}

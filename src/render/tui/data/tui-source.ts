// TUI data stage: an AnalysisResult (or a live capture) → the snapshot the ink app subscribes to.
// The app never reaches into the engine: it reads rows, findings and per-connection detail
// through these types, so a file and a live pipe look the same to every component.

import type { FlowRecord, TcpState } from '../../../analysis/flow-record.js';
import type { Finding } from '../../../diagnosis/finding.js';

/** One TCP segment of a connection, as the text ladder shows it. */
export interface LadderSegment {
  /** Capture-wide segment index (0-based): the number findings cite as evidence. */
  index: number;
  /** Epoch seconds (µs precision is enough for display; ordering uses `index`). */
  time: number;
  /** Sent by the originator (else by the responder). */
  fromOrig: boolean;
  /** TCP flag bits (src/segment/tcp-segment.ts). */
  flags: number;
  /** Absolute sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** TCP payload length. */
  len: number;
  /** Raw window field. */
  win: number;
}

/** A recorded per-endpoint state change; `segment` is the capture-wide index of the segment that
 *  caused it, or -1 for a timer (TIME_WAIT expiry, FIN_WAIT_2 timeout), placed by `time`. */
export interface LadderStateChange {
  endpoint: 'orig' | 'resp';
  from: TcpState;
  to: TcpState;
  segment: number;
  time: number;
}

/** Everything the detail screen shows about one connection. */
export interface ConnectionDetail {
  flow: FlowRecord;
  /** In capture order. May be a prefix when the engine keeps only the first N per connection. */
  segments: readonly LadderSegment[];
  stateChanges: readonly LadderStateChange[];
  /** Segments of this connection the store did not keep (0 when all were kept). */
  omittedSegments: number;
}

/** Where the data stands: a finished file, or a live input still being read / ended. */
export type SourcePhase = 'complete' | 'live' | 'ended';

/** One immutable picture of the analysis. A new object (with a larger `version`) on every change;
 *  `flows` must stay in id order (the contract's order), so index order is id order. */
export interface TuiSnapshot {
  readonly version: number;
  readonly flows: readonly FlowRecord[];
  readonly findings: readonly Finding[];
  /** Epoch seconds of the first and last segment seen. */
  readonly captureStart: number;
  readonly captureEnd: number;
  readonly segmentCount: number;
  /** Input problems recorded so far (bad records, unparsable lines). */
  readonly issueCount: number;
  /** Input names for the title bar. */
  readonly title: string;
  readonly phase: SourcePhase;
  /** A fatal input error that ended a live read early (shown in the status line). */
  readonly error?: string;
  /** Detail for one connection id, or undefined when the engine kept no segments for it. */
  detail(flowId: number): ConnectionDetail | undefined;
}

/** What the app subscribes to (useSyncExternalStore shape). */
export interface TuiSource {
  getSnapshot(): TuiSnapshot;
  /** Calls `listener` after each new snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Writes the connection's SVG ladder; resolves to the path written (absolute). */
  writeDiagram?(flowId: number): Promise<string>;
  /** Stops a live read (called on quit). */
  close?(): void;
}

/** Anything with the AnalysisResult fields the TUI reads (the lead's result satisfies it). */
export interface AnalysisLike {
  flows: readonly FlowRecord[];
  findings: readonly Finding[];
  captureStart: number;
  captureEnd: number;
  segmentCount: number;
  inputs?: readonly { name: string }[];
  issues?: { count?: number } | { readonly length: number } | unknown;
}

export interface StaticSourceOptions {
  detail?: (flowId: number) => ConnectionDetail | undefined;
  writeDiagram?: (flowId: number) => Promise<string>;
  title?: string;
}

/** Best-effort count of recorded input issues, whatever shape the IssueLog has. */
export function issueCountOf(issues: unknown): number {
  if (issues === null || typeof issues !== 'object') return 0;
  const o = issues as Record<string, unknown>;
  for (const key of ['count', 'total', 'size', 'length']) {
    const v = o[key];
    if (typeof v === 'number') return v;
  }
  return 0;
}

/** A finished analysis: one snapshot, never changes. */
export function createStaticSource(result: AnalysisLike, options: StaticSourceOptions = {}): TuiSource {
  const detail = options.detail ?? (() => undefined);
  const snapshot: TuiSnapshot = {
    version: 1,
    flows: result.flows,
    findings: result.findings,
    captureStart: result.captureStart,
    captureEnd: result.captureEnd,
    segmentCount: result.segmentCount,
    issueCount: issueCountOf(result.issues),
    title: options.title ?? (result.inputs ?? []).map((i) => i.name).join(' '),
    phase: 'complete',
    detail,
  };
  const source: TuiSource = {
    getSnapshot: () => snapshot,
    subscribe: () => () => {},
  };
  if (options.writeDiagram) source.writeDiagram = options.writeDiagram;
  return source;
}

/** A source whose snapshot is replaced from outside (live mode, tests). */
export class MutableSource implements TuiSource {
  private listeners = new Set<() => void>();
  writeDiagram?: (flowId: number) => Promise<string>;
  close?: () => void;

  constructor(private snapshot: TuiSnapshot) {}

  getSnapshot = (): TuiSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Publish a new snapshot; its version must be larger than the current one. */
  publish(next: Omit<TuiSnapshot, 'version'>): void {
    this.snapshot = { ...next, version: this.snapshot.version + 1, detail: next.detail } as TuiSnapshot;
    for (const l of [...this.listeners]) l();
  }
}

/** An empty snapshot (a live source before its first segment). */
export function emptySnapshot(title: string, phase: SourcePhase): TuiSnapshot {
  return {
    version: 0, flows: [], findings: [], captureStart: 0, captureEnd: 0, segmentCount: 0, issueCount: 0,
    title, phase, detail: () => undefined,
  };
}

// The immutable bundle every renderer receives (summary, flows, diagram, report, tui).

import type { AddressTable } from '../segment/address-table.js';
import type { IssueLog } from '../segment/input-issues.js';
import type { Finding } from '../diagnosis/finding.js';
import type { FlowRecord } from './flow-record.js';
import type { Connection } from '../tcp/connection.js';
import type { ConnectionTracker } from '../tcp/connection-tracker.js';
import type { SegmentStore } from '../tcp/segment-store.js';

export interface AnalysisOptions {
  /** Seconds an endpoint stays in TIME_WAIT before CLOSED (Linux: 60). */
  timeWait: number;
  /** Seconds before an orphaned FIN_WAIT_2 disappears (Linux tcp_fin_timeout: 60). */
  finTimeout: number;
  /** Seconds a half-close must last before fin-not-returned is more than info. */
  minAge: number;
  /** Keep a compact per-segment store (diagram, report, tui). */
  keepSegments: boolean;
}

export interface InputSummary {
  name: string;
  format: string;
  gzip: boolean;
  records: number;
  segments: number;
  bytes: number;
}

/** What the bound on tracked connections (`--max-connections`) left out of the result. */
export interface TrackingLimits {
  /** The bound, or null when unbounded. */
  maxConnections: number | null;
  /** Connections seen in all (held now plus evicted). */
  opened: number;
  /** Finished connections and unanswered SYNs evicted to make room: counted here, not in `flows`. */
  evicted: number;
  /** `evicted` by Zeek conn_state (e.g. S0 for a SYN flood). */
  evictedByConnState: Record<string, number>;
  /** Segments of new connections not tracked because every held connection was still live. */
  untrackedSegments: number;
}

export interface AnalysisResult {
  /** One contract row per connection, in id order, findings attached. */
  flows: FlowRecord[];
  /** The engine's connections (states, changes, counters), same order as `flows`. */
  connections: readonly Connection[];
  /** Every finding: per-connection ones (also on their flow) and aggregate ones. */
  findings: Finding[];
  /** Epoch seconds of the first and last segment of the whole capture. */
  captureStart: number;
  captureEnd: number;
  segmentCount: number;
  inputs: InputSummary[];
  issues: IssueLog;
  addresses: AddressTable;
  options: AnalysisOptions;
  /** Per-segment columns when `keepSegments` was set (diagram, report, tui), else null. */
  segments: SegmentStore | null;
  /** What `--max-connections` evicted or left untracked (all zero when nothing was). */
  limits: TrackingLimits;
  /** The tracker itself, for instant-state queries (`stateAt`) and segment lists. */
  tracker: ConnectionTracker;
  /** Where analyze() spent its time (absent from snapshots of a live capture). */
  timings?: AnalysisTimings;
}

/** Milliseconds on the performance.now() clock, which starts with the process. */
export interface AnalysisTimings {
  /** When analyze() began: the caller's start-up before it. */
  startedAt: number;
  /** Opening, reading, decoding and tracking every segment. */
  readMs: number;
  /** Kernel timers at capture end, flow records and diagnosis. */
  diagnoseMs: number;
}

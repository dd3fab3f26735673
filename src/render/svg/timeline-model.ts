// Timeline input: many connections as per-endpoint state spans over time → consumed by timeline-svg.

import type { TcpState } from '../../analysis/flow-record.js';
import type { Severity } from '../../diagnosis/finding.js';

/** An endpoint in one state from `from` to `to` (epoch seconds, `to` ≥ `from`). */
export interface StateSpan {
  from: number;
  to: number;
  state: TcpState;
  /** The endpoint is still in this state at capture end (then `to` is the capture end). A span
   *  that merely ended at the last segment is not open. Absent: open when `to` ≥ capture end. */
  open?: boolean;
}

export interface TimelineConnection {
  /** Contract connection id. */
  id: number;
  /** `orig → resp` as raw text (escaped when drawn). */
  label: string;
  /** First and last segment (epoch seconds). */
  start: number;
  lastSegment: number;
  /** State spans of each endpoint up to capture end (CLOSED is not drawn: the socket is gone). */
  orig: StateSpan[];
  resp: StateSpan[];
  findings: { code: string; severity: Severity }[];
}

export interface TimelineModel {
  title?: string;
  /** Epoch seconds of the first and last segment of the whole capture. */
  captureStart: number;
  captureEnd: number;
  connections: TimelineConnection[];
}

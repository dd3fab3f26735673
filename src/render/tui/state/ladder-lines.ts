// TUI detail stage: one connection's segments + state changes + findings → the lines of a text
// ladder (segments as arrows, state changes between them, idle gaps marked). Pure data; the
// ConnectionDetail component turns a window of these lines into text at the terminal's width.

import type { FlowRecord, TcpState } from '../../../analysis/flow-record.js';
import type { Finding, Severity } from '../../../diagnosis/finding.js';
import { ACK } from '../../../segment/tcp-segment.js';
import type { ConnectionDetail, LadderSegment, LadderStateChange } from '../data/tui-source.js';

/** A silence at least this long between two segments (or before capture end) gets its own line. */
export const IDLE_GAP_SECONDS = 1;

export type LadderLine =
  | {
    kind: 'segment';
    segment: LadderSegment;
    /** Seconds since the connection's first segment. */
    offset: number;
    /** Sequence/ack numbers relative to each side's initial sequence number (as tcpdump prints). */
    relSeq: number;
    relAck: number;
    /** Severity of the most severe finding citing this segment, or null. */
    evidence: Severity | null;
  }
  | { kind: 'state'; change: LadderStateChange }
  | { kind: 'gap'; seconds: number; atEnd: boolean }
  | { kind: 'end'; origState: TcpState; respState: TcpState; captureEnd: number }
  | { kind: 'omitted'; count: number };

export interface LadderModel {
  flowId: number;
  flow: FlowRecord;
  lines: LadderLine[];
  /** Line numbers of evidence segments, ascending (for `n` / `N`). */
  evidenceLines: number[];
  findings: readonly Finding[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * Build the ladder. State changes are placed right after the segment that caused them; timer
 * changes (segment -1) by time. `captureEnd` lets the last idle stretch show: a half-closed
 * connection's story is the silence after the peer's FIN.
 */
export function buildLadder(detail: ConnectionDetail, findings: readonly Finding[], captureEnd: number): LadderModel {
  const evidence = new Map<number, Severity>();
  for (const f of findings) {
    for (const i of f.evidence ?? []) {
      const prev = evidence.get(i);
      if (prev === undefined || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prev]) evidence.set(i, f.severity);
    }
  }
  const bySegment = new Map<number, LadderStateChange[]>();
  const timed: LadderStateChange[] = [];
  for (const c of detail.stateChanges) {
    if (c.segment >= 0) {
      const list = bySegment.get(c.segment);
      if (list) list.push(c);
      else bySegment.set(c.segment, [c]);
    } else {
      timed.push(c);
    }
  }
  timed.sort((a, b) => a.time - b.time);

  const segments = detail.segments;
  // Initial sequence numbers: each side's first seq (its SYN's, unless the capture began
  // mid-stream), like tcpdump's relative numbers.
  let isnOrig: number | null = null, isnResp: number | null = null;
  for (const s of segments) {
    if (s.fromOrig && isnOrig === null) isnOrig = s.seq;
    if (!s.fromOrig && isnResp === null) isnResp = s.seq;
    if (isnOrig !== null && isnResp !== null) break;
  }
  const rel = (n: number, isn: number | null) => (isn === null ? n : (n - isn) >>> 0);

  const lines: LadderLine[] = [];
  const evidenceLines: number[] = [];
  const start = segments[0]?.time ?? detail.flow.ts;
  let t = 0;
  let last = start;
  const flushTimed = (until: number) => {
    while (t < timed.length && timed[t]!.time <= until) lines.push({ kind: 'state', change: timed[t++]! });
  };
  for (const s of segments) {
    flushTimed(s.time);
    const gap = s.time - last;
    if (gap >= IDLE_GAP_SECONDS) lines.push({ kind: 'gap', seconds: gap, atEnd: false });
    const ev = evidence.get(s.index) ?? null;
    if (ev !== null) evidenceLines.push(lines.length);
    lines.push({
      kind: 'segment', segment: s, offset: s.time - start,
      relSeq: rel(s.seq, s.fromOrig ? isnOrig : isnResp),
      relAck: (s.flags & ACK) !== 0 ? rel(s.ack, s.fromOrig ? isnResp : isnOrig) : 0,
      evidence: ev,
    });
    for (const c of bySegment.get(s.index) ?? []) lines.push({ kind: 'state', change: c });
    last = s.time;
  }
  if (detail.omittedSegments > 0) lines.push({ kind: 'omitted', count: detail.omittedSegments });
  flushTimed(Number.POSITIVE_INFINITY);
  if (captureEnd - last >= IDLE_GAP_SECONDS && segments.length > 0) lines.push({ kind: 'gap', seconds: captureEnd - last, atEnd: true });
  lines.push({ kind: 'end', origState: detail.flow.orig_state, respState: detail.flow.resp_state, captureEnd });
  return { flowId: detail.flow.id, flow: detail.flow, lines, evidenceLines, findings };
}

// Report content selection: AnalysisResult → what the HTML and Markdown reports show (pure data).
//
// Both report formats draw from here, so they list the same findings, the same example connections
// and the same table rows; only the markup differs.

import type { AnalysisResult } from '../../analysis/analysis-result.js';
import type { FlowRecord, TcpState } from '../../analysis/flow-record.js';
import type { Finding, Severity } from '../../diagnosis/finding.js';
import type { Connection } from '../../tcp/connection.js';
import type { SegmentStore } from '../../tcp/segment-store.js';
import { flagString } from '../../segment/tcp-segment.js';
import { endpointText, ladderModelFromConnections, timelineModelFromConnections, type DiagramSource } from '../svg/from-connection.js';
import { layoutLadder, type LadderLayoutOptions } from '../svg/ladder-layout.js';
import { renderLadderSvg } from '../svg/ladder-svg.js';
import { TCP_STATES } from '../svg/state-style.js';
import { renderTimeline, type TimelineOptions } from '../svg/timeline-svg.js';
import { formatEpoch } from '../svg/format.js';

/** The analysis result as the report reads it. `connections` and `segments` (the engine's
 *  objects) are optional here so the report degrades to tables when they are absent. */
export type ReportResult = AnalysisResult & DiagramSource & {
  connections?: readonly Connection[];
  segments?: SegmentStore | null;
};

export interface ReportOptions {
  /** Heading; default `finscope report: <input names>`. */
  title?: string;
  /** Shown in the footer, e.g. `finscope 0.1.0` (no dates: the same input gives the same bytes). */
  generator?: string;
  /** A plain-text summary (renderSummary's text output) shown verbatim in the summary section. */
  summaryText?: string;
  /** Markdown summary (renderSummary's md output) inserted verbatim in the Markdown report. */
  summaryMarkdown?: string;
  /** How many of the top findings get a ladder of their example connection (default 5). */
  ladders?: number;
  /** Pages of each ladder to embed (default 3); longer ones say how to draw the rest. */
  maxLadderPages?: number;
  /** Connection table rows (default 1000): connections with findings first, then by id. */
  maxTableRows?: number;
  /** Findings listed (default 200) and evidence segments listed per finding (default 12). */
  maxFindings?: number;
  maxEvidence?: number;
  /** Omit the timeline (e.g. for a single connection). */
  timeline?: boolean;
  ladderOptions?: Partial<LadderLayoutOptions>;
  timelineOptions?: Partial<TimelineOptions>;
}

export interface EvidenceRow {
  /** 1-based segment number, as the findings' messages write it. */
  number: number;
  time: string;
  from: string;
  to: string;
  flags: string;
  seq: number;
  ack: number;
  win: number;
  len: number;
}

export interface FindingView {
  /** 1-based position in the report (anchor `finding-N`). */
  n: number;
  finding: Finding;
  /** Connection drawn as its example, if any. */
  exampleFlow: number | undefined;
  evidence: EvidenceRow[];
  moreEvidence: number;
}

export interface LadderView {
  flow: number;
  /** Findings (by report position) this ladder illustrates. */
  forFindings: number[];
  title: string;
  pages: string[];
  totalPages: number;
}

export interface StateCount {
  state: TcpState;
  orig: number;
  resp: number;
}

export interface ReportData {
  title: string;
  generator: string | undefined;
  inputs: AnalysisResult['inputs'];
  captureStart: string;
  captureEnd: string;
  durationSeconds: number;
  connectionCount: number;
  segmentCount: number;
  severityCounts: Record<'error' | 'warning' | 'info', number>;
  stateCounts: StateCount[];
  findings: FindingView[];
  moreFindings: number;
  timelineSvg: string | undefined;
  ladders: LadderView[];
  tableRows: FlowRecord[];
  moreRows: number;
  issues: { code: string; count: number }[];
  issueExamples: string[];
  notes: string[];
}

// Renderers import only types from diagnosis/ (architecture B2), so the order is restated here.
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** Findings in report order: worst severity first, then the longest-standing, then by connection. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  const age = (f: Finding) => (Number.isFinite(f.age) ? f.age : 0);
  return findings
    .map((f, k) => ({ f, k }))
    .sort((a, b) =>
      SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || age(b.f) - age(a.f) ||
      (a.f.flow ?? a.f.flows?.[0] ?? 0) - (b.f.flow ?? b.f.flows?.[0] ?? 0) || a.k - b.k)
    .map((x) => x.f);
}

/** Evidence segments of a finding, read from the segment store (absolute seq/ack, as tcpdump -S). */
export function evidenceRows(result: ReportResult, f: Finding, max: number): { rows: EvidenceRow[]; more: number } {
  const store = result.segments;
  const all = f.evidence ?? [];
  const rows: EvidenceRow[] = [];
  if (!store) return { rows, more: all.length };
  const byId = connectionsById(result);
  for (const i of all.slice(0, max)) {
    if (i < 0 || i >= store.count) continue;
    const c = byId.get(store.conn(i));
    let from = '?', to = '?';
    if (c) {
      const sender = store.fromFirst(i) ? c.first : c.first === c.orig ? c.resp : c.orig;
      const receiver = sender === c.orig ? c.resp : c.orig;
      from = endpointText(result.addresses, sender);
      to = endpointText(result.addresses, receiver);
    }
    rows.push({
      number: i + 1,
      time: formatEpoch(store.tsSec(i) + store.tsNsec(i) / 1e9),
      from, to,
      flags: flagString(store.flags(i)),
      seq: store.seq(i), ack: store.ack(i), win: store.window(i), len: store.payloadLength(i),
    });
  }
  return { rows, more: Math.max(0, all.length - rows.length) };
}

const byIdCache = new WeakMap<object, Map<number, Connection>>();
function connectionsById(result: ReportResult): Map<number, Connection> {
  const list = result.connections ?? [];
  let m = byIdCache.get(list);
  if (!m) {
    m = new Map();
    for (const c of list) m.set(c.id, c);
    byIdCache.set(list, m);
  }
  return m;
}

function captureEndOf(result: ReportResult): number | { sec: number; nsec: number } {
  return result.tracker && result.tracker.captureEndSec >= 0
    ? { sec: result.tracker.captureEndSec, nsec: result.tracker.captureEndNsec }
    : result.captureEnd;
}

/** Everything the reports show, selected and rendered to SVG once. */
export function buildReportData(result: ReportResult, options: ReportOptions = {}): ReportData {
  const maxFindings = options.maxFindings ?? 200;
  const maxEvidence = options.maxEvidence ?? 12;
  const ladderCount = options.ladders ?? 5;
  const maxPages = options.maxLadderPages ?? 3;
  const maxRows = options.maxTableRows ?? 1000;
  const notes: string[] = [];
  const connections = result.connections ?? [];
  const byId = connectionsById(result);

  const ranked = rankFindings(result.findings);
  const findings: FindingView[] = ranked.slice(0, maxFindings).map((f, k) => {
    const ev = evidenceRows(result, f, maxEvidence);
    const example = f.flow ?? f.flows?.[0];
    return { n: k + 1, finding: f, exampleFlow: example !== undefined && byId.has(example) ? example : undefined, evidence: ev.rows, moreEvidence: ev.more };
  });

  // Ladders: the example connection of each top finding, once each.
  const ladders: LadderView[] = [];
  if (!result.segments && connections.length > 0 && ranked.length > 0) {
    notes.push('Ladder diagrams need the per-segment store (analysis with keepSegments); none are drawn.');
  }
  for (const view of findings) {
    if (ladders.length >= ladderCount && !ladders.some((l) => l.flow === view.exampleFlow)) continue;
    if (view.exampleFlow === undefined || !result.segments) continue;
    const existing = ladders.find((l) => l.flow === view.exampleFlow);
    if (existing) { existing.forFindings.push(view.n); continue; }
    const conn = byId.get(view.exampleFlow)!;
    const model = ladderModelFromConnections([conn], result.segments, result.addresses, result.findings, captureEndOf(result));
    const layout = layoutLadder(model, options.ladderOptions);
    const all = layout.pages.length;
    const pages = renderLadderSvg({ ...layout, pages: layout.pages.slice(0, maxPages) });
    ladders.push({ flow: conn.id, forFindings: [view.n], title: model.title ?? `connection #${conn.id}`, pages, totalPages: all });
  }

  const timelineSvg = options.timeline === false || connections.length === 0
    ? undefined
    : renderTimeline(
      timelineModelFromConnections(connections, result.addresses, result.findings, result.captureStart, result.captureEnd,
        `Connections over time (${result.inputs.map((i) => i.name).join(', ') || 'capture'})`),
      options.timelineOptions,
    );

  const severityCounts = { error: 0, warning: 0, info: 0 };
  for (const f of result.findings) severityCounts[f.severity]++;
  const stateCounts: StateCount[] = TCP_STATES.map((state) => ({ state, orig: 0, resp: 0 }));
  for (const fl of result.flows) {
    const o = stateCounts.find((s) => s.state === fl.orig_state);
    const r = stateCounts.find((s) => s.state === fl.resp_state);
    if (o) o.orig++;
    if (r) r.resp++;
  }

  const withFindings = result.flows.filter((f) => f.findings.length > 0);
  const without = result.flows.filter((f) => f.findings.length === 0);
  const tableRows = withFindings.concat(without).slice(0, maxRows);

  const issues = [...result.issues.counts.entries()].map(([code, count]) => ({ code, count }));
  const issueExamples = result.issues.kept.slice(0, 20).map((i) => {
    const where = [i.line > 0 ? `line ${i.line}` : '', i.record > 0 ? `record ${i.record}` : '', i.byteOffset >= 0 ? `byte ${i.byteOffset}` : '']
      .filter((x) => x !== '').join(', ');
    return `${i.input}${where ? ` (${where})` : ''}: ${i.code}: ${i.detail}`;
  });

  const names = result.inputs.map((i) => i.name);
  return {
    title: options.title ?? `finscope report: ${names.join(', ') || 'capture'}`,
    generator: options.generator,
    inputs: result.inputs,
    captureStart: formatEpoch(result.captureStart),
    captureEnd: formatEpoch(result.captureEnd),
    durationSeconds: Math.max(0, result.captureEnd - result.captureStart),
    connectionCount: result.flows.length,
    segmentCount: result.segmentCount,
    severityCounts,
    stateCounts: stateCounts.filter((s) => s.orig + s.resp > 0),
    findings,
    moreFindings: Math.max(0, ranked.length - findings.length),
    timelineSvg,
    ladders,
    tableRows,
    moreRows: Math.max(0, result.flows.length - tableRows.length),
    issues,
    issueExamples,
    notes,
  };
}

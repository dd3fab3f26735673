// Adapter: the TCP engine's Connections (+ SegmentStore) and the findings → LadderModel / TimelineModel.
//
// Only types are imported from tcp/ and diagnosis/ (render depends on nothing at run time but its
// inputs). Sequence numbers become relative as tcpdump prints them; analysis marks (retransmission,
// keep-alive, zero window, ...) are derived here because the store keeps no per-segment marks.

import type { AddressTable } from '../../segment/address-table.js';
import type { Finding } from '../../diagnosis/finding.js';
import type { TcpState } from '../../analysis/flow-record.js';
import type { Connection, Endpoint } from '../../tcp/connection.js';
import type { SegmentStore } from '../../tcp/segment-store.js';
import { ACK } from '../../segment/tcp-segment.js';
import {
  markSegments, type LadderConnection, type LadderFinding, type LadderLane, type LadderModel, type LadderSegment,
  type LadderStateChange, type LaneRole,
} from './ladder-model.js';
import type { TimelineConnection, TimelineModel, StateSpan } from './timeline-model.js';

/** Numeric state code → name, in the engine's order (tcp/endpoint-state.ts STATE_NAMES). Copied as
 *  data so the renderer needs no run-time import from tcp/; a test checks both lists agree. */
export const ENGINE_STATE_NAMES: readonly TcpState[] = [
  'UNKNOWN', 'CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
];

function stateName(code: number): TcpState {
  return ENGINE_STATE_NAMES[code] ?? 'UNKNOWN';
}

/** `ip:port`, IPv6 as `[addr]:port` (same rule as diagnosis/finding.ts formatEndpoint). */
export function endpointText(addresses: AddressTable, e: Endpoint): string {
  const host = addresses.toText(e.addr);
  return host.includes(':') ? `[${host}]:${e.port}` : `${host}:${e.port}`;
}

export interface LadderSourceOptions {
  /** `endpoint`: a lane per ip:port. `host`: a lane per address (client → proxy → server).
   *  `auto` (default): endpoint for one connection, host for several unless that would put both
   *  ends of one connection on one lane (loopback). */
  laneBy?: 'auto' | 'endpoint' | 'host';
  title?: string;
}

/** Capture end as epoch seconds (AnalysisResult.captureEnd) or an exact (sec, nsec) pair. */
export type CaptureEnd = number | { sec: number; nsec: number };

function splitEpoch(t: CaptureEnd): { sec: number; nsec: number } {
  if (typeof t !== 'number') return t;
  const sec = Math.floor(t);
  return { sec, nsec: Math.min(999_999_999, Math.round((t - sec) * 1e9)) };
}

/**
 * Build the ladder model of one or more connections. `store` is the engine's SegmentStore (present
 * when the analysis ran with keepSegments); without it the ladder shows lanes, states and findings only.
 * Connections are drawn in the order given; findings are those whose `flow` (or `flows`) names one of them.
 */
export function ladderModelFromConnections(
  connections: readonly Connection[],
  store: SegmentStore | undefined,
  addresses: AddressTable,
  findings: readonly Finding[],
  captureEnd: CaptureEnd,
  options: LadderSourceOptions = {},
): LadderModel {
  const end = splitEpoch(captureEnd);
  const lanesOut = assignLanes(connections, addresses, options.laneBy ?? 'auto');
  const connIndex = new Map<number, number>(); // connection id → model index
  connections.forEach((c, k) => connIndex.set(c.id, k));

  // Segment indices of every drawn connection, merged into capture order.
  let total = 0;
  if (store) for (const c of connections) if (c.storeFirst >= 0) for (const _ of store.indicesFrom(c.storeFirst)) total++;
  const order = new Int32Array(total);
  if (store) {
    let k = 0;
    for (const c of connections) if (c.storeFirst >= 0) for (const i of store.indicesFrom(c.storeFirst)) order[k++] = i;
    if (connections.length > 1) order.sort();
  }
  const modelIndexOf = (captureIndex: number): number => {
    let lo = 0, hi = order.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = order[mid]!;
      if (v === captureIndex) return mid;
      if (v < captureIndex) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  };

  // Relative sequence bases: the ISN when the SYN was seen, else the first sequence number seen.
  const base = new Float64Array(connections.length * 2).fill(-1);
  connections.forEach((c, k) => {
    if (c.orig.sawSyn) base[k * 2] = c.orig.isn;
    if (c.resp.sawSyn) base[k * 2 + 1] = c.resp.isn;
  });
  const fromOrigOf = (c: Connection, fromFirst: boolean) => fromFirst === (c.first === c.orig);
  const segments: LadderSegment[] = new Array(total);
  if (store) {
    for (let k = 0; k < total; k++) {
      const i = order[k]!;
      const ci = connIndex.get(store.conn(i)) ?? 0;
      const fromOrig = fromOrigOf(connections[ci]!, store.fromFirst(i));
      const me = ci * 2 + (fromOrig ? 0 : 1);
      if (base[me]! < 0) base[me] = store.seq(i);
    }
    for (let k = 0; k < total; k++) {
      const i = order[k]!;
      const ci = connIndex.get(store.conn(i)) ?? 0;
      const fromOrig = fromOrigOf(connections[ci]!, store.fromFirst(i));
      const me = ci * 2 + (fromOrig ? 0 : 1);
      const peerBase = base[me ^ 1]!;
      const ackRaw = store.ack(i);
      segments[k] = {
        conn: ci,
        fromOrig,
        tsSec: store.tsSec(i),
        tsNsec: store.tsNsec(i),
        flags: store.flags(i),
        seq: (store.seq(i) - base[me]!) >>> 0,
        // The ack field means nothing without the ACK flag (a SYN's is usually 0).
        ack: (store.flags(i) & ACK) === 0 ? 0 : peerBase < 0 ? ackRaw : (ackRaw - peerBase) >>> 0,
        payloadLength: store.payloadLength(i),
        window: store.window(i),
        marks: 0,
        index: i,
      };
    }
  }

  const model: LadderModel = {
    title: options.title ?? defaultTitle(connections, addresses),
    lanes: lanesOut.lanes,
    connections: connections.map((c, k): LadderConnection => ({
      id: c.id,
      origLane: lanesOut.origLane[k]!,
      respLane: lanesOut.respLane[k]!,
      origLabel: endpointText(addresses, c.orig),
      respLabel: endpointText(addresses, c.resp),
      origInitial: stateName(c.orig.initialState),
      respInitial: stateName(c.resp.initialState),
      origFinal: c.origState,
      respFinal: c.respState,
    })),
    segments,
    stateChanges: [],
    findings: [],
    captureEndSec: end.sec,
    captureEndNsec: end.nsec,
  };
  markSegments(model);

  const changes: LadderStateChange[] = [];
  connections.forEach((c, k) => {
    for (const ch of c.changes) {
      changes.push({
        conn: k, side: ch.endpoint, from: ch.from, to: ch.to, tsSec: ch.tsSec, tsNsec: ch.tsNsec,
        segment: ch.segment >= 0 ? modelIndexOf(ch.segment) : -1,
      });
    }
  });
  // Time order across connections (stable: each connection's own order is kept).
  changes.sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec);
  model.stateChanges = changes;

  for (const f of findings) {
    let k = f.flow !== undefined ? connIndex.get(f.flow) : undefined;
    if (k === undefined && f.flows && f.flows.some((id) => connIndex.has(id))) k = -1;
    if (k === undefined) continue;
    const lf: LadderFinding = {
      code: f.code, severity: f.severity, message: f.message, conn: k, since: f.since,
      evidence: (f.evidence ?? []).map(modelIndexOf).filter((x) => x >= 0),
    };
    if (k >= 0) {
      const c = model.connections[k]!;
      if (f.endpoint === c.origLabel) lf.side = 'orig';
      else if (f.endpoint === c.respLabel) lf.side = 'resp';
    }
    model.findings.push(lf);
  }
  return model;
}

function defaultTitle(connections: readonly Connection[], addresses: AddressTable): string {
  if (connections.length === 1) {
    const c = connections[0]!;
    return `connection #${c.id}: ${endpointText(addresses, c.orig)} → ${endpointText(addresses, c.resp)}`;
  }
  return `${connections.length} connections: ${connections.slice(0, 8).map((c) => `#${c.id}`).join(', ')}${connections.length > 8 ? ', …' : ''}`;
}

interface LaneAssignment {
  lanes: LadderLane[];
  origLane: number[];
  respLane: number[];
}

/** Lanes ordered clients → proxies → servers (then by first appearance), so arrows read left to right. */
function assignLanes(connections: readonly Connection[], addresses: AddressTable, laneBy: 'auto' | 'endpoint' | 'host'): LaneAssignment {
  let byHost = laneBy === 'host' || (laneBy === 'auto' && connections.length > 1);
  // Both ends of one connection on one host (loopback): host lanes would merge them.
  if (byHost && connections.some((c) => c.orig.addr === c.resp.addr)) byHost = false;
  const keyOf = (e: Endpoint) => (byHost ? `h${e.addr}` : `e${e.addr}:${e.port}`);
  interface Acc { key: string; first: number; host: number; ports: number[]; labels: string[]; orig: boolean; resp: boolean }
  const acc = new Map<string, Acc>();
  const touch = (e: Endpoint, asOrig: boolean, order: number) => {
    const key = keyOf(e);
    let a = acc.get(key);
    if (!a) { a = { key, first: order, host: e.addr, ports: [], labels: [], orig: false, resp: false }; acc.set(key, a); }
    if (!a.ports.includes(e.port)) { a.ports.push(e.port); a.labels.push(endpointText(addresses, e)); }
    if (asOrig) a.orig = true; else a.resp = true;
  };
  connections.forEach((c, k) => { touch(c.orig, true, k * 2); touch(c.resp, false, k * 2 + 1); });
  const roleOf = (a: Acc): LaneRole => (a.orig && a.resp ? 'proxy' : a.orig ? 'client' : a.resp ? 'server' : 'peer');
  const rank: Record<LaneRole, number> = { client: 0, peer: 1, proxy: 1, server: 2 };
  const sorted = [...acc.values()].sort((x, y) => rank[roleOf(x)] - rank[roleOf(y)] || x.first - y.first);
  const laneIndex = new Map<string, number>();
  const lanes = sorted.map((a, i): LadderLane => {
    laneIndex.set(a.key, i);
    if (a.ports.length === 1 || !byHost) return { label: a.labels[0]!, role: roleOf(a) };
    const ports = [...a.ports].sort((p, q) => p - q);
    const shown = ports.slice(0, 4).join(', ') + (ports.length > 4 ? `, +${ports.length - 4} more` : '');
    return { label: addresses.toText(a.host), sublabel: `ports ${shown}`, role: roleOf(a) };
  });
  return {
    lanes,
    origLane: connections.map((c) => laneIndex.get(keyOf(c.orig))!),
    respLane: connections.map((c) => laneIndex.get(keyOf(c.resp))!),
  };
}

// ---- from an analysis result -------------------------------------------------------------------

/** What the diagrams need from an AnalysisResult (which has all of it once the analysis kept segments). */
export interface DiagramSource {
  connections?: readonly Connection[];
  segments?: SegmentStore | null;
  addresses: AddressTable;
  findings: readonly Finding[];
  /** Epoch seconds of the first and last segment of the capture. */
  captureStart: number;
  captureEnd: number;
  /** Exact capture end, when the tracker is at hand. */
  tracker?: { captureEndSec: number; captureEndNsec: number };
}

function exactEnd(r: DiagramSource): CaptureEnd {
  return r.tracker && r.tracker.captureEndSec >= 0 ? { sec: r.tracker.captureEndSec, nsec: r.tracker.captureEndNsec } : r.captureEnd;
}

/**
 * The ladder model of the connections with these ids (in the order given; unknown ids are skipped,
 * so the caller validates them). At most `maxConnections` (default 20) are drawn: a ladder with
 * hundreds of lanes helps nobody; the title says how many were left out.
 */
export function ladderModelForFlows(
  result: DiagramSource,
  flowIds: readonly number[],
  options: LadderSourceOptions & { maxConnections?: number } = {},
): LadderModel {
  const byId = new Map<number, Connection>();
  for (const c of result.connections ?? []) byId.set(c.id, c);
  const all = flowIds.map((id) => byId.get(id)).filter((c): c is Connection => c !== undefined);
  const max = options.maxConnections ?? 20;
  const chosen = all.slice(0, max);
  const model = ladderModelFromConnections(chosen, result.segments ?? undefined, result.addresses, result.findings, exactEnd(result), options);
  if (all.length > chosen.length && options.title === undefined) model.title = `${model.title} (first ${chosen.length} of ${all.length})`;
  return model;
}

/** The timeline model of the whole result, or of the connections with these ids. */
export function timelineModelForResult(result: DiagramSource, flowIds?: readonly number[], title?: string): TimelineModel {
  let conns = result.connections ?? [];
  if (flowIds) {
    const want = new Set(flowIds);
    conns = conns.filter((c) => want.has(c.id));
  }
  return timelineModelFromConnections(conns, result.addresses, result.findings, result.captureStart, result.captureEnd, title);
}

// ---- timeline ---------------------------------------------------------------------------------

/**
 * The timeline model of many connections: per endpoint, the spans of each state from the
 * connection's first segment to capture end (a state persists past the last segment: a CLOSE_WAIT
 * socket is still there when the capture stops). Findings are attached by flow id.
 */
export function timelineModelFromConnections(
  connections: readonly Connection[],
  addresses: AddressTable,
  findings: readonly Finding[],
  captureStart: number,
  captureEnd: number,
  title?: string,
): TimelineModel {
  const byFlow = new Map<number, Finding[]>();
  for (const f of findings) {
    if (f.flow === undefined) continue;
    const list = byFlow.get(f.flow);
    if (list) list.push(f); else byFlow.set(f.flow, [f]);
  }
  const out: TimelineConnection[] = connections.map((c) => {
    const start = c.firstTsSec + c.firstTsNsec / 1e9;
    const spans = (role: 'orig' | 'resp'): StateSpan[] => {
      const e = role === 'orig' ? c.orig : c.resp;
      const list: StateSpan[] = [];
      let state = stateName(e.initialState);
      let from = start;
      for (const ch of c.changes) {
        if (ch.endpoint !== role) continue;
        const t = ch.tsSec + ch.tsNsec / 1e9;
        if (state !== 'CLOSED' && t > from) list.push({ from, to: t, state, open: false });
        state = ch.to;
        from = t;
      }
      if (state !== 'CLOSED' && captureEnd >= from) list.push({ from, to: Math.max(from, captureEnd), state, open: true });
      return list;
    };
    const fs = byFlow.get(c.id) ?? [];
    return {
      id: c.id,
      label: `${endpointText(addresses, c.orig)} → ${endpointText(addresses, c.resp)}`,
      start,
      lastSegment: c.lastTsSec + c.lastTsNsec / 1e9,
      orig: spans('orig'),
      resp: spans('resp'),
      findings: fs.map((f) => ({ code: f.code, severity: f.severity })),
    };
  });
  return { title, captureStart, captureEnd, connections: out };
}

// TUI summary stage: flows + findings → the netstat-style state table per endpoint and the
// findings grouped by (code, endpoint), each with the table selection it leads to.

import type { FlowRecord, TcpState } from '../../../analysis/flow-record.js';
import type { Finding, Severity } from '../../../diagnosis/finding.js';

/** Column order of the state table (netstat's, roughly: open, opening, closing, closed). */
export const SUMMARY_STATES: readonly TcpState[] = [
  'ESTABLISHED', 'SYN_SENT', 'SYN_RECEIVED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'LAST_ACK',
  'CLOSING', 'TIME_WAIT', 'CLOSED', 'UNKNOWN',
];
const STATE_COLUMN = new Map<TcpState, number>(SUMMARY_STATES.map((s, i) => [s, i]));

// States that mean an application still owes a close: they sort an endpoint to the top.
const OWED = [STATE_COLUMN.get('CLOSE_WAIT')!, STATE_COLUMN.get('LAST_ACK')!, STATE_COLUMN.get('FIN_WAIT_1')!,
  STATE_COLUMN.get('FIN_WAIT_2')!, STATE_COLUMN.get('CLOSING')!];

/** Where choosing a summary line takes the table. */
export type TableTarget =
  | { kind: 'filter'; expression: string }
  | { kind: 'ids'; label: string; ids: readonly number[] };

export interface EndpointStateRow {
  /** `10.0.0.5:9000` for a server side, `10.0.0.9` for clients (their ports are ephemeral). */
  label: string;
  role: 'server' | 'client';
  /** Sockets per state at capture end, indexed like SUMMARY_STATES. */
  counts: Uint32Array;
  total: number;
  target: TableTarget;
}

export interface FindingGroup {
  code: string;
  severity: Severity;
  endpoint: string;
  count: number;
  /** Earliest `since` and largest `age` in the group. */
  since: number;
  age: number;
  /** The first finding's message (they differ only in numbers within a group). */
  message: string;
  target: TableTarget;
}

export interface SummaryModel {
  findings: FindingGroup[];
  endpoints: EndpointStateRow[];
  /** Endpoint rows left out to keep the table readable. */
  moreEndpoints: number;
  /** Which SUMMARY_STATES columns have any socket (the others are not shown). */
  usedStates: boolean[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** `ip:port` or `[v6]:port` → host and port; null when it is something else. */
export function parseEndpoint(text: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (!m) return null;
  return { host: m[1]!, port: Number(m[2]) };
}

/** Findings grouped by (code, severity, host): a server leaking on one port stays one line, and
 *  clients stuck on many ephemeral ports collapse into one line per host. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  interface Group { first: Finding; host: string; ports: Set<number>; count: number; since: number; age: number; ids: number[]; perConnection: boolean }
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const ep = parseEndpoint(f.endpoint);
    const host = ep ? ep.host : f.endpoint;
    const key = `${f.code}\u0000${f.severity}\u0000${host}`;
    let g = groups.get(key);
    if (!g) {
      g = { first: f, host, ports: new Set(), count: 0, since: f.since, age: f.age, ids: [], perConnection: true };
      groups.set(key, g);
    }
    g.count++;
    if (ep) g.ports.add(ep.port);
    if (f.since < g.since) g.since = f.since;
    if (f.age > g.age) g.age = f.age;
    if (f.flow !== undefined) g.ids.push(f.flow);
    else g.perConnection = false;
    if (f.flows) for (const id of f.flows) g.ids.push(id);
  }
  const out: FindingGroup[] = [];
  for (const g of groups.values()) {
    const onePort = g.ports.size === 1 ? [...g.ports][0]! : null;
    const endpoint = g.ports.size <= 1 ? g.first.endpoint : `${g.host} (${g.ports.size} ports)`;
    const plainHost = /^[\w.:-]+$/.test(g.host);
    const target: TableTarget = g.perConnection && plainHost
      ? { kind: 'filter', expression: `finding ${g.first.code} and host ${g.host}${onePort !== null ? ` and port ${onePort}` : ''}` }
      : { kind: 'ids', label: `${g.first.code} ${endpoint}`, ids: g.ids };
    out.push({ code: g.first.code, severity: g.first.severity, endpoint, count: g.count, since: g.since, age: g.age, message: g.first.message, target });
  }
  out.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count || b.age - a.age || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return out;
}

interface MutableRow extends EndpointStateRow {
  owed: number;
}

/** The per-endpoint table. Grouping uses nested Maps keyed by the flows' own strings and
 *  numbers, so 1,000,000 flows build no new strings. */
export function endpointStates(flows: readonly FlowRecord[], maxRows: number): { rows: EndpointStateRow[]; more: number; used: boolean[] } {
  const servers = new Map<string, Map<number, MutableRow>>();
  const clients = new Map<string, MutableRow>();
  const used = SUMMARY_STATES.map(() => false);
  const newRow = (label: string, role: 'server' | 'client', target: TableTarget): MutableRow => ({
    label, role, counts: new Uint32Array(SUMMARY_STATES.length), total: 0, owed: 0, target,
  });
  for (const f of flows) {
    let ports = servers.get(f.resp_h);
    if (!ports) servers.set(f.resp_h, (ports = new Map()));
    let s = ports.get(f.resp_p);
    if (!s) {
      const label = f.resp_h.includes(':') ? `[${f.resp_h}]:${f.resp_p}` : `${f.resp_h}:${f.resp_p}`;
      ports.set(f.resp_p, (s = newRow(label, 'server', { kind: 'filter', expression: `resp host ${f.resp_h} and resp port ${f.resp_p}` })));
    }
    const rc = STATE_COLUMN.get(f.resp_state)!;
    s.counts[rc]!++;
    s.total++;
    used[rc] = true;
    let c = clients.get(f.orig_h);
    if (!c) clients.set(f.orig_h, (c = newRow(f.orig_h, 'client', { kind: 'filter', expression: `orig host ${f.orig_h}` })));
    const oc = STATE_COLUMN.get(f.orig_state)!;
    c.counts[oc]!++;
    c.total++;
    used[oc] = true;
  }
  const all: MutableRow[] = [];
  for (const ports of servers.values()) for (const r of ports.values()) all.push(r);
  for (const r of clients.values()) all.push(r);
  for (const r of all) for (const i of OWED) r.owed += r.counts[i]!;
  all.sort((a, b) => b.owed - a.owed || b.total - a.total || (a.role === b.role ? 0 : a.role === 'server' ? -1 : 1));
  const rows = all.slice(0, maxRows).map(({ owed: _owed, ...row }) => row);
  return { rows, more: Math.max(0, all.length - maxRows), used };
}

export function buildSummary(flows: readonly FlowRecord[], findings: readonly Finding[], maxEndpointRows = 200): SummaryModel {
  const { rows, more, used } = endpointStates(flows, maxEndpointRows);
  return { findings: groupFindings(findings), endpoints: rows, moreEndpoints: more, usedStates: used };
}

/** Selectable items of the summary screen, in screen order: finding groups, then endpoints. */
export function summaryItemCount(model: SummaryModel): number {
  return model.findings.length + model.endpoints.length;
}

export function summaryTarget(model: SummaryModel, item: number): TableTarget | null {
  if (item < model.findings.length) return model.findings[item]!.target;
  return model.endpoints[item - model.findings.length]?.target ?? null;
}

/** The summary screen as lines; selectable ones carry their item number. */
export type SummaryLine =
  | { kind: 'heading'; text: string }
  | { kind: 'finding'; item: number; group: FindingGroup }
  | { kind: 'endpoint-header' }
  | { kind: 'endpoint'; item: number; row: EndpointStateRow }
  | { kind: 'note'; text: string }
  | { kind: 'blank' };

export interface SummaryLayout {
  model: SummaryModel;
  lines: SummaryLine[];
  /** Line number of each selectable item. */
  itemLines: number[];
}

export function layoutSummary(model: SummaryModel): SummaryLayout {
  const lines: SummaryLine[] = [];
  const itemLines: number[] = [];
  let item = 0;
  lines.push({ kind: 'heading', text: model.findings.length ? `Findings (${model.findings.length})` : 'Findings' });
  if (model.findings.length === 0) lines.push({ kind: 'note', text: 'none: no connection was left half-closed or otherwise suspicious' });
  for (const group of model.findings) {
    itemLines.push(lines.length);
    lines.push({ kind: 'finding', item: item++, group });
  }
  lines.push({ kind: 'blank' });
  lines.push({ kind: 'heading', text: 'TCP states per endpoint at capture end (netstat view)' });
  if (model.endpoints.length === 0) {
    lines.push({ kind: 'note', text: 'no connections yet' });
  } else {
    lines.push({ kind: 'endpoint-header' });
    for (const row of model.endpoints) {
      itemLines.push(lines.length);
      lines.push({ kind: 'endpoint', item: item++, row });
    }
  }
  if (model.moreEndpoints > 0) lines.push({ kind: 'note', text: `… ${model.moreEndpoints} more endpoints (use / to filter the connections table)` });
  return { model, lines, itemLines };
}

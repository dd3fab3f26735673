// AnalysisResult → `finscope summary`: the netstat-style table at capture end per local endpoint,
// CLOSE_WAIT growth and fd-limit projection, findings grouped by endpoint and pattern with the next
// commands to run, and input problems. One model (the documented JSON shape); the text and Markdown
// formats render a view of its first rows and groups, which ranks and finishes only those.

import type { AnalysisResult, InputSummary, TrackingLimits } from '../analysis/analysis-result.js';
import type { FlowRecord, TcpState } from '../analysis/flow-record.js';
import type { Finding, Severity } from '../diagnosis/finding.js';
import { formatIssue } from '../segment/input-issues.js';
import { escapeTerminal, jsonSafe } from './escape.js';

export type SummaryFormat = 'text' | 'json' | 'md';

export interface SummaryOptions {
  format?: SummaryFormat;
  /** ANSI colours in the text format. */
  color?: boolean;
  /** File-descriptor limit to project CLOSE_WAIT growth against (`--fd-limit`, default 1024). */
  fdLimit?: number;
  /** Rows of the endpoint table and finding groups shown in text/md (JSON has them all). Default 20. */
  maxRows?: number;
  /** Wrap width for the text format (default 100). */
  width?: number;
}

// ---- The model: this is the JSON output (`--format json`), schema `finscope-summary/1` --------

/**
 * `finscope summary --format json`. Stable: keys are only ever added (schema string changes on a
 * breaking change). Times are epoch seconds (text input without a date: seconds since midnight).
 */
export interface SummaryModel {
  schema: 'finscope-summary/1';
  capture: {
    start: number;
    end: number;
    /** end − start, seconds. */
    duration: number;
    segments: number;
    connections: number;
    inputs: InputSummary[];
  };
  /** Findings by severity (per-connection and aggregate findings each count once). */
  totals: Record<Severity, number>;
  /** Sockets at capture end, one row per local endpoint, leaking fastest first. */
  endpoints: EndpointRow[];
  /** One line per pattern (finding code) across all endpoints, most severe and most numerous first. */
  patterns: PatternTotal[];
  /** Findings grouped by code and endpoint, most severe and most numerous first. */
  groups: FindingGroup[];
  issues: IssueSummary;
  /** What the bound on tracked connections (`--max-connections`) evicted or left untracked. */
  limits: TrackingLimits;
}

export interface EndpointRow {
  /** Server rows: the listening `ip:port`. Client rows: the client host (its ports vary). */
  endpoint: string;
  role: 'server' | 'client';
  /** Client rows: the `ip:port` they are connected to; server rows: null. */
  peer: string | null;
  /** Sockets per state at capture end (CLOSED, i.e. gone, is not counted). */
  states: Partial<Record<TcpState, number>>;
  total: number;
  closeWait: CloseWaitGrowth | null;
}

export interface CloseWaitGrowth {
  count: number;
  /** When the first of them entered CLOSE_WAIT. */
  firstSince: number;
  /** CLOSE_WAIT sockets gained per minute over the capture; null when the capture is shorter than 1 s. */
  perMinute: number | null;
  /** Sockets that surely hold a descriptor at capture end: ESTABLISHED + CLOSE_WAIT. */
  openSockets: number;
  fdLimit: number;
  /** Seconds until openSockets reaches fdLimit at perMinute; 0 when already there; null when not growing. */
  secondsToFdLimit: number | null;
}

export interface FindingGroup {
  code: string;
  /** The most severe member. */
  severity: Severity;
  /** Server-side findings: `ip:port`; client-side: `host → ip:port`; aggregates: the service. */
  endpoint: string;
  role: 'server' | 'client' | 'service';
  /** Findings in the group, and how many of them of each severity. */
  count: number;
  bySeverity: Record<Severity, number>;
  /** Connections involved (aggregates count their members). */
  connections: number;
  /** Up to three connection ids to look at first (oldest condition first). */
  examples: number[];
  /** Earliest `since` in the group. */
  since: number;
  /** Distribution of the findings' `age` (seconds). */
  age: { min: number; median: number; p90: number; max: number };
  /** Aggregate timers (peer-timeout): the measured idle times; null otherwise. */
  idle: { seconds: number; spread: number }[] | null;
  /** The message of the first example. */
  message: string;
  /** Commands to run on the host next (PID, HOST, SERVICE are placeholders; lines starting with `#` are advice). */
  next: string[];
}

export interface PatternTotal {
  code: string;
  /** The most severe finding of this code. */
  severity: Severity;
  bySeverity: Record<Severity, number>;
  /** Findings, connections involved, and endpoint groups. */
  findings: number;
  connections: number;
  endpoints: number;
}

export interface IssueSummary {
  total: number;
  byCode: Record<string, number>;
  /** First recorded issue of each code, formatted (`"file": record 3, byte offset 80: code: detail`). */
  examples: string[];
  /** Things skipped on purpose (non-TCP packets, unsupported link types), counted. */
  skipped: Record<string, number>;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };
const STATE_ORDER: readonly TcpState[] = [
  'CLOSE_WAIT', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECEIVED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'LAST_ACK',
  'TIME_WAIT', 'UNKNOWN',
];

function endpointText(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// ---- building the model ----------------------------------------------------------------------

interface RowAcc {
  row: EndpointRow;
  /** `since` of the row's fin-not-returned findings (null until the first). */
  closeWaitSince: number[] | null;
  /** Findings about this endpoint, by code. */
  groups: Map<string, GroupAcc> | null;
  /** Server rows: the client rows of its peers, by client host. */
  clients: Map<number, RowAcc> | null;
}

/** A row's states before its first socket: shared, replaced by the row's own object on the first
 *  count (most client rows of a busy capture count nothing: their sockets are CLOSED). */
const NO_STATES: Partial<Record<TcpState, number>> = Object.freeze({});

function newRow(endpoint: string, role: 'server' | 'client', peer: string | null): RowAcc {
  return { row: { endpoint, role, peer, states: NO_STATES, total: 0, closeWait: null }, closeWaitSince: null, groups: null, clients: null };
}

/** Everything counted in one pass over the flows and findings, before rows and groups are ranked. */
interface Collected {
  result: AnalysisResult;
  duration: number;
  fdLimit: number;
  /** Rows with sockets at capture end, in the order first seen (the ranking's tie order). */
  rows: RowAcc[];
  /** Finding groups: each row's in order, then the aggregates' (the ranking's tie order). */
  groups: GroupAcc[];
  totals: Record<Severity, number>;
}

function collect(result: AnalysisResult, options: SummaryOptions): Collected {
  const fdLimit = options.fdLimit ?? 1024;
  const flows = result.flows;
  const duration = Math.max(0, result.captureEnd - result.captureStart);

  // Rows: server side keyed by its ip:port, client side by (client host, server ip:port). Keys are
  // small integers, so a million flows build no strings here: the tracker's address ids (one per
  // address, whose text is one per address too), else host strings interned once.
  const connections = result.connections.length === flows.length ? result.connections : null;
  const hostIds = new Map<string, number>();
  const hostId = (h: string): number => {
    let id = hostIds.get(h);
    if (id === undefined) hostIds.set(h, (id = hostIds.size));
    return id;
  };
  const servers = new Map<number, Map<number, RowAcc>>();
  const rows: RowAcc[] = [];
  let index = 0; // the flow's index (connections[index] is its connection)
  const serverRow = (f: FlowRecord): RowAcc => {
    const h = connections !== null ? connections[index]!.resp.addr : hostId(f.resp_h);
    let byPort = servers.get(h);
    if (byPort === undefined) servers.set(h, (byPort = new Map()));
    let acc = byPort.get(f.resp_p);
    if (acc === undefined) {
      acc = newRow(endpointText(f.resp_h, f.resp_p), 'server', null);
      byPort.set(f.resp_p, acc);
      rows.push(acc);
    }
    return acc;
  };
  const clientRow = (server: RowAcc, f: FlowRecord): RowAcc => {
    const h = connections !== null ? connections[index]!.orig.addr : hostId(f.orig_h);
    const byHost = (server.clients ??= new Map());
    let acc = byHost.get(h);
    if (acc === undefined) {
      acc = newRow(f.orig_h, 'client', server.row.endpoint);
      byHost.set(h, acc);
      rows.push(acc);
    }
    return acc;
  };
  const count = (acc: RowAcc, state: TcpState) => {
    const row = acc.row;
    if (row.total++ === 0) row.states = {};
    row.states[state] = (row.states[state] ?? 0) + 1;
  };

  // Groups of findings: per row and code; aggregates per label.
  const serviceGroups = new Map<string, GroupAcc>();
  const totals: Record<Severity, number> = { info: 0, warning: 0, error: 0 };

  for (; index < flows.length; index++) {
    const f = flows[index]!;
    const server = serverRow(f);
    const client = clientRow(server, f);
    if (f.resp_state !== 'CLOSED') count(server, f.resp_state);
    if (f.orig_state !== 'CLOSED') count(client, f.orig_state);
    if (f.findings.length === 0) continue;
    const respEp = server.row.endpoint;
    for (const x of f.findings) {
      if (x.flow === undefined) continue; // a member's copy of an aggregate: grouped below, once
      const isServer = x.endpoint === respEp;
      const row = isServer ? server : client;
      if (x.code === 'fin-not-returned') {
        if (row.closeWaitSince === null) row.closeWaitSince = [x.since];
        else row.closeWaitSince.push(x.since);
      }
      const byCode = (row.groups ??= new Map());
      let g = byCode.get(x.code);
      if (g === undefined) {
        g = newGroup(x, isServer ? respEp : `${f.orig_h} → ${respEp}`, isServer ? 'server' : 'client');
        byCode.set(x.code, g);
      }
      addToGroup(g, x, 1);
      totals[x.severity]++;
    }
  }
  for (const x of result.findings) {
    if (x.flow !== undefined || x.flows === undefined) continue; // per-connection ones were grouped above
    const host = typeof x.detail?.host === 'string' && x.detail.side === 'client' ? `${x.detail.host} → ` : '';
    const label = host + x.endpoint;
    const key = `${x.code}\u0000${label}`;
    let g = serviceGroups.get(key);
    if (g === undefined) serviceGroups.set(key, (g = newGroup(x, label, 'service')));
    addToGroup(g, x, x.flows.length);
    totals[x.severity]++;
  }

  const shown: RowAcc[] = [];
  const groups: GroupAcc[] = [];
  for (const acc of rows) {
    if (acc.row.total > 0) shown.push(acc);
    if (acc.groups) for (const g of acc.groups.values()) groups.push(g);
  }
  for (const g of serviceGroups.values()) groups.push(g);
  return { result, duration, fdLimit, rows: shown, groups, totals };
}

/** CLOSE_WAIT sockets gained per minute, or null when the capture is shorter than a second. */
function perMinuteOf(count: number, duration: number): number | null {
  return duration >= 1 ? (count / duration) * 60 : null;
}

/** The endpoint table's order: leaking fastest first, then most CLOSE_WAIT, most sockets, servers
 *  before clients, and by name. (The keys are those of the finished rows, computed here.) */
function compareRows(a: RowAcc, b: RowAcc, duration: number): number {
  const na = a.row.states.CLOSE_WAIT ?? 0, nb = b.row.states.CLOSE_WAIT ?? 0;
  const ra = na > 0 ? perMinuteOf(na, duration) ?? -1 : -1, rb = nb > 0 ? perMinuteOf(nb, duration) ?? -1 : -1;
  const x = a.row, y = b.row;
  return rb - ra || nb - na || y.total - x.total || (x.role === y.role ? 0 : x.role === 'server' ? -1 : 1)
    || (x.endpoint < y.endpoint ? -1 : x.endpoint > y.endpoint ? 1 : 0);
}

function groupSeverity(g: GroupAcc): Severity {
  return g.bySeverity.error > 0 ? 'error' : g.bySeverity.warning > 0 ? 'warning' : 'info';
}

/** The groups' order: most severe, most connections, then by pattern and endpoint. */
function compareGroups(a: GroupAcc, b: GroupAcc): number {
  return SEVERITY_RANK[groupSeverity(b)] - SEVERITY_RANK[groupSeverity(a)] || b.connections - a.connections
    || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0);
}

/** The row as output: its CLOSE_WAIT growth filled in (the accumulator's row object itself). */
function finishRow(acc: RowAcc, c: Collected): EndpointRow {
  const n = acc.row.states.CLOSE_WAIT ?? 0;
  if (n > 0 && acc.row.closeWait === null) {
    let first = Infinity;
    for (const s of acc.closeWaitSince ?? []) if (s < first) first = s;
    if (!Number.isFinite(first)) first = c.result.captureStart;
    const perMinute = perMinuteOf(n, c.duration);
    const open = (acc.row.states.ESTABLISHED ?? 0) + n;
    const secondsToFdLimit = open >= c.fdLimit ? 0 : perMinute !== null && perMinute > 0 ? ((c.fdLimit - open) / perMinute) * 60 : null;
    acc.row.closeWait = { count: n, firstSince: first, perMinute, openSockets: open, fdLimit: c.fdLimit, secondsToFdLimit };
  }
  return acc.row;
}

/** One line per pattern, from every group (most severe, then most connections, first). */
function patternsOf(groups: readonly GroupAcc[]): PatternTotal[] {
  const byCode = new Map<string, PatternTotal>();
  for (const g of groups) {
    let p = byCode.get(g.code);
    if (p === undefined) {
      p = { code: g.code, severity: 'info', bySeverity: { info: 0, warning: 0, error: 0 }, findings: 0, connections: 0, endpoints: 0 };
      byCode.set(g.code, p);
    }
    p.findings += g.count;
    p.connections += g.connections;
    p.endpoints++;
    for (const sev of ['info', 'warning', 'error'] as const) p.bySeverity[sev] += g.bySeverity[sev];
    const severity = groupSeverity(g);
    if (SEVERITY_RANK[severity] > SEVERITY_RANK[p.severity]) p.severity = severity;
  }
  return [...byCode.values()].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]
    || b.connections - a.connections || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

function captureOf(c: Collected): SummaryModel['capture'] {
  const r = c.result;
  return { start: r.captureStart, end: r.captureEnd, duration: c.duration, segments: r.segmentCount, connections: r.flows.length, inputs: r.inputs };
}

function limitsOf(result: AnalysisResult): TrackingLimits {
  return result.limits ?? { maxConnections: null, opened: result.flows.length, evicted: 0, evictedByConnState: {}, untrackedSegments: 0 };
}

export function buildSummary(result: AnalysisResult, options: SummaryOptions = {}): SummaryModel {
  const c = collect(result, options);
  const rows = c.rows.slice().sort((a, b) => compareRows(a, b, c.duration));
  const groups = c.groups.slice().sort(compareGroups);
  return {
    schema: 'finscope-summary/1',
    capture: captureOf(c),
    totals: c.totals,
    endpoints: rows.map((acc) => finishRow(acc, c)),
    patterns: patternsOf(c.groups),
    groups: groups.map(finishGroup),
    issues: summarizeIssues(result),
    limits: limitsOf(result),
  };
}

/**
 * What the text and Markdown formats show: the model's first rows and groups and how many there
 * are, without ranking and finishing all of them (a capture of 180,000 short connections has
 * 100,000 endpoint rows, of which the text shows 20). `viewOf(buildSummary(...))` is the same view
 * from the whole model.
 */
export interface SummaryView {
  capture: SummaryModel['capture'];
  totals: SummaryModel['totals'];
  limits: TrackingLimits;
  issues: IssueSummary;
  patterns: PatternTotal[];
  /** The endpoint table's first rows, and how many rows there are. */
  endpoints: EndpointRow[];
  endpointCount: number;
  /** The first rows with CLOSE_WAIT growth, how many such rows there are, and the CLOSE_WAIT sockets
   *  of the rows not shown. */
  growing: EndpointRow[];
  growingCount: number;
  growingRest: number;
  groups: FindingGroup[];
  groupCount: number;
}

/** The view of the first `maxRows` rows and groups (and GROWTH_ROWS growing rows) of a whole model. */
export function viewOf(m: SummaryModel, maxRows = 20): SummaryView {
  const growing = m.endpoints.filter((r) => r.closeWait !== null);
  let rest = 0;
  for (const r of growing.slice(GROWTH_ROWS)) rest += r.closeWait!.count;
  return {
    capture: m.capture, totals: m.totals, limits: m.limits, issues: m.issues, patterns: m.patterns,
    endpoints: m.endpoints.slice(0, maxRows), endpointCount: m.endpoints.length,
    growing: growing.slice(0, GROWTH_ROWS), growingCount: growing.length, growingRest: rest,
    groups: m.groups.slice(0, maxRows), groupCount: m.groups.length,
  };
}

/** viewOf(buildSummary(result, options), maxRows), ranking and finishing only what it shows. */
export function buildSummaryView(result: AnalysisResult, options: SummaryOptions = {}): SummaryView {
  const max = options.maxRows ?? 20;
  const c = collect(result, options);
  const byRow = (a: RowAcc, b: RowAcc) => compareRows(a, b, c.duration);
  const growingAll = c.rows.filter((acc) => (acc.row.states.CLOSE_WAIT ?? 0) > 0);
  const growing = firstInOrder(growingAll, GROWTH_ROWS, byRow);
  let rest = 0;
  for (const acc of growingAll) rest += acc.row.states.CLOSE_WAIT!;
  for (const acc of growing) rest -= acc.row.states.CLOSE_WAIT!;
  return {
    capture: captureOf(c), totals: c.totals, limits: limitsOf(result), issues: summarizeIssues(result), patterns: patternsOf(c.groups),
    endpoints: firstInOrder(c.rows, max, byRow).map((acc) => finishRow(acc, c)), endpointCount: c.rows.length,
    growing: growing.map((acc) => finishRow(acc, c)), growingCount: growingAll.length, growingRest: rest,
    groups: firstInOrder(c.groups, max, compareGroups).map(finishGroup), groupCount: c.groups.length,
  };
}

/**
 * The first `k` items in the order a stable sort by `compare` gives, without sorting them all:
 * one pass keeping the best k in order (an item equal to one kept goes after it, as in the sort).
 */
export function firstInOrder<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  if (k <= 0) return best;
  for (const x of items) {
    if (best.length === k && compare(x, best[k - 1]!) >= 0) continue;
    let at = best.length;
    while (at > 0 && compare(x, best[at - 1]!) < 0) at--;
    best.splice(at, 0, x);
    if (best.length > k) best.pop();
  }
  return best;
}

interface GroupAcc {
  code: string;
  endpoint: string;
  role: FindingGroup['role'];
  bySeverity: Record<Severity, number>;
  count: number;
  connections: number;
  ages: number[];
  /** The three oldest (smallest since) findings with a connection id. */
  oldest: { since: number; id: number }[];
  first: Finding;
  since: number;
  idle: { seconds: number; spread: number }[];
}

function newGroup(x: Finding, endpoint: string, role: FindingGroup['role']): GroupAcc {
  return {
    code: x.code, endpoint, role, bySeverity: { info: 0, warning: 0, error: 0 }, count: 0, connections: 0, ages: [],
    oldest: [], first: x, since: x.since, idle: [],
  };
}

function addToGroup(g: GroupAcc, x: Finding, connections: number): void {
  g.count++;
  g.connections += connections;
  g.bySeverity[x.severity]++;
  g.ages.push(x.age);
  if (x.since < g.since) g.since = x.since;
  if (SEVERITY_RANK[x.severity] > SEVERITY_RANK[g.first.severity]) g.first = x;
  const ids = x.flow !== undefined ? [x.flow] : (x.flows ?? []).slice(0, 3);
  for (const id of ids) {
    if (g.oldest.length < 3) g.oldest.push({ since: x.since, id });
    else {
      let worst = 0;
      for (let k = 1; k < 3; k++) if (g.oldest[k]!.since > g.oldest[worst]!.since) worst = k;
      if (x.since < g.oldest[worst]!.since) g.oldest[worst] = { since: x.since, id };
    }
  }
  // (Only aggregates carry a measured timer; reading `detail` of the others would write their words.)
  const d = x.flows !== undefined && x.flow === undefined ? x.detail : undefined;
  if (d && typeof d.seconds === 'number' && typeof d.spread === 'number') g.idle.push({ seconds: d.seconds, spread: d.spread });
}

function finishGroup(g: GroupAcc): FindingGroup {
  const ages = Float64Array.from(g.ages).sort();
  const at = (q: number) => ages[Math.min(ages.length - 1, Math.floor(q * (ages.length - 1) + 0.5))] ?? 0;
  const severity = groupSeverity(g);
  const examples = g.oldest.sort((a, b) => a.since - b.since || a.id - b.id).map((e) => e.id);
  const first = g.first;
  return {
    code: g.code,
    severity,
    endpoint: g.endpoint,
    role: g.role,
    count: g.count,
    bySeverity: g.bySeverity,
    connections: g.connections,
    examples,
    since: g.since,
    age: { min: ages[0] ?? 0, median: at(0.5), p90: at(0.9), max: ages[ages.length - 1] ?? 0 },
    idle: g.idle.length > 0 ? g.idle : null,
    // Written on demand (an enumerable getter: JSON output is unchanged): the text summary shows
    // about twenty of the groups, and composing all 2,400 messages of the bench capture took 18 ms.
    get message(): string {
      return first.message;
    },
    next: nextCommands(g.code, g.endpoint, g.role),
  };
}

function summarizeIssues(result: AnalysisResult): IssueSummary {
  const byCode: Record<string, number> = {};
  let total = 0;
  for (const [code, n] of result.issues.counts) {
    byCode[code] = n;
    total += n;
  }
  const seen = new Set<string>();
  const examples: string[] = [];
  for (const i of result.issues.kept) {
    if (seen.has(i.code)) continue;
    seen.add(i.code);
    examples.push(formatIssue(i));
  }
  const skipped: Record<string, number> = {};
  for (const [what, n] of result.issues.skipped) skipped[what] = n;
  return { total, byCode, examples, skipped };
}

// ---- next commands --------------------------------------------------------------------------

/** The port in `ip:port`, `[v6]:port` or `host → ip:port` (the server's port), or 'PORT'. */
function portOf(endpoint: string): string {
  const m = /:(\d+)$/.exec(endpoint);
  return m?.[1] ?? 'PORT';
}

const THREAD_DUMP = 'py-spy dump --pid PID   # thread dump; or jstack PID (Java), kill -QUIT PID (Go, JVM), gdb -p PID -batch -ex "thread apply all bt"';

/** What to run on the host next, by pattern. */
export function nextCommands(code: string, endpoint: string, role: FindingGroup['role']): string[] {
  const port = portOf(endpoint);
  const mine = role === 'client' ? `dport = :${port}` : `sport = :${port}`;
  switch (code) {
    case 'fin-not-returned':
      return [`ss -tanp state close-wait '( ${mine} )'`, 'lsof -p PID', 'ls /proc/PID/fd | wc -l; grep "open files" /proc/PID/limits', THREAD_DUMP];
    case 'unanswered-request':
      return [`ss -tn state close-wait '( sport = :${port} )'   # Recv-Q > 0: requests never read`, THREAD_DUMP];
    case 'peer-timeout':
      return [`ss -tanpo '( sport = :${port} or dport = :${port} )'   # timers per socket`,
        '# compare with the configured timeouts: server keep-alive, proxy read timeout, client pool idle timeout'];
    case 'idle-pool-close-wait':
      return [`ss -tanp state close-wait '( dport = :${port} )'   # on the client host`, 'lsof -p PID',
        "# set the client pool's idle timeout below the server's keep-alive timeout, or enable idle-connection validation"];
    case 'reset-after-half-close':
      return [`ss -tanp state close-wait '( ${mine} )'`, 'nstat -az TcpExtTCPAbortOnData TcpExtTCPAbortOnClose',
        '# validate or evict idle pooled connections; retry idempotent requests once on ECONNRESET'];
    case 'duplicate-connection':
      return [`lsof -nP -iTCP:${port} -sTCP:CLOSE_WAIT   # which PIDs (a child?) hold the socket`, 'ps -o pid,ppid,lstart,cmd -p PIDS',
        '# open sockets with SOCK_CLOEXEC (or set FD_CLOEXEC) so that children do not inherit them'];
    case 'time-wait-pile-up':
      return ['ss -tan state time-wait | wc -l', 'sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse',
        '# reuse connections (HTTP keep-alive, a connection pool) instead of one per request'];
    case 'syn-unanswered':
      return [`nc -vz HOST ${port}   # from the client`, `ss -ltn '( sport = :${port} )'   # on the server`, 'nft list ruleset; iptables -S'];
    case 'accept-backlog-overflow':
      return [`ss -ltn '( sport = :${port} )'   # Recv-Q: waiting for accept(); Send-Q: backlog`,
        'nstat -az TcpExtListenOverflows TcpExtListenDrops', 'sysctl net.core.somaxconn net.ipv4.tcp_max_syn_backlog', THREAD_DUMP];
    case 'connection-refused':
      return [`ss -ltnp '( sport = :${port} )'   # is anything listening?`, 'systemctl status SERVICE; journalctl -u SERVICE'];
    case 'aborted':
      return ['nstat -az TcpExtTCPAbortOnData TcpExtTCPAbortOnClose TcpExtTCPAbortOnTimeout', '# and the application logs at that time'];
    case 'zero-window':
      return [`ss -tmi '( ${mine} )'   # Recv-Q and receive buffer`, THREAD_DUMP];
    default:
      return [];
  }
}

// ---- rendering --------------------------------------------------------------------------------

export function renderSummary(result: AnalysisResult, options: SummaryOptions = {}): string {
  switch (options.format ?? 'text') {
    case 'json':
      return jsonSafe(JSON.stringify(buildSummary(result, options), null, 2)) + '\n';
    case 'md':
      return renderSummaryView(buildSummaryView(result, options), 'md', options);
    default:
      return renderSummaryView(buildSummaryView(result, options), 'text', options);
  }
}

/** The text or Markdown format of a view (see SummaryView). */
export function renderSummaryView(view: SummaryView, format: 'text' | 'md', options: SummaryOptions = {}): string {
  return format === 'md' ? renderMarkdown(view) : renderText(view, options);
}

function plural(count: number, one: string): string {
  return `${n(count)} ${count === 1 ? one : one + 's'}`;
}

/** `1234` → `1,234`. Integers without Intl (its first use costs ~15 ms of start-up per run). */
function n(x: number): string {
  if (!Number.isSafeInteger(x)) return x.toLocaleString('en-US');
  const digits = String(Math.abs(x));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return x < 0 ? '-' + out : out;
}

function clock(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '?';
  const d = new Date(Math.floor(epochSeconds * 1000));
  const p = (v: number) => String(v).padStart(2, '0');
  const us = Math.round((epochSeconds - Math.floor(epochSeconds)) * 1e6) % 1e6;
  const date = epochSeconds >= 86400 * 366 ? `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` : '';
  return `${date}${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${String(us).padStart(6, '0')}`;
}

function timesNote(start: number): string {
  return start >= 86400 * 366 ? 'times UTC' : 'times of day as captured';
}

function dur(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return `${seconds.toFixed(3)} s`;
  if (seconds < 100) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  if (seconds < 86400 * 3) return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function statesText(row: EndpointRow): string {
  const parts: string[] = [];
  for (const s of STATE_ORDER) {
    const v = row.states[s];
    if (v) parts.push(`${s} ${n(v)}`);
  }
  return parts.join('  ');
}

function rowLabel(row: EndpointRow): string {
  return row.role === 'server' ? row.endpoint : `${row.endpoint} → ${row.peer ?? '?'}`;
}

function growthText(g: CloseWaitGrowth): string {
  if (g.count < MIN_FOR_RATE && g.secondsToFdLimit !== 0) return `${n(g.count)} CLOSE_WAIT since ${clock(g.firstSince)} (too few to project a rate)`;
  const rate = g.perMinute === null
    ? `${n(g.count)} CLOSE_WAIT (capture too short to measure a rate)`
    : `${n(g.count)} CLOSE_WAIT, +${g.perMinute < 10 ? g.perMinute.toFixed(2) : g.perMinute < 100 ? g.perMinute.toFixed(1) : n(Math.round(g.perMinute))}/min since ${clock(g.firstSince)}`;
  let fd: string;
  if (g.secondsToFdLimit === 0) fd = `${n(g.openSockets)} sockets open: already at or above the fd limit of ${n(g.fdLimit)}`;
  else if (g.secondsToFdLimit === null) fd = `${n(g.openSockets)} of ${n(g.fdLimit)} fds in use`;
  else fd = `fd limit ${n(g.fdLimit)} reached in ~${dur(g.secondsToFdLimit)} at this rate (${plural(g.openSockets, 'socket')} open now, other descriptors not counted)`;
  return `${rate}; ${fd}`;
}

function patternText(p: PatternTotal): string {
  const sev = (['error', 'warning', 'info'] as const).filter((x) => p.bySeverity[x] > 0).map((x) => `${n(p.bySeverity[x])} ${x}`).join(', ');
  return `${plural(p.connections, 'connection')} on ${plural(p.endpoints, 'endpoint')}` + (sev ? ` (${sev})` : '');
}

function timingText(g: FindingGroup): string {
  if (g.idle) return `idle before close: ${g.idle.map((i) => `${i.seconds.toFixed(i.seconds < 10 ? 2 : 1)} s ± ${i.spread.toFixed(2)}`).join(', ')}`;
  if (g.count === 1) return `age ${dur(g.age.max)}`;
  return `age min ${dur(g.age.min)}, median ${dur(g.age.median)}, p90 ${dur(g.age.p90)}, max ${dur(g.age.max)}`;
}

function countText(g: FindingGroup): string {
  const parts: string[] = [];
  if (g.role === 'service') parts.push(`${n(g.connections)} ${g.connections === 1 ? 'connection' : 'connections'}`);
  else parts.push(`${n(g.count)} ${g.count === 1 ? 'connection' : 'connections'}`);
  const sev = (['error', 'warning', 'info'] as const).filter((s) => g.bySeverity[s] > 0);
  if (sev.length > 1) parts.push(sev.map((s) => `${g.bySeverity[s]} ${s}`).join(', '));
  return parts.join('; ');
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  if (line.length > 0) lines.push(indent + line);
  return lines.join('\n');
}

/** Text format: CLOSE_WAIT growth lines, and finding groups written out in full, before one-liners. */
const GROWTH_ROWS = 10;
const DETAILED_GROUPS = 8;
/** Below this many CLOSE_WAIT sockets a rate is noise: no projection. */
const MIN_FOR_RATE = 3;

/** A finding's message without its closing "Next: …" sentence (the summary lists the commands). */
function withoutNext(message: string): string {
  const at = message.indexOf(' Next: ');
  return at < 0 ? message : message.slice(0, at);
}

const SGR = {
  error: '\x1b[1;31m', warning: '\x1b[33m', info: '\x1b[36m', closeWait: '\x1b[1;31m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m',
};

function renderText(m: SummaryView, options: SummaryOptions): string {
  const color = options.color === true;
  const paint = (code: string, s: string) => (color ? code + s + SGR.reset : s);
  const width = options.width ?? 100;
  const out: string[] = [];
  const c = m.capture;
  const inputs = c.inputs.map((i) => `${escapeTerminal(i.name)} (${i.format}${i.gzip ? ', gzip' : ''})`).join(', ');
  out.push(paint(SGR.bold, 'finscope summary') + (inputs ? ` of ${inputs}` : ''));
  out.push(`${n(c.segments)} TCP segments, ${plural(c.connections, 'connection')}, ${clock(c.start)} → ${clock(c.end)} (${dur(c.duration)}, ${timesNote(c.start)})`);
  const t = m.totals;
  out.push(`findings: ${t.error} error, ${t.warning} warning, ${t.info} info`);
  for (const line of limitsText(m.limits)) out.push(paint(SGR.warning, wrap(line, width, '')));
  out.push('');

  out.push(paint(SGR.bold, 'Sockets at capture end, per local endpoint (leaking fastest first)'));
  const rows = m.endpoints;
  if (rows.length === 0) out.push('  (no open sockets at capture end)');
  const labelWidth = Math.min(60, Math.max(0, ...rows.map((r) => rowLabel(r).length)));
  for (const r of rows) {
    let states = statesText(r);
    if (color && r.states.CLOSE_WAIT) states = states.replace(/^CLOSE_WAIT [\d,]+/, (s) => paint(SGR.closeWait, s));
    out.push(`  ${escapeTerminal(rowLabel(r)).padEnd(labelWidth)}  ${states}`);
  }
  if (m.endpointCount > rows.length) out.push(`  … ${n(m.endpointCount - rows.length)} more endpoints (--format json lists all)`);
  if (m.growingCount > 0) {
    out.push('');
    out.push(paint(SGR.bold, 'CLOSE_WAIT growth'));
    for (const r of m.growing) out.push(wrap(`${escapeTerminal(rowLabel(r))}: ${growthText(r.closeWait!)}`, width, '  '));
    if (m.growingCount > m.growing.length) {
      out.push(`  … ${n(m.growingCount - m.growing.length)} more endpoints hold ${n(m.growingRest)} CLOSE_WAIT between them`);
    }
  }
  out.push('');

  if (m.patterns.length > 1 || m.groupCount > m.patterns.length) {
    out.push(paint(SGR.bold, 'Patterns'));
    const w = Math.max(...m.patterns.map((p) => p.code.length));
    for (const p of m.patterns) out.push(`  ${paint(SGR[p.severity], p.severity.toUpperCase().padEnd(7))} ${p.code.padEnd(w)}  ${patternText(p)}`);
    out.push('');
  }

  out.push(paint(SGR.bold, 'Findings by endpoint and pattern'));
  if (m.groupCount === 0) out.push('  none: no half-closed, unanswered, refused or aborted connections found');
  const explained = new Set<string>();
  m.groups.forEach((g, k) => {
    const label = g.severity.toUpperCase().padEnd(7);
    out.push(`  ${paint(SGR[g.severity], label)} ${paint(SGR.bold, g.code)}  ${escapeTerminal(g.endpoint)}  (${countText(g)})`);
    out.push(`          ${timingText(g)}; since ${clock(g.since)}; e.g. connection${g.examples.length > 1 ? 's' : ''} ${g.examples.join(', ')}`);
    // Each pattern is explained once, in its first (most severe, most numerous) group; later groups
    // of the same pattern, and everything after the first few groups, get one line each.
    if (k >= DETAILED_GROUPS || explained.has(g.code)) return;
    explained.add(g.code);
    out.push(wrap(escapeTerminal(withoutNext(g.message)), width, '          '));
    if (g.next.length === 0) return;
    out.push('          next, on that host:');
    for (const cmd of g.next) out.push(cmd.startsWith('#') ? `            ${cmd}` : `            $ ${cmd}`);
  });
  if (m.groupCount > m.groups.length) out.push(`  … ${n(m.groupCount - m.groups.length)} more groups (--format json lists all)`);
  out.push('');

  out.push(paint(SGR.bold, 'Input problems'));
  if (m.issues.total === 0) out.push('  none');
  else {
    out.push(`  ${Object.entries(m.issues.byCode).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
    for (const e of m.issues.examples) out.push(wrap(`first: ${escapeTerminal(e)}`, width, '    '));
  }
  const skipped = Object.entries(m.issues.skipped);
  if (skipped.length > 0) out.push(`  skipped (not TCP or not decodable): ${skipped.map(([k, v]) => `${escapeTerminal(k)} ${n(v)}`).join(', ')}`);
  return out.join('\n') + '\n';
}

/**
 * The bound on tracked connections, said plainly when it changed the result: how many connections
 * were evicted (by Zeek conn_state) and how many segments went untracked. Empty when neither.
 */
export function limitsText(l: TrackingLimits | undefined): string[] {
  if (l === undefined || l.maxConnections === null) return [];
  const out: string[] = [];
  if (l.evicted > 0) {
    const states = Object.entries(l.evictedByConnState).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ');
    out.push(`bounded: ${n(l.evicted)} of ${n(l.opened)} connections were evicted (oldest finished or unanswered first) to stay`
      + ` within --max-connections ${n(l.maxConnections)}; they are counted here, not listed: ${states}`);
  }
  if (l.untrackedSegments > 0) {
    out.push(`bounded: ${n(l.untrackedSegments)} segments of new connections were not tracked: all ${n(l.maxConnections)} connections`
      + ' held were still open (raise --max-connections)');
  }
  return out;
}

/** Markdown text: capture-derived strings cannot open HTML or break tables. */
function md(s: string): string {
  return escapeTerminal(s).replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}
function mdCell(s: string): string {
  return md(s).replace(/\|/g, '\\|');
}

function renderMarkdown(m: SummaryView): string {
  const out: string[] = [];
  const c = m.capture;
  out.push('# finscope summary');
  out.push('');
  if (c.inputs.length > 0) out.push(`Inputs: ${c.inputs.map((i) => `\`${md(i.name).replace(/`/g, "'")}\` (${i.format}${i.gzip ? ', gzip' : ''})`).join(', ')}  `);
  out.push(`${n(c.segments)} TCP segments, ${plural(c.connections, 'connection')}, ${clock(c.start)} → ${clock(c.end)} (${dur(c.duration)}, ${timesNote(c.start)}).  `);
  out.push(`Findings: **${m.totals.error} error**, **${m.totals.warning} warning**, ${m.totals.info} info.`);
  const limits = limitsText(m.limits);
  if (limits.length > 0) {
    out.push('');
    for (const line of limits) out.push(`> **${md(line)}**  `);
  }
  out.push('');
  out.push('## Sockets at capture end');
  out.push('');
  if (m.endpointCount === 0) out.push('No open sockets at capture end.');
  else {
    out.push('| Local endpoint | Role | States | CLOSE_WAIT growth |');
    out.push('|---|---|---|---|');
    for (const r of m.endpoints) {
      out.push(`| ${mdCell(rowLabel(r))} | ${r.role} | ${statesText(r)} | ${r.closeWait ? mdCell(growthText(r.closeWait)) : ''} |`);
    }
    if (m.endpointCount > m.endpoints.length) out.push(`\n… ${n(m.endpointCount - m.endpoints.length)} more endpoints (\`--format json\` lists all).`);
  }
  out.push('');
  out.push('## Findings');
  out.push('');
  if (m.patterns.length > 0) {
    out.push('| Severity | Pattern | Extent |');
    out.push('|---|---|---|');
    for (const p of m.patterns) out.push(`| ${p.severity} | \`${p.code}\` | ${patternText(p)} |`);
    out.push('');
  }
  if (m.groupCount === 0) out.push('None.');
  for (const g of m.groups) {
    out.push(`### ${g.severity.toUpperCase()} \`${g.code}\` on ${md(g.endpoint)}`);
    out.push('');
    out.push(`- ${countText(g)}; ${timingText(g)}; since ${clock(g.since)}`);
    out.push(`- example connections: ${g.examples.join(', ')}`);
    out.push('');
    out.push(md(withoutNext(g.message)));
    out.push('');
    if (g.next.length > 0) {
      out.push('Next, on the host:');
      out.push('');
      out.push('```sh');
      for (const cmd of g.next) out.push(cmd);
      out.push('```');
      out.push('');
    }
  }
  if (m.groupCount > m.groups.length) out.push(`… ${n(m.groupCount - m.groups.length)} more groups (\`--format json\` lists all).\n`);
  out.push('## Input problems');
  out.push('');
  if (m.issues.total === 0) out.push('None.');
  else {
    for (const [k, v] of Object.entries(m.issues.byCode)) out.push(`- \`${k}\`: ${n(v)}`);
    for (const e of m.issues.examples) out.push(`- first: ${md(e)}`);
  }
  return out.join('\n') + '\n';
}

// Connections -> `finscope flows` output: table, ndjson, json, csv, or a Zeek conn.log.

import type { FlowRecord, TcpState } from '../analysis/flow-record.js';
import { escapeTerminal, jsonSafe } from './escape.js';

export type FlowFormat = 'table' | 'ndjson' | 'json' | 'csv' | 'zeek';

/** Optional extra keys the engine may add beyond the contract (used by the zeek writer). */
export interface FlowExtras {
  orig_ip_bytes?: number;
  resp_ip_bytes?: number;
  missed_bytes?: number;
}

export function ndjsonLine(flow: FlowRecord): string {
  return jsonSafe(JSON.stringify(flow)) + '\n';
}

const CSV_COLUMNS = [
  'id', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'ts', 'duration', 'orig_pkts', 'resp_pkts', 'orig_bytes',
  'resp_bytes', 'conn_state', 'history', 'orig_state', 'resp_state', 'first_fin', 'findings',
] as const;

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

export function csvLine(flow: FlowRecord): string {
  return CSV_COLUMNS.map((c) => {
    const v = c === 'findings' ? flow.findings.map((f) => f.code).join(';') : flow[c];
    return csvField(v === null ? '' : String(v));
  }).join(',') + '\n';
}

function csvField(s: string): string {
  // Host names from tcpdump text may hold control characters: shown as \xNN, never passed raw.
  const t = escapeTerminal(s);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

// ---- Zeek conn.log -------------------------------------------------------------------------

const ZEEK_FIELDS = 'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents'.split(' ');
const ZEEK_TYPES = 'time string addr port addr port enum string interval count count string bool bool count string count count count count set[string]'.split(' ');

function zeekTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}

export function zeekHeader(openTime: number): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${zeekTime(openTime)}`,
    `#fields\t${ZEEK_FIELDS.join('\t')}`,
    `#types\t${ZEEK_TYPES.join('\t')}`,
  ].join('\n') + '\n';
}

export function zeekFooter(closeTime: number): string {
  return `#close\t${zeekTime(closeTime)}\n`;
}

/** Zeek-style uid: `C` + 17 base62 characters, deterministic from the connection id and start. */
export function zeekUid(flow: FlowRecord): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let h1 = (flow.id * 0x9e3779b1) >>> 0;
  let h2 = (Math.floor(flow.ts * 1e6) % 0x7fffffff ^ 0x85ebca6b) >>> 0;
  let s = 'C';
  for (let i = 0; i < 17; i++) {
    h1 = (Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d) + h2) >>> 0;
    h2 = (Math.imul(h2 ^ (h2 >>> 13), 0x297a2d39) + i) >>> 0;
    s += alphabet[((h1 ^ h2) >>> 0) % 62]; // unsigned: a negative XOR would index past the alphabet
  }
  return s;
}

function zeekEscape(s: string): string {
  // conn.log escapes the separator and non-printables as \xNN.
  return s.replace(/[\x00-\x20\x7f-\xff\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function zeekLine(flow: FlowRecord & FlowExtras): string {
  const unset = '-';
  const num = (n: number | undefined) => (n === undefined ? unset : String(n));
  return [
    flow.ts.toFixed(6), zeekUid(flow), zeekEscape(flow.orig_h), flow.orig_p, zeekEscape(flow.resp_h), flow.resp_p,
    'tcp', unset, flow.duration.toFixed(6), flow.orig_bytes, flow.resp_bytes, flow.conn_state, unset, unset,
    num(flow.missed_bytes ?? 0), flow.history || unset, flow.orig_pkts, num(flow.orig_ip_bytes), flow.resp_pkts,
    num(flow.resp_ip_bytes), unset,
  ].join('\t') + '\n';
}

// ---- Table -----------------------------------------------------------------------------------

const STATE_COLOR: Partial<Record<TcpState, string>> = {
  CLOSE_WAIT: '\x1b[1;31m', LAST_ACK: '\x1b[33m', FIN_WAIT_1: '\x1b[33m', FIN_WAIT_2: '\x1b[33m',
  CLOSING: '\x1b[33m', TIME_WAIT: '\x1b[2m', CLOSED: '\x1b[2m', ESTABLISHED: '\x1b[32m', UNKNOWN: '\x1b[35m',
  SYN_SENT: '\x1b[36m', SYN_RECEIVED: '\x1b[36m',
};
const RESET = '\x1b[0m';

export function endpointText(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function formatDuration(seconds: number): string {
  if (seconds < 10) return seconds.toFixed(3) + 's';
  if (seconds < 600) return seconds.toFixed(1) + 's';
  if (seconds < 36000) return (seconds / 60).toFixed(1) + 'm';
  return (seconds / 3600).toFixed(1) + 'h';
}

/** A state the capture could not tell because it lost segments says so beside it (see FlowRecord.orig_acked_unseen). */
function stateCell(state: TcpState, f: FlowRecord): string {
  return state === 'UNKNOWN' && ((f.orig_acked_unseen ?? 0) > 0 || (f.resp_acked_unseen ?? 0) > 0) ? 'UNKNOWN (lost)' : state;
}

/** Aligned columns; widths computed from the rows given (call with a page of rows). */
export function formatTable(flows: readonly FlowRecord[], color: boolean): string {
  const header = ['ID', 'ORIGINATOR', 'RESPONDER', 'ORIG_STATE', 'RESP_STATE', 'ZEEK', 'HISTORY', 'DURATION', 'PKTS', 'BYTES', 'FINDINGS'];
  const rows = flows.map((f) => [
    String(f.id),
    escapeTerminal(endpointText(f.orig_h, f.orig_p)),
    escapeTerminal(endpointText(f.resp_h, f.resp_p)),
    stateCell(f.orig_state, f),
    stateCell(f.resp_state, f),
    f.conn_state,
    f.history,
    formatDuration(f.duration),
    `${f.orig_pkts}/${f.resp_pkts}`,
    `${f.orig_bytes}/${f.resp_bytes}`,
    f.findings.map((x) => x.code).join(','),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], paint: boolean) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        if (paint && (i === 3 || i === 4)) {
          const code = STATE_COLOR[c.split(' ')[0] as TcpState];
          return code ? code + padded + RESET : padded;
        }
        return padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, false), ...rows.map((r) => line(r, color))].join('\n') + '\n';
}

// ---- Sorting ---------------------------------------------------------------------------------

const STATE_ORDER: TcpState[] = ['CLOSE_WAIT', 'LAST_ACK', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'TIME_WAIT', 'UNKNOWN', 'CLOSED'];

/** `--sort KEY` or `-KEY` for descending. Returns undefined for an unknown key. */
export function flowComparator(spec: string): ((a: FlowRecord, b: FlowRecord) => number) | undefined {
  const desc = spec.startsWith('-');
  const key = desc ? spec.slice(1) : spec;
  const stateRank = (s: TcpState) => STATE_ORDER.indexOf(s);
  const worst = (f: FlowRecord) => Math.min(stateRank(f.orig_state), stateRank(f.resp_state));
  const by: Record<string, (f: FlowRecord) => number | string> = {
    id: (f) => f.id,
    ts: (f) => f.ts,
    duration: (f) => f.duration,
    bytes: (f) => f.orig_bytes + f.resp_bytes,
    pkts: (f) => f.orig_pkts + f.resp_pkts,
    state: worst,
    orig_state: (f) => stateRank(f.orig_state),
    resp_state: (f) => stateRank(f.resp_state),
    conn_state: (f) => f.conn_state,
    age: (f) => f.findings.reduce((m, x) => Math.max(m, x.age), 0),
    orig: (f) => f.orig_h,
    resp: (f) => f.resp_h,
    port: (f) => f.resp_p,
  };
  const get = by[key];
  if (!get) return undefined;
  return (a, b) => {
    const x = get(a), y = get(b);
    const c = x < y ? -1 : x > y ? 1 : a.id - b.id;
    return desc ? -c : c;
  };
}

export const SORT_KEYS = ['id', 'ts', 'duration', 'bytes', 'pkts', 'state', 'orig_state', 'resp_state', 'conn_state', 'age', 'orig', 'resp', 'port'];

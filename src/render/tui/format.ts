// TUI text helpers: numbers, times and cells → fixed-width strings (no colour; components add it).

import { escapeTerminal } from '../escape.js';

/** Pad or cut to exactly `width` characters; a cut ends in '…'. Capture text is escaped first. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const t = escapeTerminal(text);
  if (t.length > width) return width === 1 ? '…' : t.slice(0, width - 1) + '…';
  return align === 'left' ? t.padEnd(width) : t.padStart(width);
}

/** 12, 9.5k, 312k, 1.2M, 4.0G: fits 5 characters. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  const units = ['k', 'M', 'G', 'T'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return (v < 10 ? v.toFixed(1) : Math.round(v).toString()) + units[u];
}

/** 0.123s, 12.3s, 5.2m, 3.1h, 2.0d. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.max(0, seconds);
  if (s < 10) return s.toFixed(3) + 's';
  if (s < 600) return s.toFixed(1) + 's';
  if (s < 36000) return (s / 60).toFixed(1) + 'm';
  if (s < 172800) return (s / 3600).toFixed(1) + 'h';
  return (s / 86400).toFixed(1) + 'd';
}

/** Epoch seconds → `2024-05-01 12:00:01.123Z` (UTC: captures come from other time zones). */
export function formatTimestamp(epochSeconds: number, withDate = true): string {
  if (!Number.isFinite(epochSeconds) || epochSeconds <= 0) return '-';
  const iso = new Date(Math.round(epochSeconds * 1000)).toISOString();
  return (withDate ? iso.slice(0, 10) + ' ' : '') + iso.slice(11, 23) + 'Z';
}

export function plural(n: number, word: string, many = word + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

export interface Column {
  key: 'id' | 'orig' | 'resp' | 'orig_state' | 'resp_state' | 'conn_state' | 'history' | 'duration' | 'bytes' | 'findings';
  title: string;
  width: number;
  align: 'left' | 'right';
}

// Preferred widths; endpoints and history shrink first, then columns are dropped from the end
// of DROP_ORDER, so the states and the finding badges always stay visible.
const PREFERRED: Column[] = [
  { key: 'id', title: 'ID', width: 6, align: 'right' },
  { key: 'orig', title: 'ORIGINATOR', width: 21, align: 'left' },
  { key: 'resp', title: 'RESPONDER', width: 21, align: 'left' },
  { key: 'orig_state', title: 'ORIG_STATE', width: 12, align: 'left' },
  { key: 'resp_state', title: 'RESP_STATE', width: 12, align: 'left' },
  { key: 'conn_state', title: 'CONN', width: 6, align: 'left' },
  { key: 'history', title: 'HISTORY', width: 10, align: 'left' },
  { key: 'duration', title: 'DURATION', width: 8, align: 'right' },
  { key: 'bytes', title: 'BYTES o/r', width: 9, align: 'right' },
  { key: 'findings', title: 'FINDINGS', width: 0, align: 'left' },
];
const MIN_ENDPOINT = 13;
const MIN_HISTORY = 7;
const MIN_FINDINGS = 16;
const DROP_ORDER: Column['key'][] = ['history', 'conn_state', 'bytes', 'duration', 'id'];

/** Columns for a terminal `width` wide; the findings column takes what is left. */
export function tableColumns(width: number): Column[] {
  let cols = PREFERRED.map((c) => ({ ...c }));
  const total = () => cols.reduce((n, c) => n + c.width, 0) + (cols.length - 1);
  const need = () => total() + MIN_FINDINGS - width;
  const shrink = (key: Column['key'], min: number) => {
    const c = cols.find((x) => x.key === key);
    if (c && need() > 0) c.width = Math.max(min, c.width - need());
  };
  shrink('history', MIN_HISTORY);
  // Shrink the two endpoints evenly.
  for (let i = 0; i < 8 && need() > 0; i++) {
    shrink('orig', Math.max(MIN_ENDPOINT, cols.find((c) => c.key === 'orig')!.width - 1));
    shrink('resp', Math.max(MIN_ENDPOINT, cols.find((c) => c.key === 'resp')!.width - 1));
  }
  for (const key of DROP_ORDER) {
    if (need() <= 0) break;
    cols = cols.filter((c) => c.key !== key);
  }
  const findings = cols.find((c) => c.key === 'findings')!;
  findings.width = Math.max(0, width - total());
  // A wide terminal: room for IPv6 endpoints (up to 47 characters) once the badges have 40.
  const spare = Math.floor((findings.width - 40) / 2);
  for (const key of ['orig', 'resp'] as const) {
    const c = cols.find((x) => x.key === key);
    if (!c) continue;
    const extra = Math.min(47 - c.width, spare);
    if (extra > 0) {
      c.width += extra;
      findings.width -= extra;
    }
  }
  return cols;
}

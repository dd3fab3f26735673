// Test helper: locate the shared oracle corpus, parse its manifests and Zeek baselines, and run the
// connection tracker over a capture through the real input driver.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSegments } from '../../src/capture/read-inputs.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { ConnectionTracker } from '../../src/tcp/connection-tracker.js';
import type { TrackerOptions } from '../../src/tcp/connection-tracker.js';

/** The corpus root, or null when this checkout has no ../shared/corpus beside it. */
export const CORPUS_DIR: string | null = (() => {
  const p = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
  return existsSync(p) ? p : null;
})();

export interface ManifestRow {
  file: string;
  kind: string;
  oracles: string[];
  command: string;
  notes: string;
}

export function readManifest(dir: string): ManifestRow[] {
  const text = readFileSync(`${CORPUS_DIR}${dir}/MANIFEST.tsv`, 'utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines[0]!.split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return {
      file: f[col('file')]!,
      kind: f[col('kind')]!,
      oracles: (f[col('oracle_files')] ?? '').split(';').filter((s) => s.length > 0),
      command: f[col('command_or_options')] ?? '',
      notes: f[col('notes')] ?? '',
    };
  });
}

/** One conn.log row as field name → value. */
export type ZeekRow = Record<string, string>;

/**
 * A Zeek baseline: a full conn.log (`#fields` header) or a zeek-cut projection (first line after
 * the btest header holds the names). The btest header line and `#` lines are skipped.
 */
export function readZeekLog(path: string): ZeekRow[] {
  const lines = readFileSync(`${CORPUS_DIR}${path}`, 'utf8').split('\n').filter((l) => l.length > 0);
  let fields: string[] | null = null;
  const rows: ZeekRow[] = [];
  for (const line of lines) {
    if (line.startsWith('### BTest')) continue;
    if (line.startsWith('#fields\t')) { fields = line.split('\t').slice(1); continue; }
    if (line.startsWith('#')) continue;
    if (fields === null) { fields = line.split('\t'); continue; }
    const v = line.split('\t');
    const row: ZeekRow = {};
    fields.forEach((name, i) => { row[name] = v[i] ?? ''; });
    rows.push(row);
  }
  return rows;
}

export interface TrackedCapture {
  tracker: ConnectionTracker;
  addresses: AddressTable;
  issues: IssueLog;
}

const cache = new Map<string, Promise<TrackedCapture>>();

/** Run the tracker over a corpus capture (cached per file and options). */
export function trackCapture(file: string, options: TrackerOptions = { timeWait: 60, finTimeout: 60 }): Promise<TrackedCapture> {
  const key = `${file}|${JSON.stringify(options)}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = (async () => {
      const addresses = new AddressTable();
      const issues = new IssueLog();
      const tracker = new ConnectionTracker(options);
      await readSegments([`${CORPUS_DIR}${file}`], { addresses, issues }, (seg) => { tracker.add(seg); });
      tracker.finish();
      return { tracker, addresses, issues };
    })();
    cache.set(key, p);
  }
  return p;
}

/** Full, lower-case IPv6 (8 groups of 4 hex digits) or the IPv4 text unchanged. */
export function normalizeAddress(a: string): string {
  if (!a.includes(':')) return a;
  let head: string[], tail: string[];
  if (a.includes('::')) {
    const [h, t] = a.split('::');
    head = h ? h.split(':') : [];
    tail = t ? t.split(':') : [];
  } else {
    head = a.split(':');
    tail = [];
  }
  const groups = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.map((g) => g.toLowerCase().padStart(4, '0')).join(':');
}

// Fuzz case: (seed, case number) -> damaged input bytes and options -> analyze() and every renderer
// in-process, with the invariants that must hold whatever the input: only CaptureFormatError may
// escape, warnings say where, terminal text carries no control characters, JSON parses, SVG and
// HTML are well-formed XML, counts add up, and the time stays within a budget linear in the size.

import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { analyze, type AnalyzeOptions } from '../../src/analysis/analyze.js';
import type { AnalysisResult } from '../../src/analysis/analysis-result.js';
import { CaptureFormatError } from '../../src/errors.js';
import { reportInputIssues } from '../../src/cli/input-warnings.js';
import { formatPacketNdjson, formatPacketText } from '../../src/render/packets.js';
import { csvHeader, csvLine, formatTable, ndjsonLine, zeekFooter, zeekHeader, zeekLine } from '../../src/render/flows.js';
import { renderSummary } from '../../src/render/summary.js';
import { ladderModelForFlows, renderLadderWithStats, renderTimeline, timelineModelFromConnections } from '../../src/render/svg/index.js';
import { renderHtmlReport, renderMarkdownReport } from '../../src/render/report/index.js';
import { xmlProblems } from '../render/xml-check.js';
import { conversations, writePcap, writePcapng, writeText } from './captures.js';
import { gzipWrap, mutate } from './mutate.js';
import { Rng } from './rng.js';
import type { Seed } from './seeds.js';

export interface FuzzCase {
  index: number;
  /** Seed name and the mutations applied. */
  label: string;
  bytes: Buffer;
  /** How the bytes reach analyze(): stdin in chunks, a file, or merged with a second (clean) input. */
  delivery: 'stream' | 'file' | 'merge';
  chunks: number[];
  options: AnalyzeOptions;
  /** For 'merge': the other input. */
  partner?: Buffer;
  /** Render color (ANSI) in the terminal formats. */
  color: boolean;
  /** Also render the Markdown report (it repeats the HTML report's work, so only some cases). */
  markdownReport: boolean;
}

/** Everything a case may take: 5 s plus 20 µs per input byte (analysis runs at tens of MB/s; this
 *  only catches hangs and super-linear blow-ups, not ordinary slowness on a busy machine). */
export function caseBudgetMs(bytes: number): number {
  return 5000 + bytes * 0.02;
}

const STATES = new Set(['SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'CLOSED', 'UNKNOWN']);
const CONN_STATES = new Set(['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH']);
const SEVERITIES = new Set(['info', 'warning', 'error']);
/** Control characters other than newline: must never reach a terminal. */
const TERMINAL_BAD = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const SGR = /\x1b\[[0-9;]*m/g;

export class CaseFailure extends Error {
  constructor(readonly kind: 'exception' | 'invariant' | 'slow', message: string, readonly detail = '') {
    super(message);
    this.name = 'CaseFailure';
  }
}

function fail(message: string, detail = ''): never {
  throw new CaseFailure('invariant', message, detail);
}

function unwrapGzip(b: Buffer): Buffer {
  if (b.length < 2 || b[0] !== 0x1f || b[1] !== 0x8b) return b;
  try {
    return gunzipSync(b);
  } catch {
    return b;
  }
}

function chunking(rng: Rng, size: number): number[] {
  const mode = rng.int(10);
  if (mode < 5 || size === 0) return [size];
  const chunks: number[] = [];
  let left = size;
  const max = mode < 7 ? 16 : mode < 9 ? 4096 : 1;
  while (left > 0) {
    const n = Math.min(left, max === 1 ? 1 + rng.int(3) : 1 + rng.int(max));
    chunks.push(n);
    left -= n;
    if (chunks.length > 200_000) { chunks.push(left); break; }
  }
  return chunks;
}

/** The case for (seed, index): fixed by those two numbers and the seed list. */
export function buildCase(fuzzSeed: number, index: number, seeds: readonly Seed[]): FuzzCase {
  const rng = new Rng(fuzzSeed, index);
  let base: Buffer;
  let name: string;
  // Each seed once first (every sample and corpus capture is covered), then random picks
  // favouring small seeds, and a share of freshly generated captures.
  if (index < seeds.length) {
    const s = seeds[index]!;
    base = s.bytes; name = s.name;
  } else if (rng.chance(0.25)) {
    const packets = conversations(rng, rng.range(1, 8));
    const kind = rng.int(3);
    base = kind === 0 ? writePcap(packets, rng) : kind === 1 ? writePcapng(packets, rng) : writeText(packets, rng);
    name = `fresh-${['pcap', 'pcapng', 'text'][kind]}`;
  } else {
    const small = seeds.filter((s) => s.bytes.length <= 200_000);
    const s = rng.chance(0.9) && small.length ? rng.pick(small) : rng.pick(seeds);
    base = s.bytes; name = s.name;
  }
  const wasGzip = base.length >= 2 && base[0] === 0x1f && base[1] === 0x8b;
  const inner = unwrapGzip(base);
  const other = () => unwrapGzip(rng.pick(seeds).bytes);
  const m = index < seeds.length && rng.chance(0.3) ? { bytes: inner, label: 'unmutated' } : mutate(inner, rng, other);
  let bytes = m.bytes;
  let label = `${name}: ${m.label}`;
  if (wasGzip || rng.chance(0.08)) {
    const g = gzipWrap(bytes, rng);
    bytes = g.bytes;
    label += ` + ${g.label}`;
  }
  // Without kept segments the diagrams and the report degrade to lanes and tables: a path of its own.
  const options: AnalyzeOptions = { keepSegments: rng.chance(0.85) };
  if (rng.chance(0.05)) options.inputFormat = rng.pick(['pcap', 'pcapng', 'tcpdump'] as const);
  if (rng.chance(0.3)) options.date = rng.pick(['2024-01-01', '2024-02-29', '1970-01-01', '2099-12-31']);
  if (rng.chance(0.1)) { options.timeWait = rng.pick([0, 0.001, 1, 60, 1e6]); options.finTimeout = rng.pick([0, 1, 60]); }
  if (rng.chance(0.1)) options.maxConnections = rng.range(1, 5);
  if (rng.chance(0.1)) options.minAge = rng.pick([0, 1, 5, 1e9]);
  if (options.inputFormat) label += ` [--input-format ${options.inputFormat}]`;
  if (options.maxConnections) label += ` [--max-connections ${options.maxConnections}]`;
  const delivery = rng.weighted([[85, 'stream'], [10, 'file'], [5, 'merge']] as const);
  return {
    index, label, bytes, delivery, chunks: chunking(rng, bytes.length), options,
    partner: delivery === 'merge' ? unwrapGzip(rng.pick(seeds).bytes) : undefined,
    color: rng.chance(0.2),
    markdownReport: rng.chance(0.25),
  };
}

function checkTerminal(what: string, text: string, color: boolean): void {
  const plain = color ? text.replace(SGR, '') : text;
  const m = TERMINAL_BAD.exec(plain);
  if (m) fail(`${what}: control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} reaches the terminal`, JSON.stringify(plain.slice(Math.max(0, m.index - 60), m.index + 20)));
}

function checkXml(what: string, xml: string): void {
  const problems = xmlProblems(xml);
  if (problems.length) fail(`${what}: not well-formed XML: ${problems.slice(0, 3).join('; ')}`);
}

function checkResult(r: AnalysisResult, segmentsSeen: number): void {
  if (r.flows.length !== r.connections.length) fail(`flows ${r.flows.length} != connections ${r.connections.length}`);
  if (r.segmentCount !== segmentsSeen) fail(`segmentCount ${r.segmentCount} but onSegment saw ${segmentsSeen}`);
  const records = r.inputs.reduce((n, i) => n + i.records, 0);
  if (r.segmentCount > records) fail(`${r.segmentCount} segments from only ${records} records`);
  if (!Number.isFinite(r.captureStart) || !Number.isFinite(r.captureEnd) || r.captureEnd < r.captureStart) fail(`capture times ${r.captureStart}..${r.captureEnd}`);
  let pkts = 0;
  const text = r.inputs.some((i) => i.format === 'tcpdump');
  for (const f of r.flows) {
    if (!STATES.has(f.orig_state) || !STATES.has(f.resp_state)) fail(`flow ${f.id}: state ${f.orig_state}/${f.resp_state}`);
    if (!CONN_STATES.has(f.conn_state)) fail(`flow ${f.id}: conn_state ${f.conn_state}`);
    // Times before 1970 (a negative -ttt delta, a negative if_tsoffset) are left out by the readers:
    // the engine uses -1 s for "never".
    for (const k of ['ts', 'duration', 'orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes', 'orig_p', 'resp_p'] as const) {
      const v = f[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`flow ${f.id}: ${k} = ${v}`);
    }
    // tcpdump text may name ports by service; unknown names get synthetic numbers >= 65536 (text/port-names.ts).
    if (!text && (f.orig_p > 65535 || f.resp_p > 65535)) fail(`flow ${f.id}: port out of range`);
    pkts += f.orig_pkts + f.resp_pkts;
    for (const x of f.findings) {
      if (!SEVERITIES.has(x.severity) || !/^[a-z0-9-]+$/.test(x.code)) fail(`flow ${f.id}: finding ${x.code}/${x.severity}`);
      if (!Number.isFinite(x.since) || !Number.isFinite(x.age)) fail(`flow ${f.id}: finding ${x.code} since=${x.since} age=${x.age}`);
    }
  }
  const t = r.tracker;
  if (t.evicted === 0 && t.untrackedSegments === 0 && pkts !== r.segmentCount) fail(`packets per flow add up to ${pkts}, not ${r.segmentCount}`);
  if (pkts > r.segmentCount) fail(`packets per flow ${pkts} > segments ${r.segmentCount}`);
  // Warnings are specific: where (record, byte offset or line) and what.
  let total = 0;
  for (const n of r.issues.counts.values()) total += n;
  if (total !== r.issues.total) fail('issue counts do not add up');
  for (const i of r.issues.kept) {
    if (i.record <= 0 && i.byteOffset < 0 && i.line <= 0) fail(`issue without a position: ${i.code}: ${i.detail}`);
    if (i.detail.trim().length < 8) fail(`issue without a description: ${i.code}: ${JSON.stringify(i.detail)}`);
  }
}

/** Capture what reportInputIssues writes to standard error. */
function stderrOf(fn: () => void): string {
  const original = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return text;
}

let tmpDir: string | null = null;
function tmpFile(name: string, bytes: Buffer): string {
  tmpDir ??= mkdtempSync(join(tmpdir(), 'finscope-fuzz-'));
  const p = join(tmpDir, name);
  writeFileSync(p, bytes);
  return p;
}

function removeFiles(inputs: string[]): void {
  for (const p of inputs) if (p !== '-') try { unlinkSync(p); } catch { /* already gone */ }
}

export function cleanupTmp(): void {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = null;
}

export interface CaseOutcome {
  /** 'ok': analysed (maybe with warnings); 'rejected': CaptureFormatError (exit 65). */
  result: 'ok' | 'rejected';
  flows: number;
  segments: number;
  issues: number;
  ms: number;
}

/** Run one case; throws CaseFailure on any broken invariant (or rethrows an unexpected exception). */
export async function runCase(c: FuzzCase, rng = new Rng(c.index, 7)): Promise<CaseOutcome> {
  const t0 = performance.now();
  let segmentsSeen = 0;
  const packetProblems: string[] = [];
  const options: AnalyzeOptions = {
    ...c.options,
    onSegment: (seg, flow, _tracker, addresses) => {
      segmentsSeen++;
      // Every line for small inputs, a sample for large ones (the checks cost more than the formatting).
      const text = formatPacketText(seg, addresses, flow);
      const nd = formatPacketNdjson(seg, addresses, flow);
      if (segmentsSeen <= 300 || (segmentsSeen & 63) === 0) {
        const m = TERMINAL_BAD.exec(text) ?? TERMINAL_BAD.exec(nd);
        if (m && packetProblems.length === 0) packetProblems.push(`packets text/ndjson: control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} reaches the terminal: ${JSON.stringify(text)}`);
        try {
          const o = JSON.parse(nd) as Record<string, unknown>;
          if (o.flow !== flow || typeof o.ts !== 'number') packetProblems.push(`packets ndjson: bad keys in ${nd}`);
        } catch {
          if (packetProblems.length === 0) packetProblems.push(`packets ndjson: not JSON: ${nd}`);
        }
      }
    },
  };
  let inputs: string[];
  if (c.delivery === 'stream') {
    inputs = ['-'];
    const parts: Buffer[] = [];
    let at = 0;
    for (const n of c.chunks) { parts.push(c.bytes.subarray(at, at + n)); at += n; }
    options.stdin = Readable.from(parts, { objectMode: false });
  } else if (c.delivery === 'file') {
    inputs = [tmpFile(`case-${c.index}`, c.bytes)];
  } else {
    inputs = [tmpFile(`case-${c.index}-a`, c.partner ?? Buffer.alloc(0)), '-'];
    options.stdin = Readable.from([c.bytes], { objectMode: false });
  }
  let r: AnalysisResult;
  try {
    r = await analyze(inputs, options);
  } catch (error) {
    removeFiles(inputs);
    if (error instanceof CaptureFormatError) {
      // A rejected input: the message names the input, quoted, and nothing raw reaches the terminal
      // once the CLI escapes it.
      if (!error.message.startsWith('"')) fail(`CaptureFormatError without a quoted input name: ${error.message}`);
      return { result: 'rejected', flows: 0, segments: 0, issues: 0, ms: performance.now() - t0 };
    }
    throw error;
  }
  removeFiles(inputs);
  if (packetProblems.length) fail(packetProblems[0]!);
  checkResult(r, segmentsSeen);

  // Terminal formats.
  checkTerminal('summary text', renderSummary(r, { format: 'text', color: c.color }), c.color);
  checkTerminal('summary md', renderSummary(r, { format: 'md' }), false);
  const json = renderSummary(r, { format: 'json' });
  try { JSON.parse(json); } catch (e) { fail(`summary json does not parse: ${(e as Error).message}`); }
  checkTerminal('summary json', json, false);
  checkTerminal('flows table', formatTable(r.flows, c.color), c.color);
  const warnings = stderrOf(() => reportInputIssues(r.issues, false, false));
  checkTerminal('warnings on stderr', warnings, false);
  if (r.issues.total > 0 && !/input warnings?: /.test(warnings)) fail('no warning count line on stderr', warnings);

  // Data formats.
  for (const f of r.flows) {
    const line = ndjsonLine(f);
    if (line.indexOf('\n') !== line.length - 1) fail(`flows ndjson: a record spans lines: ${line}`);
    JSON.parse(line);
    checkTerminal('flows ndjson', line, false);
  }
  JSON.parse('[' + r.flows.map((f) => JSON.stringify(f)).join(',') + ']');
  const csv = csvHeader() + r.flows.map(csvLine).join('');
  checkTerminal('flows csv', csv, false);
  if (csv.split('\n').length !== r.flows.length + 2) fail('flows csv: a record spans lines');
  const zeek = zeekHeader(r.captureStart) + r.flows.map((f) => zeekLine(f)).join('') + zeekFooter(r.captureEnd);
  for (const l of zeek.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const fields = l.split('\t');
    if (fields.length !== 21) fail(`flows zeek: ${fields.length} fields in ${JSON.stringify(l)}`);
    if (!/^C[0-9A-Za-z]{17}$/.test(fields[1]!)) fail(`flows zeek: uid ${JSON.stringify(fields[1])}`);
    if (/[\u0000-\u001f\u007f-\u009f]/.test(l.replace(/\t/g, ''))) fail(`flows zeek: control character in ${JSON.stringify(l)}`);
  }

  // Diagrams and reports.
  if (r.connections.length > 0) {
    const withFindings = r.flows.filter((f) => f.findings.length > 0).map((f) => f.id);
    const pool = withFindings.length && rng.chance(0.6) ? withFindings : r.connections.map((x) => x.id);
    const ids = [...new Set(Array.from({ length: rng.range(1, 3) }, () => rng.pick(pool)))];
    const { pages } = renderLadderWithStats(ladderModelForFlows(r, ids));
    if (pages.length === 0) fail(`ladder of ${ids.join(',')}: no page`);
    for (const [i, p] of pages.slice(0, 2).entries()) checkXml(`ladder ${ids.join(',')} page ${i + 1}`, p);
  }
  checkXml('timeline', renderTimeline(timelineModelFromConnections(r.connections, r.addresses, r.findings, r.captureStart, r.captureEnd)));
  const html = renderHtmlReport(r, { generator: 'fuzz', summaryText: renderSummary(r, { format: 'text', color: false }) });
  if (!html.startsWith('<!DOCTYPE html>\n')) fail('html report: no doctype');
  checkXml('html report', html.slice('<!DOCTYPE html>\n'.length));
  if (c.markdownReport) {
    const md = renderMarkdownReport(r, { generator: 'fuzz', assetDir: 'x-files', summaryMarkdown: renderSummary(r, { format: 'md' }) });
    checkTerminal('markdown report', md.markdown, false);
    for (const f of md.files) if (f.path.endsWith('.svg')) checkXml(`markdown asset ${f.path}`, f.content);
  }

  return { result: 'ok', flows: r.flows.length, segments: r.segmentCount, issues: r.issues.total, ms: performance.now() - t0 };
}

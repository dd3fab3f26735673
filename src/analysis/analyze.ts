// The one composer: inputs -> segments (capture/, text/) -> connections (tcp/) -> findings
// (diagnosis/) -> AnalysisResult. Every command and the library's `analyze()` go through here.

import { readSegments, type ReadSummary } from '../capture/index.js';
import type { InputFormat } from '../capture/segment-reader.js';
import { AddressTable } from '../segment/address-table.js';
import { IssueLog } from '../segment/input-issues.js';
import type { TcpSegment } from '../segment/tcp-segment.js';
import { ConnectionTracker } from '../tcp/connection-tracker.js';
import { toFlowRecord } from '../tcp/flow-record.js';
import { diagnose } from '../diagnosis/index.js';
import type { AnalysisOptions, AnalysisResult, InputSummary } from './analysis-result.js';

export type { TrackingLimits } from './analysis-result.js';

export interface AnalyzeOptions extends Partial<AnalysisOptions> {
  /** Override format detection for every input. */
  inputFormat?: InputFormat;
  /** YYYY-MM-DD for tcpdump text with times of day only. */
  date?: string;
  /**
   * Bound on connections held in memory (default DEFAULT_MAX_CONNECTIONS; Infinity for none).
   * Beyond it the oldest finished connections and unanswered SYNs are evicted into counters
   * (`result.limits`), so a SYN flood of millions of 4-tuples cannot exhaust memory.
   */
  maxConnections?: number;
  /** Called now and then with bytes read so far and the total when known. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Collect input problems here (a live view reads it while the input is still being read). */
  issues?: IssueLog;
  /** Decode on worker threads beside the tracking (readSegments' `parallel`; default 'auto'). */
  parallel?: boolean | 'auto';
  /** Where `-` reads from (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Called for every segment with the connection id it was assigned (packets command, live TUI). */
  onSegment?: (seg: TcpSegment, flowId: number, tracker: ConnectionTracker, addresses: AddressTable) => void;
  /**
   * For an onSegment whose output can be slower than reading (packets into a pipe): called between
   * chunks of input; a promise returned pauses reading until it settles (readSegments' `backpressure`).
   */
  backpressure?: () => Promise<void> | undefined;
}

/**
 * Default bound on tracked connections. A connection costs about 2.2 KB in the tracker and about
 * 1 KB more in the result (flow record, facts, findings); 200,000 keeps a capture of 5,000,000
 * distinct SYN-only 4-tuples well under 1 GB (measured by the bench), while captures with fewer
 * connections than this (nearly all) are never touched by eviction.
 */
export const DEFAULT_MAX_CONNECTIONS = 200_000;

export const DEFAULT_OPTIONS: AnalysisOptions = { timeWait: 60, finTimeout: 60, minAge: 5, keepSegments: false };

export function resolveOptions(options: AnalyzeOptions = {}): AnalysisOptions {
  return {
    timeWait: options.timeWait ?? DEFAULT_OPTIONS.timeWait,
    finTimeout: options.finTimeout ?? DEFAULT_OPTIONS.finTimeout,
    minAge: options.minAge ?? DEFAULT_OPTIONS.minAge,
    keepSegments: options.keepSegments ?? DEFAULT_OPTIONS.keepSegments,
  };
}

/** Read the captures and analyse them. Throws CaptureFormatError when an input cannot be read at all. */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const names = typeof inputs === 'string' ? [inputs] : inputs;
  const resolved = resolveOptions(options);
  const addresses = new AddressTable();
  const issues = options.issues ?? new IssueLog();
  const tracker = new ConnectionTracker({
    timeWait: resolved.timeWait,
    finTimeout: resolved.finTimeout,
    keepSegments: resolved.keepSegments,
    ...(boundOf(options) !== null ? { maxConnections: boundOf(options)! } : {}),
  });
  const onSegment = options.onSegment;
  const startedAt = performance.now();
  const read = await readSegments(
    names,
    { format: options.inputFormat, date: options.date, addresses, issues, onProgress: options.onProgress, stdin: options.stdin,
      ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
      ...(options.backpressure !== undefined ? { backpressure: options.backpressure } : {}) },
    onSegment
      ? (seg) => onSegment(seg, tracker.add(seg), tracker, addresses)
      : (seg) => {
          tracker.add(seg);
        },
  );
  const readEnd = performance.now();
  tracker.finish();
  const result = buildResult(tracker, addresses, issues, read, resolved);
  result.timings = { startedAt, readMs: readEnd - startedAt, diagnoseMs: performance.now() - readEnd };
  return result;
}

/** Turn a finished (or, for live views, current) tracker into the result renderers receive. */
export function buildResult(
  tracker: ConnectionTracker,
  addresses: AddressTable,
  issues: IssueLog,
  read: ReadSummary | undefined,
  options: AnalysisOptions,
): AnalysisResult {
  const connections = tracker.connections;
  const flows = connections.map((c) => toFlowRecord(c, addresses));
  const start = tracker.captureStartSec < 0 ? 0 : tracker.captureStartSec + tracker.captureStartNsec / 1e9;
  const end = tracker.captureEndSec < 0 ? 0 : tracker.captureEndSec + tracker.captureEndNsec / 1e9;
  const findings = diagnose(connections, flows, { minAge: options.minAge, addresses, tracker });
  return {
    flows,
    connections,
    findings,
    captureStart: start,
    captureEnd: end,
    segmentCount: tracker.segmentCount,
    inputs: summarizeInputs(read),
    issues,
    addresses,
    options,
    segments: tracker.segments,
    limits: {
      maxConnections: tracker.maxConnections === Number.MAX_SAFE_INTEGER ? null : tracker.maxConnections,
      opened: tracker.opened,
      evicted: tracker.evicted,
      evictedByConnState: Object.fromEntries(tracker.evictedByConnState),
      untrackedSegments: tracker.untrackedSegments,
    },
    tracker,
  };
}

function boundOf(options: AnalyzeOptions): number | null {
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  return Number.isFinite(max) ? max : null;
}

function summarizeInputs(read: ReadSummary | undefined): InputSummary[] {
  if (!read) return [];
  return read.inputs.map((i) => ({ name: i.name, format: i.format, gzip: i.gzip, records: i.records, segments: i.segments, bytes: i.bytes }));
}

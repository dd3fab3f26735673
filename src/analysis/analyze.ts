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

export interface AnalyzeOptions extends Partial<AnalysisOptions> {
  /** Override format detection for every input. */
  inputFormat?: InputFormat;
  /** YYYY-MM-DD for tcpdump text with times of day only. */
  date?: string;
  /** Bound on tracked connections (issue 9). */
  maxConnections?: number;
  /** Called now and then with bytes read so far and the total when known. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Collect input problems here (a live view reads it while the input is still being read). */
  issues?: IssueLog;
  /** Where `-` reads from (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Called for every segment with the connection id it was assigned (packets command, live TUI). */
  onSegment?: (seg: TcpSegment, flowId: number, tracker: ConnectionTracker, addresses: AddressTable) => void;
}

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
    maxConnections: options.maxConnections,
  });
  const onSegment = options.onSegment;
  const read = await readSegments(
    names,
    { format: options.inputFormat, date: options.date, addresses, issues, onProgress: options.onProgress, stdin: options.stdin },
    onSegment
      ? (seg) => onSegment(seg, tracker.add(seg), tracker, addresses)
      : (seg) => {
          tracker.add(seg);
        },
  );
  tracker.finish();
  return buildResult(tracker, addresses, issues, read, resolved);
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
    tracker,
  };
}

function summarizeInputs(read: ReadSummary | undefined): InputSummary[] {
  if (!read) return [];
  return read.inputs.map((i) => ({ name: i.name, format: i.format, gzip: i.gzip, records: i.records, segments: i.segments, bytes: i.bytes }));
}

// Test helper: runs readSegments and snapshots every segment into a plain object (the reader
// reuses one TcpSegment, so tests must copy).

import { readSegments, type ReadOptions, type ReadSummary } from '../../src/capture/index.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { flagString, type TcpSegment } from '../../src/segment/tcp-segment.js';

export interface SegmentSnapshot {
  input: number;
  record: number;
  byteOffset: number;
  tsSec: number;
  tsNsec: number;
  ip: 'IP' | 'IP6';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  flags: number;
  flagText: string;
  seq: number;
  ack: number;
  win: number;
  urg: number;
  len: number;
  truncated: boolean;
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
  timestamps: string | null;
  sack: number[];
  direction: number;
  interfaceId: number;
}

export function snapshot(seg: TcpSegment, addresses: AddressTable): SegmentSnapshot {
  return {
    input: seg.input, record: seg.record, byteOffset: seg.byteOffset,
    tsSec: seg.tsSec, tsNsec: seg.tsNsec, ip: seg.ipVersion === 6 ? 'IP6' : 'IP',
    src: addresses.toText(seg.src), sport: seg.sport, dst: addresses.toText(seg.dst), dport: seg.dport,
    flags: seg.flags, flagText: flagString(seg.flags), seq: seg.seq, ack: seg.ack, win: seg.window, urg: seg.urgent,
    len: seg.payloadLength, truncated: seg.truncated, mss: seg.mss, windowScale: seg.windowScale,
    sackPermitted: seg.sackPermitted, timestamps: seg.hasTimestamps ? `${seg.tsVal}/${seg.tsEcr}` : null,
    sack: Array.from(seg.sackEdges.subarray(0, 2 * seg.sackCount)), direction: seg.direction, interfaceId: seg.interfaceId,
  };
}

export interface Collected {
  segments: SegmentSnapshot[];
  summary: ReadSummary;
  issues: IssueLog;
  addresses: AddressTable;
}

export async function collect(inputs: string[], opts: Partial<ReadOptions> = {}): Promise<Collected> {
  const addresses = opts.addresses ?? new AddressTable();
  const issues = opts.issues ?? new IssueLog();
  const segments: SegmentSnapshot[] = [];
  const summary = await readSegments(inputs, { ...opts, addresses, issues }, (seg) => segments.push(snapshot(seg, addresses)));
  return { segments, summary, issues, addresses };
}

/** The fields every format carries, for cross-format comparisons (no record/offset/input). */
export function wireFields(s: SegmentSnapshot): Omit<SegmentSnapshot, 'input' | 'record' | 'byteOffset' | 'interfaceId'> {
  const { input: _i, record: _r, byteOffset: _b, interfaceId: _f, ...rest } = s;
  return rest;
}

// TUI data stage: the engine's result (connections, segment store, findings) → TuiSource, with the
// per-connection ladder read from the SegmentStore and `d` writing the SVG ladder to a file.

import { writeFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import type { AnalysisResult } from '../../../analysis/analysis-result.js';
import type { FlowRecord } from '../../../analysis/flow-record.js';
import type { Finding } from '../../../diagnosis/finding.js';
import type { AddressTable } from '../../../segment/address-table.js';
import type { Connection } from '../../../tcp/connection.js';
import type { SegmentStore } from '../../../tcp/segment-store.js';
import { ladderModelFromConnections, renderLadder } from '../../svg/index.js';
import { createStaticSource, type ConnectionDetail, type LadderSegment, type TuiSource } from './tui-source.js';

/** The ladder of one connection from the engine's store; undefined when no segments were kept. */
export function connectionDetail(conn: Connection, flow: FlowRecord, store: SegmentStore | null): ConnectionDetail | undefined {
  if (store === null || conn.storeFirst < 0) return undefined;
  const segments: LadderSegment[] = [];
  // The store records "sent by the first endpoint"; roles may have flipped since (Zeek's rules).
  const firstIsOrig = conn.first === conn.orig;
  for (let i = conn.storeFirst; i >= 0; i = store.next(i)) {
    segments.push({
      index: i,
      time: store.tsSec(i) + store.tsNsec(i) / 1e9,
      fromOrig: store.fromFirst(i) === firstIsOrig,
      flags: store.flags(i),
      seq: store.seq(i),
      ack: store.ack(i),
      len: store.payloadLength(i),
      win: store.window(i),
    });
  }
  const stateChanges = conn.changes.map((c) => ({
    endpoint: c.endpoint, from: c.from, to: c.to, segment: c.segment, time: c.tsSec + c.tsNsec / 1e9,
  }));
  return { flow, segments, stateChanges, omittedSegments: Math.max(0, conn.segmentCount - segments.length) };
}

/** What writing a diagram needs; an AnalysisResult has all of it. */
export interface DiagramInputs {
  connections: readonly Connection[];
  segments: SegmentStore | null;
  addresses: AddressTable;
  findings: readonly Finding[];
  captureEnd: number;
}

/**
 * Write connection `flowId`'s SVG ladder into `directory` as `finscope-connection-<id>.svg`
 * (a long connection spans pages: `-2.svg`, `-3.svg`, ...). Resolves to the first file's absolute path.
 */
export async function writeConnectionDiagram(inputs: DiagramInputs, flowId: number, directory: string): Promise<string> {
  const conn = inputs.connections[flowId - 1]?.id === flowId ? inputs.connections[flowId - 1] : inputs.connections.find((c) => c.id === flowId);
  if (!conn) throw new Error(`no connection ${flowId}`);
  const model = ladderModelFromConnections([conn], inputs.segments ?? undefined, inputs.addresses, inputs.findings, inputs.captureEnd);
  const pages = renderLadder(model);
  const base = join(resolve(directory), `finscope-connection-${flowId}`);
  const paths = pages.map((_, i) => (i === 0 ? `${base}.svg` : `${base}-${i + 1}.svg`));
  for (let i = 0; i < pages.length; i++) await writeFile(paths[i]!, pages[i]!);
  return pages.length > 1 ? `${paths[0]} (+${pages.length - 1} more pages)` : paths[0]!;
}

export interface ResultSourceOptions {
  /** Where `d` writes SVG files (default: the current directory). */
  diagramDir?: string;
  /** Title bar text (default: the input names). */
  title?: string;
}

/** A finished analysis (run it with `keepSegments: true` so the ladder has segments). */
export function sourceFromResult(result: AnalysisResult, options: ResultSourceOptions = {}): TuiSource {
  const flowOf = (id: number) => (result.flows[id - 1]?.id === id ? result.flows[id - 1] : result.flows.find((f) => f.id === id));
  const connOf = (id: number) => (result.connections[id - 1]?.id === id ? result.connections[id - 1] : result.connections.find((c) => c.id === id));
  const directory = options.diagramDir ?? process.cwd();
  return createStaticSource(result, {
    title: options.title ?? titleOf(result.inputs.map((i) => i.name)),
    detail: (id) => {
      const conn = connOf(id);
      const flow = flowOf(id);
      return conn && flow ? connectionDetail(conn, flow, result.segments) : undefined;
    },
    writeDiagram: (id) => writeConnectionDiagram(result, id, directory),
  });
}

/** `-` reads as "standard input" in the title bar. */
export function titleOf(names: readonly string[]): string {
  return names.map((n) => (n === '-' ? 'standard input' : n)).join(' ');
}

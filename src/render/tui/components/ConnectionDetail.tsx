// TUI component: one connection: its findings (with the evidence they cite) over a text ladder of
// its segments, the state changes between them and the idle gaps. Only the visible lines render.

import React from 'react';
import { Box, Text } from 'ink';
import type { FlowRecord } from '../../../analysis/flow-record.js';
import type { Finding } from '../../../diagnosis/finding.js';
import { FIN, RST, SYN, flagString } from '../../../segment/tcp-segment.js';
import { endpointText } from '../../flows.js';
import { compactCount, fit, formatSeconds, formatTimestamp } from '../format.js';
import { DETAIL_MAX_FINDINGS } from '../state/layout.js';
import type { LadderLine, LadderModel } from '../state/ladder-lines.js';
import { theme, type TextStyle } from '../theme.js';

export interface ConnectionDetailProps {
  flow: FlowRecord;
  model: LadderModel;
  /** False when the engine kept no segments for this connection. */
  kept: boolean;
  top: number;
  height: number;
  columns: number;
}

/** Marker, segment number, time since the first segment, then the two lanes. */
const PREFIX = 2 + 8 + 1 + 10 + 1;

export function ConnectionDetail({ flow, model, kept, top, height, columns }: ConnectionDetailProps) {
  const lanes = Math.max(20, columns - PREFIX);
  const visible = model.lines.slice(top, top + height);
  const more = model.lines.length - top - visible.length;
  return (
    <Box flexDirection="column">
      <FlowLine flow={flow} columns={columns} />
      <FindingsBlock findings={model.findings} columns={columns} />
      <LaneHeader flow={flow} lanes={lanes} columns={columns} position={top} total={model.lines.length} more={more} />
      <Box flexDirection="column" height={height} overflow="hidden">
        {!kept && visible.length <= 2 ? <Text {...theme.muted}>{'  no segments were kept for this connection (the engine keeps them for the TUI and diagrams)'}</Text> : null}
        {visible.map((line, k) => <LadderRow key={top + k} line={line} lanes={lanes} />)}
      </Box>
    </Box>
  );
}

function FlowLine({ flow, columns }: { flow: FlowRecord; columns: number }) {
  const head = `Connection ${flow.id}  ${endpointText(flow.orig_h, flow.orig_p)} → ${endpointText(flow.resp_h, flow.resp_p)}  `;
  const tail = `  ${flow.conn_state} ${flow.history}  ${formatSeconds(flow.duration)}  ${flow.orig_pkts}/${flow.resp_pkts} pkts  ${compactCount(flow.orig_bytes)}/${compactCount(flow.resp_bytes)} B`;
  return (
    <Text wrap="truncate">
      <Text {...theme.title}>{fit(head, Math.min(head.length, columns))}</Text>
      <Text>orig </Text>
      <Text {...theme.state(flow.orig_state)}>{flow.orig_state}</Text>
      <Text> · resp </Text>
      <Text {...theme.state(flow.resp_state)}>{flow.resp_state}</Text>
      <Text {...theme.muted}>{tail}</Text>
    </Text>
  );
}

function FindingsBlock({ findings, columns }: { findings: readonly Finding[]; columns: number }) {
  const shown = findings.slice(0, DETAIL_MAX_FINDINGS);
  return (
    <Box flexDirection="column">
      <Text {...theme.heading}>{findings.length ? `Findings (${findings.length})` : 'Findings'}</Text>
      {findings.length === 0 ? <Text {...theme.muted}>  none</Text> : null}
      {shown.map((f, i) => {
        const head = `● ${f.severity} ${f.code}`;
        const ev = f.evidence?.length ? `  evidence ${f.evidence.slice(0, 6).map((e) => '#' + e).join(' ')}${f.evidence.length > 6 ? ' …' : ''}` : '';
        const where = ` ${f.endpoint} since ${formatTimestamp(f.since, false)} (${formatSeconds(f.age)})${ev}  `;
        return (
          <Text key={i} wrap="truncate">
            <Text>  </Text>
            <Text {...theme.severity(f.severity)}>{head}</Text>
            <Text>{where}</Text>
            <Text {...theme.muted}>{fit(f.message, Math.max(0, columns - 2 - head.length - where.length))}</Text>
          </Text>
        );
      })}
      {findings.length > DETAIL_MAX_FINDINGS ? <Text {...theme.muted}>{`  … ${findings.length - DETAIL_MAX_FINDINGS} more`}</Text> : null}
    </Box>
  );
}

function LaneHeader({ flow, lanes, columns, position, total, more }: { flow: FlowRecord; lanes: number; columns: number; position: number; total: number; more: number }) {
  const left = `orig ${endpointText(flow.orig_h, flow.orig_p)}`;
  const right = `${endpointText(flow.resp_h, flow.resp_p)} resp`;
  const where = more > 0 || position > 0 ? `${position + 1}–${total - more} of ${total} ` : '';
  const middle = Math.max(1, lanes - left.length - right.length);
  return (
    <Text wrap="truncate">
      <Text {...theme.columnHeader}>{fit('    #seg', 10) + ' ' + fit('+time', 10, 'right') + ' '}</Text>
      <Text {...theme.ladder.orig}>{fit(left, Math.min(left.length, lanes))}</Text>
      <Text {...theme.muted}>{fit(where, middle, 'right').slice(0, middle)}</Text>
      <Text {...theme.ladder.resp}>{right.length + left.length < lanes ? right : ''}</Text>
      <Text>{' '.repeat(Math.max(0, columns - PREFIX - lanes))}</Text>
    </Text>
  );
}

function arrowStyle(flags: number, fromOrig: boolean): TextStyle {
  if (flags & RST) return theme.ladder.rst;
  if (flags & FIN) return theme.ladder.fin;
  if (flags & SYN) return theme.ladder.syn;
  return fromOrig ? theme.ladder.orig : theme.ladder.resp;
}

/** `S. seq 0 ack 1 win 65160 len 0`, shortened as tcpdump does: no ack without ACK, no len 0. */
export function segmentLabel(line: Extract<LadderLine, { kind: 'segment' }>): string {
  const s = line.segment;
  let text = `${flagString(s.flags)} seq ${line.relSeq}`;
  if (s.len > 0) text += `:${(line.relSeq + s.len) >>> 0}`;
  if (s.flags & 0x10) text += ` ack ${line.relAck}`;
  text += ` win ${s.win}`;
  if (s.len > 0) text += ` len ${s.len}`;
  return text;
}

/** The arrow between the lanes, `lanes` characters wide including both lane bars. */
export function arrowText(label: string, fromOrig: boolean, lanes: number): string {
  const inner = Math.max(4, lanes - 2);
  const maxLabel = inner - 5;
  const l = label.length > maxLabel ? label.slice(0, Math.max(0, maxLabel - 1)) + '…' : label;
  if (fromOrig) {
    const dashes = inner - 3 - l.length - 1;
    return '├─ ' + l + ' ' + '─'.repeat(Math.max(0, dashes)) + '▶│';
  }
  const dashes = inner - 3 - l.length - 1;
  return '│◀' + '─'.repeat(Math.max(0, dashes)) + ' ' + l + ' ─┤';
}

function LadderRow({ line, lanes }: { line: LadderLine; lanes: number }) {
  const blankPrefix = ' '.repeat(PREFIX);
  const inner = Math.max(0, lanes - 2);
  switch (line.kind) {
    case 'segment': {
      const s = line.segment;
      const marker = line.evidence ? '◆ ' : '  ';
      const prefix = fit('#' + s.index, 8, 'right') + ' ' + fit('+' + line.offset.toFixed(6), 10, 'right') + ' ';
      const arrow = arrowText(segmentLabel(line), s.fromOrig, lanes);
      const style = arrowStyle(s.flags, s.fromOrig);
      return (
        <Text wrap="truncate">
          <Text {...(line.evidence ? theme.severity(line.evidence) : {})}>{marker}</Text>
          <Text {...(line.evidence ? theme.title : theme.muted)}>{prefix}</Text>
          <Text {...style} {...(line.evidence ? { inverse: true } : {})}>{arrow}</Text>
        </Text>
      );
    }
    case 'state': {
      const c = line.change;
      const text = `${c.endpoint} ${c.from} → `;
      const width = text.length + c.to.length;
      const pad = ' '.repeat(Math.max(0, inner - width - 2));
      return c.endpoint === 'orig' ? (
        <Text wrap="truncate">
          <Text>{blankPrefix}</Text>
          <Text {...theme.ladder.orig}>{'│ '}</Text>
          <Text>{text}</Text>
          <Text {...theme.state(c.to)}>{c.to}</Text>
          <Text>{pad + ' │'}</Text>
        </Text>
      ) : (
        <Text wrap="truncate">
          <Text>{blankPrefix + '│ ' + pad}</Text>
          <Text>{text}</Text>
          <Text {...theme.state(c.to)}>{c.to}</Text>
          <Text {...theme.ladder.resp}>{' │'}</Text>
        </Text>
      );
    }
    case 'gap': {
      const text = line.atEnd ? `⋯ ${formatSeconds(line.seconds)} idle until capture end ⋯` : `⋯ ${formatSeconds(line.seconds)} idle ⋯`;
      const left = Math.max(0, Math.floor((inner - text.length) / 2));
      return (
        <Text wrap="truncate">
          <Text>{blankPrefix + '│' + ' '.repeat(left)}</Text>
          <Text {...theme.ladder.gap}>{text}</Text>
          <Text>{' '.repeat(Math.max(0, inner - left - text.length)) + '│'}</Text>
        </Text>
      );
    }
    case 'omitted':
      return <Text wrap="truncate" {...theme.muted}>{blankPrefix + `… ${line.count.toLocaleString('en-US')} more segments were not kept`}</Text>;
    case 'end':
      return (
        <Text wrap="truncate">
          <Text {...theme.ladder.end}>{`  capture end ${formatTimestamp(line.captureEnd, false)}: `}</Text>
          <Text>orig </Text>
          <Text {...theme.state(line.origState)}>{line.origState}</Text>
          <Text> · resp </Text>
          <Text {...theme.state(line.respState)}>{line.respState}</Text>
        </Text>
      );
    default: {
      const never: never = line;
      return never;
    }
  }
}

// TUI component: the connections table. Virtualized: only the rows in [top, top + height) are
// built and rendered, so a key costs the same with 100 or 1,000,000 connections.

import React, { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import type { FlowRecord } from '../../../analysis/flow-record.js';
import type { Finding } from '../../../diagnosis/finding.js';
import { endpointText } from '../../flows.js';
import { compactCount, fit, formatSeconds, tableColumns, type Column } from '../format.js';
import type { FlowView } from '../state/flow-view.js';
import { theme, type TextStyle } from '../theme.js';

export interface ConnectionTableProps {
  flows: readonly FlowRecord[];
  view: FlowView;
  top: number;
  cursor: number;
  height: number;
  columns: number;
}

export function ConnectionTable({ flows, view, top, cursor, height, columns }: ConnectionTableProps) {
  // One column for the cursor mark: the selected row must show without colour too (NO_COLOR).
  const cols = useMemo(() => tableColumns(columns - 1), [columns]);
  const rows: React.ReactElement[] = [];
  const end = Math.min(view.count, top + height);
  for (let p = top; p < end; p++) {
    const flow = flows[view.indexAt(p)];
    if (!flow) continue;
    rows.push(<FlowRow key={flow.id} flow={flow} cols={cols} selected={p === cursor} />);
  }
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text wrap="truncate" {...theme.columnHeader}>
        {' ' + cols.map((c) => fit(c.title, c.width, c.align)).join(' ')}
      </Text>
      {rows.length === 0 ? <Text {...theme.muted}>{view.count === 0 && flows.length > 0 ? 'no connection matches' : 'no connections yet'}</Text> : rows}
    </Box>
  );
}

interface Cell {
  text: string;
  style?: TextStyle | undefined;
}

function findingBadges(findings: readonly Finding[], width: number): Cell[] {
  const cells: Cell[] = [];
  const seen = new Set<string>();
  let used = 0;
  for (const f of findings) {
    if (seen.has(f.code)) continue;
    seen.add(f.code);
    const text = (cells.length ? ' ' : '') + '●' + f.code;
    if (used + text.length > width) {
      if (width - used > 0) cells.push({ text: fit(text, width - used) });
      used = width;
      break;
    }
    cells.push({ text, style: theme.severity(f.severity) });
    used += text.length;
  }
  if (used < width) cells.push({ text: ' '.repeat(width - used) });
  return cells;
}

function cellsOf(flow: FlowRecord, cols: Column[]): Cell[] {
  const out: Cell[] = [];
  cols.forEach((c, i) => {
    if (i > 0) out.push({ text: ' ' });
    switch (c.key) {
      case 'id': out.push({ text: fit(String(flow.id), c.width, 'right') }); break;
      case 'orig': out.push({ text: fit(endpointText(flow.orig_h, flow.orig_p), c.width) }); break;
      case 'resp': out.push({ text: fit(endpointText(flow.resp_h, flow.resp_p), c.width) }); break;
      case 'orig_state': out.push({ text: fit(flow.orig_state, c.width), style: theme.state(flow.orig_state) }); break;
      case 'resp_state': out.push({ text: fit(flow.resp_state, c.width), style: theme.state(flow.resp_state) }); break;
      case 'conn_state': out.push({ text: fit(flow.conn_state, c.width) }); break;
      case 'history': out.push({ text: fit(flow.history, c.width) }); break;
      case 'duration': out.push({ text: fit(formatSeconds(flow.duration), c.width, 'right') }); break;
      case 'bytes': out.push({ text: fit(`${compactCount(flow.orig_bytes)}/${compactCount(flow.resp_bytes)}`, c.width, 'right') }); break;
      case 'findings': out.push(...findingBadges(flow.findings, c.width)); break;
    }
  });
  return out;
}

const FlowRow = memo(function FlowRow({ flow, cols, selected }: { flow: FlowRecord; cols: Column[]; selected: boolean }) {
  const cells = cellsOf(flow, cols);
  return (
    <Text wrap="truncate" {...(selected ? theme.selection : {})}>
      {selected ? '›' : ' '}
      {cells.map((c, i) => (c.style ? <Text key={i} {...c.style}>{c.text}</Text> : c.text))}
    </Text>
  );
});

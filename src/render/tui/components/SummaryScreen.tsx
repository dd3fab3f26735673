// TUI component: the summary screen: findings grouped by code and endpoint, then the
// netstat-style table of TCP states per endpoint. Enter on a line lists its connections.

import React from 'react';
import { Box, Text } from 'ink';
import { compactCount, fit, formatSeconds, formatTimestamp } from '../format.js';
import { SUMMARY_STATES, type SummaryLayout, type SummaryLine } from '../state/state-summary.js';
import { theme } from '../theme.js';

export interface SummaryScreenProps {
  layout: SummaryLayout;
  cursor: number;
  top: number;
  height: number;
  columns: number;
}

const ABBREV: Record<string, string> = {
  ESTABLISHED: 'ESTAB', SYN_SENT: 'SYN_S', SYN_RECEIVED: 'SYN_R', FIN_WAIT_1: 'FIN_W1', FIN_WAIT_2: 'FIN_W2',
  CLOSE_WAIT: 'CLOSE_WAIT', LAST_ACK: 'LAST_ACK', CLOSING: 'CLOSING', TIME_WAIT: 'TIME_WAIT', CLOSED: 'CLOSED', UNKNOWN: 'UNKNOWN',
};
const LABEL_WIDTH = 24;
const ROLE_WIDTH = 7;

export function SummaryScreen({ layout, cursor, top, height, columns }: SummaryScreenProps) {
  const lines = layout.lines.slice(top, top + height);
  const states = SUMMARY_STATES.map((s, i) => ({ s, i })).filter(({ i }) => layout.model.usedStates[i]);
  return (
    <Box flexDirection="column" height={height}>
      {lines.map((line, k) => (
        <SummaryRow key={top + k} line={line} selected={'item' in line && line.item === cursor} states={states} columns={columns} />
      ))}
    </Box>
  );
}

function SummaryRow({ line, selected, states, columns }: { line: SummaryLine; selected: boolean; states: { s: string; i: number }[]; columns: number }) {
  const sel = selected ? theme.selection : {};
  switch (line.kind) {
    case 'heading':
      return <Text wrap="truncate" {...theme.heading}>{line.text}</Text>;
    case 'note':
      return <Text wrap="truncate" {...theme.muted}>{'  ' + line.text}</Text>;
    case 'blank':
      return <Text> </Text>;
    case 'finding': {
      const g = line.group;
      const head = `${g.severity.padEnd(7)} ${g.code}`;
      const where = ` ${g.endpoint}  ×${g.count}  since ${formatTimestamp(g.since)} (${formatSeconds(g.age)})  `;
      const room = Math.max(0, columns - 4 - head.length - where.length);
      return (
        <Text wrap="truncate" {...sel}>
          <Text>{selected ? '› ' : '  '}</Text>
          <Text {...theme.severity(g.severity)}>{'● ' + head}</Text>
          <Text>{where}</Text>
          <Text {...theme.muted}>{fit(g.count > 1 ? 'e.g. ' + g.message : g.message, room)}</Text>
        </Text>
      );
    }
    case 'endpoint-header':
      return (
        <Text wrap="truncate" {...theme.columnHeader}>
          {'  ' + fit('ENDPOINT', LABEL_WIDTH) + ' ' + fit('SIDE', ROLE_WIDTH) + states.map(({ s }) => ' ' + fit(ABBREV[s] ?? s, Math.max(6, (ABBREV[s] ?? s).length), 'right')).join('') + ' ' + fit('TOTAL', 7, 'right')}
        </Text>
      );
    case 'endpoint': {
      const r = line.row;
      return (
        <Text wrap="truncate" {...sel}>
          <Text>{(selected ? '› ' : '  ') + fit(r.label, LABEL_WIDTH) + ' ' + fit(r.role, ROLE_WIDTH)}</Text>
          {states.map(({ s, i }) => {
            const n = r.counts[i] ?? 0;
            const w = Math.max(6, (ABBREV[s] ?? s).length);
            return n > 0
              ? <Text key={s} {...theme.state(s as never)}>{' ' + fit(compactCount(n), w, 'right')}</Text>
              : <Text key={s} {...theme.muted}>{' ' + fit('·', w, 'right')}</Text>;
          })}
          <Text>{' ' + fit(compactCount(r.total), 7, 'right')}</Text>
        </Text>
      );
    }
    default: {
      const never: never = line;
      return never;
    }
  }
}

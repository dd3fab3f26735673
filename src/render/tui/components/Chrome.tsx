// TUI components: the title bar and the status line every screen shares.

import React from 'react';
import { Text } from 'ink';
import type { TuiSnapshot } from '../data/tui-source.js';
import { fit, formatSeconds, plural } from '../format.js';
import type { Screen, TuiState } from '../state/tui-state.js';
import { theme } from '../theme.js';

const SCREEN_NAME: Record<Screen, string> = { summary: 'summary', table: 'connections', detail: 'connection', help: 'help' };

export function TitleBar({ snapshot, screen, columns }: { snapshot: TuiSnapshot; screen: Screen; columns: number }) {
  const span = snapshot.segmentCount > 0 ? formatSeconds(snapshot.captureEnd - snapshot.captureStart) : '';
  const facts = [
    plural(snapshot.flows.length, 'connection'),
    plural(snapshot.segmentCount, 'segment'),
    plural(snapshot.findings.length, 'finding'),
    span,
    snapshot.issueCount > 0 ? plural(snapshot.issueCount, 'input issue') : '',
  ].filter(Boolean).join(' · ');
  const phase = snapshot.phase === 'live' ? ' ● live' : snapshot.phase === 'ended' ? ' ■ input ended' : '';
  const right = `[${SCREEN_NAME[screen]}]`;
  const left = `finscope  ${snapshot.title}  `;
  const room = Math.max(0, columns - left.length - phase.length - right.length - 1);
  return (
    <Text wrap="truncate">
      <Text {...theme.title}>{fit(left, Math.min(left.length, columns))}</Text>
      <Text>{fit(facts, room)}</Text>
      <Text {...(snapshot.phase === 'live' ? theme.live : theme.muted)}>{phase}</Text>
      <Text {...theme.muted}>{' ' + right}</Text>
    </Text>
  );
}

const HINTS: Record<Screen, string> = {
  summary: '↑↓ select · Enter list its connections · Tab all connections · / filter · f findings only · ? help · q quit',
  table: '↑↓ PgUp PgDn g G move · Enter open · / filter · s sort · f findings · c clear · d diagram · ? help · q back',
  detail: '↑↓ PgUp PgDn g G scroll · n N next/previous evidence · d write SVG diagram · q back',
  help: '↑↓ scroll · q back',
};

export function StatusLine({ state, columns }: { state: TuiState; columns: number }) {
  const error = state.snapshot.error;
  if (state.status) return <Text wrap="truncate" {...theme.status[state.status.tone]}>{fit(state.status.text, columns)}</Text>;
  if (error) return <Text wrap="truncate" {...theme.status.error}>{fit(error, columns)}</Text>;
  const hints = state.filter.editing ? 'type a filter · Enter keep · Esc restore · Ctrl-U clear · ↑↓ move' : HINTS[state.screen];
  return <Text wrap="truncate" {...theme.muted}>{fit(hints, columns)}</Text>;
}

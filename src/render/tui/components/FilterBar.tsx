// TUI component: the filter box (live as you type, the error shown where it is), the sort order,
// the findings-only switch and how many connections are shown.

import React from 'react';
import { Text } from 'ink';
import { SORT_ORDERS } from '../state/flow-view.js';
import type { TuiState } from '../state/tui-state.js';
import { fit } from '../format.js';
import { escapeTerminal } from '../../escape.js';
import { theme } from '../theme.js';

export function FilterBar({ state, columns }: { state: TuiState; columns: number }) {
  const { filter } = state;
  const sort = SORT_ORDERS[state.sortIndex]!;
  const shown = state.view.count.toLocaleString('en-US');
  const total = state.snapshot.flows.length.toLocaleString('en-US');
  const right = `${shown} of ${total} · sort ${sort.label}${sort.key === null ? '' : sort.descending ? ' ↓' : ' ↑'}${state.findingsOnly ? ' · findings only' : ''}`;
  const scope = state.scope ? `[${state.scope.label}] ` : '';
  if (filter.editing || filter.error) {
    const draft = escapeTerminal(filter.draft);
    const err = filter.error;
    const cursor = filter.editing ? '▏' : '';
    if (err) {
      // Highlight the character the parser stopped at (a space at the end when input ran out).
      const at = Math.min(err.column, draft.length);
      const before = draft.slice(0, at);
      const bad = draft.slice(at, at + 1) || ' ';
      const after = draft.slice(at + 1);
      const room = Math.max(0, columns - 2 - scope.length - draft.length - 2 - cursor.length);
      return (
        <Text wrap="truncate">
          <Text {...theme.filter.prompt}>/ </Text>
          <Text {...theme.accent}>{scope}</Text>
          <Text>{before}</Text>
          <Text {...theme.filter.errorAt}>{bad}</Text>
          <Text>{after}</Text>
          <Text>{cursor}</Text>
          <Text {...theme.filter.error}>{fit(`  ✗ ${err.message}`, room)}</Text>
        </Text>
      );
    }
    const room = Math.max(0, columns - 2 - scope.length - draft.length - cursor.length);
    return (
      <Text wrap="truncate">
        <Text {...theme.filter.prompt}>/ </Text>
        <Text {...theme.accent}>{scope}</Text>
        <Text>{draft}</Text>
        <Text>{cursor}</Text>
        <Text {...theme.muted}>{fit(right, room, 'right')}</Text>
      </Text>
    );
  }
  const left = filter.applied ? `filter: ${filter.applied}` : scope ? '' : 'no filter (/ to filter)';
  const room = Math.max(0, columns - scope.length - left.length);
  return (
    <Text wrap="truncate">
      <Text {...theme.accent}>{scope}</Text>
      <Text {...(filter.applied ? theme.accent : theme.muted)}>{left}</Text>
      <Text {...theme.muted}>{fit(right, room, 'right')}</Text>
    </Text>
  );
}

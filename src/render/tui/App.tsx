// TUI root: wires the data source, the terminal size and the keys into the one reducer, runs the
// effects it asks for, and picks the screen. No logic of its own beyond that.

import React, { useEffect, useLayoutEffect, useReducer, useRef } from 'react';
import { Box, useApp, useInput } from 'ink';
import type { TuiSource } from './data/tui-source.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { keyName } from './keymap.js';
import { detailBodyRows, frameHeight, helpBodyRows, summaryBodyRows, tableBodyRows, type TerminalSize } from './state/layout.js';
import { initTuiState, tuiReducer, type TuiAction, type TuiState } from './state/tui-state.js';
import { StatusLine, TitleBar } from './components/Chrome.js';
import { ConnectionDetail } from './components/ConnectionDetail.js';
import { ConnectionTable } from './components/ConnectionTable.js';
import { FilterBar } from './components/FilterBar.js';
import { HelpScreen } from './components/HelpScreen.js';
import { SummaryScreen } from './components/SummaryScreen.js';

export interface AppProps {
  source: TuiSource;
  initialScreen?: 'summary' | 'table';
  /** `--filter`: applied at start, editable with `/`. */
  initialFilter?: string;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: TerminalSize;
  /** Called after the quit effect, before ink exits (run-tui stops a live reader here). */
  onQuit?: () => void;
  /** Every reduced state, for tests and measurements. */
  onState?: (state: TuiState) => void;
}

export function App({ source, initialScreen, initialFilter, size: fixedSize, onQuit, onState }: AppProps) {
  const terminal = useTerminalSize();
  const size = fixedSize ?? terminal;
  const [state, dispatch] = useReducer(tuiReducer, undefined, () =>
    initTuiState({ snapshot: source.getSnapshot(), size, screen: initialScreen ?? 'summary', ...(initialFilter ? { filter: initialFilter } : {}) }),
  );
  const { exit } = useApp();

  // A layout effect: the re-laid-out frame follows the resize in the same tick.
  useLayoutEffect(() => {
    dispatch({ type: 'resize', columns: size.columns, rows: size.rows });
  }, [size.columns, size.rows]);

  useEffect(() => {
    const push = () => dispatch({ type: 'snapshot', snapshot: source.getSnapshot() });
    const unsubscribe = source.subscribe(push);
    push(); // a snapshot published between the first render and this subscription
    return unsubscribe;
  }, [source]);

  // Only dispatch here: the reducer resolves the key against the state it is given, never a
  // stale one captured by this closure.
  useInput((input, key) => dispatch({ type: 'key', name: keyName(input, key) }));

  useEffects(state, dispatch, source, () => {
    onQuit?.();
    exit();
  });

  useEffect(() => {
    onState?.(state);
  }, [state, onState]);

  return (
    <Box flexDirection="column" width={state.size.columns} height={frameHeight(state.size)}>
      <TitleBar snapshot={state.snapshot} screen={state.screen} columns={state.size.columns} />
      <ScreenBody state={state} />
      <Box flexGrow={1} />
      <StatusLine state={state} columns={state.size.columns} />
    </Box>
  );
}

function ScreenBody({ state }: { state: TuiState }) {
  const { columns } = state.size;
  switch (state.screen) {
    case 'summary':
      return state.summary ? (
        <SummaryScreen layout={state.summary} cursor={state.summaryPos.cursor} top={state.summaryPos.top} height={summaryBodyRows(state.size)} columns={columns} />
      ) : null;
    case 'table':
      return (
        <Box flexDirection="column">
          <FilterBar state={state} columns={columns} />
          <ConnectionTable flows={state.snapshot.flows} view={state.view} top={state.table.top} cursor={state.table.cursor} height={tableBodyRows(state.size)} columns={columns} />
        </Box>
      );
    case 'detail': {
      const d = state.detail;
      return d ? (
        <ConnectionDetail flow={d.flow} model={d} kept={d.kept} top={d.top} height={detailBodyRows(state.size, d.findings.length)} columns={columns} />
      ) : null;
    }
    case 'help':
      return <HelpScreen top={state.helpTop} height={helpBodyRows(state.size)} columns={columns} />;
    default: {
      const never: never = state.screen;
      return never;
    }
  }
}

/** Runs each effect the reducer queued exactly once, in order. */
function useEffects(state: TuiState, dispatch: React.Dispatch<TuiAction>, source: TuiSource, quit: () => void) {
  const done = useRef(0);
  useEffect(() => {
    for (const effect of state.effects) {
      if (effect.id <= done.current) continue;
      done.current = effect.id;
      switch (effect.kind) {
        case 'quit':
          quit();
          break;
        case 'write-diagram': {
          if (!source.writeDiagram) {
            dispatch({ type: 'status', text: 'this view cannot write diagrams (no segments were kept)', tone: 'error' });
            break;
          }
          const id = effect.flowId;
          source.writeDiagram(id).then(
            (path) => dispatch({ type: 'status', text: `wrote the ladder diagram of connection ${id} to ${path}`, tone: 'success' }),
            (error: unknown) => dispatch({ type: 'status', text: `could not write the diagram of connection ${id}: ${error instanceof Error ? error.message : String(error)}`, tone: 'error' }),
          );
          break;
        }
        default: {
          const never: never = effect;
          return never;
        }
      }
    }
  }, [state.effects, dispatch, source, quit]);
}


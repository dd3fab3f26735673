// TUI state stage: (state, action) → state. One pure reducer owns everything keys can change,
// including the derived table view, so keys arriving faster than React re-renders act on the
// current state (handlers that read state from closures acted on stale state: measured).

import { compileFilter, FilterError, type FlowPredicate } from '../../../filter/filter-expression.js';
import type { Finding } from '../../../diagnosis/finding.js';
import type { ConnectionDetail, TuiSnapshot } from '../data/tui-source.js';
import { helpLines, isNamedKey, resolveKey } from '../keymap.js';
import { computeView, positionOfId, SORT_ORDERS, type FlowView } from './flow-view.js';
import { buildLadder, type LadderModel } from './ladder-lines.js';
import {
  clamp, detailBodyRows, helpBodyRows, scrollToShow, summaryBodyRows, tableBodyRows, type TerminalSize,
} from './layout.js';
import { buildSummary, layoutSummary, summaryTarget, type SummaryLayout, type TableTarget } from './state-summary.js';

export type Screen = 'summary' | 'table' | 'detail' | 'help';

export interface FilterState {
  /** The text in the filter box. */
  draft: string;
  /** The box has the keyboard. */
  editing: boolean;
  /** The expression the view uses (the last draft that compiled). */
  applied: string;
  predicate: FlowPredicate | null;
  /** Why the draft does not compile, and where (0-based column into `draft`). */
  error: { message: string; column: number } | null;
  /** `applied` when editing began, restored by Esc. */
  before: string;
}

/** Side effects the reducer asks for; the App runs each once, in order of `id`. */
export type TuiEffect =
  | { id: number; kind: 'write-diagram'; flowId: number }
  | { id: number; kind: 'quit' };

export type StatusTone = 'info' | 'success' | 'error';

export interface TuiState {
  screen: Screen;
  /** Screens to return to with Esc / q; empty means q quits. */
  back: Screen[];
  size: TerminalSize;
  snapshot: TuiSnapshot;
  filter: FilterState;
  /** A fixed set of connection ids (an aggregate finding's), shown as a label. */
  scope: { label: string; ids: ReadonlySet<number> } | null;
  sortIndex: number;
  findingsOnly: boolean;
  view: FlowView;
  table: { cursor: number; top: number; selectedId: number | null };
  /** Computed on first visit and on new data while visible. */
  summary: (SummaryLayout & { version: number }) | null;
  summaryPos: { cursor: number; top: number };
  detail: (LadderModel & { version: number; top: number; kept: boolean }) | null;
  helpTop: number;
  status: { text: string; tone: StatusTone } | null;
  effects: readonly TuiEffect[];
  nextEffectId: number;
}

export type TuiAction =
  /** A raw key, resolved against the current state by the keymap. */
  | { type: 'key'; name: string }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'snapshot'; snapshot: TuiSnapshot }
  | { type: 'status'; text: string; tone: StatusTone }
  | { type: 'move'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'jump'; to: 'first' | 'last' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'quit' }
  | { type: 'show'; screen: Screen }
  | { type: 'toggle-summary' }
  | { type: 'filter-start' }
  | { type: 'filter-input'; text: string }
  | { type: 'filter-backspace' }
  | { type: 'filter-delete-word' }
  | { type: 'filter-clear' }
  | { type: 'filter-commit' }
  | { type: 'filter-cancel' }
  | { type: 'sort'; direction: 1 | -1 }
  | { type: 'toggle-findings-only' }
  | { type: 'clear-selection' }
  | { type: 'write-diagram' }
  | { type: 'evidence'; direction: 1 | -1 };

/** Actions a key can resolve to (everything except the ones that carry outside data). */
export type KeyAction = Exclude<TuiAction, { type: 'key' } | { type: 'resize' } | { type: 'snapshot' } | { type: 'status' }>;

export interface InitOptions {
  snapshot: TuiSnapshot;
  size: TerminalSize;
  screen?: 'summary' | 'table';
  /** An initial filter expression (`--filter`); an invalid one is shown with its error. */
  filter?: string;
}

const EMPTY_FILTER: FilterState = { draft: '', editing: false, applied: '', predicate: null, error: null, before: '' };

export function initTuiState(options: InitOptions): TuiState {
  let state: TuiState = {
    screen: options.screen ?? 'summary',
    back: [],
    size: options.size,
    snapshot: options.snapshot,
    filter: EMPTY_FILTER,
    scope: null,
    sortIndex: 0,
    findingsOnly: false,
    view: computeView(options.snapshot.flows, { predicate: null, ids: null, findingsOnly: false, sort: SORT_ORDERS[0]! }),
    table: { cursor: 0, top: 0, selectedId: null },
    summary: null,
    summaryPos: { cursor: 0, top: 0 },
    detail: null,
    helpTop: 0,
    status: null,
    effects: [],
    nextEffectId: 1,
  };
  if (options.filter) state = applyFilterText(state, options.filter, false);
  state = syncSelection(state);
  if (state.screen === 'summary') state = ensureSummary(state);
  return state;
}

export function tuiReducer(state: TuiState, action: TuiAction): TuiState {
  switch (action.type) {
    case 'key': {
      const resolved = resolveKey(state, action.name);
      if (resolved) return tuiReducer(state, resolved);
      // Keys that arrive together come as one string ("/state CLOSE_WAIT", "qq"): one key each,
      // and once the filter box has the keyboard, the rest is its text.
      if (action.name.length > 1 && !isNamedKey(action.name)) {
        let s = state;
        const chars = [...action.name];
        for (let i = 0; i < chars.length; i++) {
          if (s.filter.editing) return tuiReducer(s, { type: 'key', name: chars.slice(i).join('') });
          s = tuiReducer(s, { type: 'key', name: chars[i]! });
        }
        return s;
      }
      return state;
    }
    case 'resize':
      return resize(state, { columns: action.columns, rows: action.rows });
    case 'snapshot':
      return newSnapshot(state, action.snapshot);
    case 'status':
      return { ...state, status: { text: action.text, tone: action.tone } };
    case 'move':
      return move(clearStatus(state), action.delta);
    case 'page':
      return move(clearStatus(state), action.direction * Math.max(1, bodyRows(state) - 1));
    case 'jump':
      return move(clearStatus(state), action.to === 'first' ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER);
    case 'open':
      return open(clearStatus(state));
    case 'back':
      return back(clearStatus(state));
    case 'quit':
      return withEffect(state, { kind: 'quit' });
    case 'show':
      if (action.screen === state.screen) return state;
      return enter({ ...clearStatus(state), back: [...state.back, state.screen], helpTop: 0 }, action.screen);
    case 'toggle-summary': {
      // Tab switches between the two top-level screens; Esc/q then returns to the other one
      // (Tab twice is no net change to the back stack).
      const other: Screen = state.screen === 'summary' ? 'table' : 'summary';
      const s = clearStatus(state);
      const back = s.back[s.back.length - 1] === other ? s.back.slice(0, -1) : [...s.back, s.screen];
      return enter({ ...s, back }, other);
    }
    case 'filter-start': {
      let s = clearStatus(state);
      // From the ladder: back to its table (the filter applies there); from the summary: push it.
      if (s.screen === 'detail' && s.back[s.back.length - 1] === 'table') s = back(s);
      if (s.screen !== 'table') s = enter({ ...s, back: s.screen === 'summary' ? [...s.back, 'summary'] : s.back }, 'table');
      return { ...s, filter: { ...s.filter, editing: true, draft: s.filter.applied, before: s.filter.applied, error: null } };
    }
    case 'filter-input':
      return applyFilterText(state, state.filter.draft + action.text, true);
    case 'filter-backspace':
      return applyFilterText(state, state.filter.draft.slice(0, -1), true);
    case 'filter-delete-word':
      return applyFilterText(state, state.filter.draft.replace(/\S*\s*$/, ''), true);
    case 'filter-clear':
      return applyFilterText(state, '', true);
    case 'filter-commit':
      return { ...state, filter: { ...state.filter, editing: false, draft: state.filter.applied, error: null } };
    case 'filter-cancel': {
      const restored = applyFilterText(state, state.filter.before, false);
      return { ...restored, filter: { ...restored.filter, editing: false } };
    }
    case 'sort': {
      const n = SORT_ORDERS.length;
      return recomputeView({ ...clearStatus(state), sortIndex: (state.sortIndex + action.direction + n) % n });
    }
    case 'toggle-findings-only': {
      const s = recomputeView({ ...clearStatus(state), findingsOnly: !state.findingsOnly });
      return s.screen === 'summary' ? enter({ ...s, back: [...s.back, 'summary'] }, 'table') : s;
    }
    case 'clear-selection': {
      const s = applyFilterText({ ...clearStatus(state), scope: null, findingsOnly: false }, '', false);
      return { ...s, filter: { ...s.filter, editing: false } };
    }
    case 'write-diagram': {
      const id = state.screen === 'detail' ? state.detail?.flowId : state.screen === 'table' ? state.table.selectedId : undefined;
      if (id === undefined || id === null) return { ...state, status: { text: 'select a connection first (d writes its ladder diagram)', tone: 'error' } };
      return withEffect({ ...state, status: { text: `writing the ladder diagram of connection ${id}…`, tone: 'info' } }, { kind: 'write-diagram', flowId: id });
    }
    case 'evidence':
      return jumpToEvidence(clearStatus(state), action.direction);
    default:
      return checkExhaustive(action);
  }
}

function checkExhaustive(value: never): never {
  throw new Error(`unhandled TUI action ${JSON.stringify(value)}`);
}

function clearStatus(state: TuiState): TuiState {
  return state.status === null ? state : { ...state, status: null };
}

function withEffect(state: TuiState, effect: { kind: 'write-diagram'; flowId: number } | { kind: 'quit' }): TuiState {
  const e = { ...effect, id: state.nextEffectId } as TuiEffect;
  // Only the newest few are kept: the App runs them within a frame of being queued.
  return { ...state, effects: [...state.effects.slice(-7), e], nextEffectId: state.nextEffectId + 1 };
}

// ---- derived data ------------------------------------------------------------------------

function recomputeView(state: TuiState): TuiState {
  const view = computeView(state.snapshot.flows, {
    predicate: state.filter.predicate,
    ids: state.scope?.ids ?? null,
    findingsOnly: state.findingsOnly,
    sort: SORT_ORDERS[state.sortIndex]!,
  });
  return syncSelection({ ...state, view });
}

/** After a view change, keep the same connection selected when it is still in the view. */
function syncSelection(state: TuiState): TuiState {
  const { view, table } = state;
  const flows = state.snapshot.flows;
  let cursor = table.selectedId === null ? 0 : positionOfId(flows, view, table.selectedId);
  if (cursor < 0) cursor = Math.min(table.cursor, Math.max(0, view.count - 1));
  cursor = clamp(cursor, 0, Math.max(0, view.count - 1));
  const height = tableBodyRows(state.size);
  const top = clamp(scrollToShow(Math.min(table.top, cursor), cursor, height), 0, Math.max(0, view.count - height));
  const selectedId = view.count > 0 ? flows[view.indexAt(cursor)]?.id ?? null : null;
  return { ...state, table: { cursor, top, selectedId } };
}

function applyFilterText(state: TuiState, text: string, editing: boolean): TuiState {
  let predicate: FlowPredicate | null;
  try {
    // Trailing blanks are normal mid-typing; the tokenizer reports them as an error at column 1.
    predicate = text.trim() === '' ? null : compileFilter(text.trimEnd());
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    const message = error.message.replace(/ \(at column \d+\)$/, '');
    // Keep showing the last expression that compiled while the user fixes this one.
    return { ...state, filter: { ...state.filter, draft: text, editing, error: { message, column: error.column } } };
  }
  const s = { ...state, filter: { ...state.filter, draft: text, editing, applied: text, predicate, error: null } };
  return recomputeView(s);
}

function ensureSummary(state: TuiState): TuiState {
  if (state.summary && state.summary.version === state.snapshot.version) return state;
  const model = buildSummary(state.snapshot.flows, state.snapshot.findings);
  const layout = layoutSummary(model);
  const items = layout.itemLines.length;
  const cursor = clamp(state.summaryPos.cursor, 0, Math.max(0, items - 1));
  const s = { ...state, summary: { ...layout, version: state.snapshot.version } };
  return { ...s, summaryPos: summaryPosition(s, cursor, state.summaryPos.top) };
}

function summaryPosition(state: TuiState, cursor: number, top: number): { cursor: number; top: number } {
  const layout = state.summary!;
  const height = summaryBodyRows(state.size);
  const line = layout.itemLines[cursor] ?? 0;
  // Show the section heading above the first item of a section when there is room.
  let t = scrollToShow(top, line, height);
  if (cursor === 0) t = 0;
  return { cursor, top: clamp(t, 0, Math.max(0, layout.lines.length - height)) };
}

function findingsOf(state: TuiState, flowId: number): readonly Finding[] {
  const flow = flowById(state, flowId);
  const own = flow?.findings ?? [];
  // Aggregate findings that list this connection are shown too.
  const aggregate = state.snapshot.findings.filter((f) => f.flow === undefined && f.flows?.includes(flowId));
  return aggregate.length ? [...own, ...aggregate] : own;
}

function flowById(state: TuiState, id: number) {
  const flows = state.snapshot.flows;
  const guess = flows[id - 1];
  if (guess?.id === id) return guess;
  return flows.find((f) => f.id === id);
}

function loadDetail(state: TuiState, flowId: number, keepTop: number | null): TuiState {
  const flow = flowById(state, flowId);
  if (!flow) return state;
  const found = state.snapshot.detail(flowId);
  const kept = found !== undefined;
  const detail: ConnectionDetail = found ?? { flow, segments: [], stateChanges: [], omittedSegments: 0 };
  const model = buildLadder(detail, findingsOf(state, flowId), state.snapshot.captureEnd);
  const height = detailBodyRows(state.size, model.findings.length);
  const maxTop = Math.max(0, model.lines.length - height);
  // Open where the evidence is: a half-close is told by the last lines of a long connection.
  const first = model.evidenceLines[0];
  const top = keepTop ?? (first !== undefined && first >= height ? first - 2 : 0);
  return { ...state, detail: { ...model, version: state.snapshot.version, top: clamp(top, 0, maxTop), kept } };
}

function newSnapshot(state: TuiState, snapshot: TuiSnapshot): TuiState {
  if (snapshot.version === state.snapshot.version) return state;
  let s = recomputeView({ ...state, snapshot });
  if (s.screen === 'summary') s = ensureSummary(s);
  if (s.detail) s = loadDetail(s, s.detail.flowId, s.detail.top);
  return s;
}

// ---- navigation --------------------------------------------------------------------------

function bodyRows(state: TuiState): number {
  switch (state.screen) {
    case 'table': return tableBodyRows(state.size);
    case 'summary': return summaryBodyRows(state.size);
    case 'detail': return detailBodyRows(state.size, state.detail?.findings.length ?? 0);
    case 'help': return helpBodyRows(state.size);
    default: return checkExhaustive(state.screen);
  }
}

function move(state: TuiState, delta: number): TuiState {
  switch (state.screen) {
    case 'table': {
      const { view, table } = state;
      if (view.count === 0) return state;
      const cursor = clamp(table.cursor + delta, 0, view.count - 1);
      const top = scrollToShow(table.top, cursor, tableBodyRows(state.size));
      const selectedId = state.snapshot.flows[view.indexAt(cursor)]?.id ?? null;
      return { ...state, table: { cursor, top, selectedId } };
    }
    case 'summary': {
      const s = ensureSummary(state);
      const items = s.summary!.itemLines.length;
      if (items === 0) return s;
      return { ...s, summaryPos: summaryPosition(s, clamp(s.summaryPos.cursor + delta, 0, items - 1), s.summaryPos.top) };
    }
    case 'detail': {
      const d = state.detail;
      if (!d) return state;
      const maxTop = Math.max(0, d.lines.length - bodyRows(state));
      return { ...state, detail: { ...d, top: clamp(d.top + delta, 0, maxTop) } };
    }
    case 'help':
      return { ...state, helpTop: clamp(state.helpTop + delta, 0, Math.max(0, helpLines().length - helpBodyRows(state.size))) };
    default:
      return checkExhaustive(state.screen);
  }
}

function jumpToEvidence(state: TuiState, direction: 1 | -1): TuiState {
  const d = state.detail;
  if (state.screen !== 'detail' || !d || d.evidenceLines.length === 0) return state;
  const context = 2;
  const lines = direction === 1 ? d.evidenceLines : [...d.evidenceLines].reverse();
  const target = lines.find((l) => (direction === 1 ? l - context > d.top : l - context < d.top));
  if (target === undefined) return { ...state, status: { text: direction === 1 ? 'no more evidence below' : 'no more evidence above', tone: 'info' } };
  const maxTop = Math.max(0, d.lines.length - bodyRows(state));
  return { ...state, detail: { ...d, top: clamp(target - context, 0, maxTop) } };
}

function enter(state: TuiState, screen: Screen): TuiState {
  const s = { ...state, screen };
  return screen === 'summary' ? ensureSummary(s) : s;
}

function applyTarget(state: TuiState, target: TableTarget | null): TuiState {
  if (target === null) return { ...state, scope: null };
  if (target.kind === 'ids') return applyFilterText({ ...state, scope: { label: target.label, ids: new Set(target.ids) } }, '', false);
  return applyFilterText({ ...state, scope: null }, target.expression, false);
}

function open(state: TuiState): TuiState {
  switch (state.screen) {
    case 'summary': {
      const s = ensureSummary(state);
      const target = summaryTarget(s.summary!.model, s.summaryPos.cursor);
      const t = applyTarget({ ...s, table: { cursor: 0, top: 0, selectedId: null } }, target);
      return enter({ ...t, back: [...t.back, 'summary'] }, 'table');
    }
    case 'table': {
      const id = state.table.selectedId;
      if (id === null) return state;
      const s = loadDetail(state, id, null);
      return s.detail ? { ...s, screen: 'detail', back: [...s.back, 'table'] } : s;
    }
    case 'detail':
      return jumpToEvidence(state, 1);
    case 'help':
      return back(state);
    default:
      return checkExhaustive(state.screen);
  }
}

function back(state: TuiState): TuiState {
  if (state.filter.editing) return tuiReducer(state, { type: 'filter-cancel' });
  const previous = state.back[state.back.length - 1];
  if (previous === undefined) return withEffect(state, { kind: 'quit' });
  const s = enter({ ...state, back: state.back.slice(0, -1) }, previous);
  // The ladder is dropped once nothing can return to it (help over detail keeps it).
  const keepDetail = s.screen === 'detail' || s.back.includes('detail');
  return keepDetail ? s : { ...s, detail: null };
}

function resize(state: TuiState, size: TerminalSize): TuiState {
  if (size.columns === state.size.columns && size.rows === state.size.rows) return state;
  let s = syncSelection({ ...state, size });
  if (s.summary) s = { ...s, summaryPos: summaryPosition(s, s.summaryPos.cursor, s.summaryPos.top) };
  if (s.detail) {
    const maxTop = Math.max(0, s.detail.lines.length - detailBodyRows(size, s.detail.findings.length));
    s = { ...s, detail: { ...s.detail, top: clamp(s.detail.top, 0, maxTop) } };
  }
  return s;
}

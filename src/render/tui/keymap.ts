// TUI key stage: a pressed key (ink's input + Key) → a key name → one TuiAction, from one table.
// The help screen is generated from the same table, so it cannot drift from the behaviour.

import type { Key } from 'ink';
import type { KeyAction, Screen, TuiState } from './state/tui-state.js';

export interface Binding {
  /** Key names as keyName() produces them: 'j', 'down', 'pagedown', 'return', 'ctrl+c', '?'. */
  keys: readonly string[];
  /** Screens where it applies. */
  on: readonly Screen[];
  action: KeyAction;
  /** One line for the help screen. */
  help: string;
}

const ALL: readonly Screen[] = ['summary', 'table', 'detail', 'help'];

/** The one table. First match wins, so screen-specific rows come before general ones. */
export const BINDINGS: readonly Binding[] = [
  { keys: ['ctrl+c', 'Q'], on: ALL, action: { type: 'quit' }, help: 'quit from anywhere' },
  { keys: ['j', 'down'], on: ALL, action: { type: 'move', delta: 1 }, help: 'down one row (scroll in the ladder)' },
  { keys: ['k', 'up'], on: ALL, action: { type: 'move', delta: -1 }, help: 'up one row' },
  { keys: ['pagedown', 'ctrl+f', ' '], on: ALL, action: { type: 'page', direction: 1 }, help: 'page down' },
  { keys: ['pageup', 'ctrl+b'], on: ALL, action: { type: 'page', direction: -1 }, help: 'page up' },
  { keys: ['g', 'home'], on: ALL, action: { type: 'jump', to: 'first' }, help: 'first row' },
  { keys: ['G', 'end'], on: ALL, action: { type: 'jump', to: 'last' }, help: 'last row' },
  { keys: ['return'], on: ['summary'], action: { type: 'open' }, help: 'summary: list the connections of the finding or endpoint' },
  { keys: ['return'], on: ['table'], action: { type: 'open' }, help: 'table: open the connection (ladder, state changes, evidence)' },
  { keys: ['return', 'n'], on: ['detail'], action: { type: 'evidence', direction: 1 }, help: 'ladder: next evidence segment' },
  { keys: ['N'], on: ['detail'], action: { type: 'evidence', direction: -1 }, help: 'ladder: previous evidence segment' },
  { keys: ['return'], on: ['help'], action: { type: 'back' }, help: 'help: close this page' },
  { keys: ['escape', 'q', 'backspace'], on: ALL, action: { type: 'back' }, help: 'back (quits from the first screen)' },
  { keys: ['tab'], on: ['summary', 'table'], action: { type: 'toggle-summary' }, help: 'switch between summary and connections' },
  { keys: ['/'], on: ['summary', 'table', 'detail'], action: { type: 'filter-start' }, help: 'filter connections, live as you type (same language as --filter)' },
  { keys: ['c'], on: ['table'], action: { type: 'clear-selection' }, help: 'clear the filter, the finding scope and findings-only' },
  { keys: ['s'], on: ['table'], action: { type: 'sort', direction: 1 }, help: 'next sort order (id, state, finding age, duration, bytes, …)' },
  { keys: ['S'], on: ['table'], action: { type: 'sort', direction: -1 }, help: 'previous sort order' },
  { keys: ['f'], on: ['summary', 'table'], action: { type: 'toggle-findings-only' }, help: 'only connections with findings' },
  { keys: ['d'], on: ['table', 'detail'], action: { type: 'write-diagram' }, help: 'write the connection’s SVG ladder diagram to a file' },
  { keys: ['?', 'h'], on: ['summary', 'table', 'detail'], action: { type: 'show', screen: 'help' }, help: 'this help' },
];

/** While the filter box has the keyboard: editing keys; the list keys still move the cursor. */
const FILTER_KEYS: Readonly<Record<string, KeyAction>> = {
  return: { type: 'filter-commit' },
  escape: { type: 'filter-cancel' },
  backspace: { type: 'filter-backspace' },
  'ctrl+w': { type: 'filter-delete-word' },
  'ctrl+u': { type: 'filter-clear' },
  'ctrl+c': { type: 'quit' },
  down: { type: 'move', delta: 1 },
  up: { type: 'move', delta: -1 },
  pagedown: { type: 'page', direction: 1 },
  pageup: { type: 'page', direction: -1 },
};

const FILTER_HELP = [
  'filter box: type an expression; the table follows as you type; errors show where they are',
  '  Enter keeps it · Esc restores the previous one · Ctrl-U clears · Ctrl-W deletes a word',
  '  examples: state CLOSE_WAIT · port 9000 and not host 10.0.0.7 · finding fin-not-returned · duration > 30s',
];

const BY_SCREEN = new Map<Screen, Map<string, KeyAction>>(
  ALL.map((screen) => {
    const m = new Map<string, KeyAction>();
    for (const b of BINDINGS) if (b.on.includes(screen)) for (const k of b.keys) if (!m.has(k)) m.set(k, b.action);
    return [screen, m];
  }),
);

/** The action for a key in the current state, or null when the key means nothing here. */
export function resolveKey(state: Pick<TuiState, 'screen' | 'filter'>, name: string): KeyAction | null {
  if (state.filter.editing) {
    const a = FILTER_KEYS[name];
    if (a) return a;
    // Printable text (a key, or a paste) goes into the box.
    return name.length > 0 && !isNamedKey(name) ? { type: 'filter-input', text: name } : null;
  }
  return BY_SCREEN.get(state.screen)?.get(name) ?? null;
}

const NAMED = new Set(['up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'return', 'escape', 'tab', 'shift+tab', 'backspace', 'delete']);
/** A key with a name (arrows, Enter, Ctrl-X, ...), as opposed to typed text. */
export function isNamedKey(name: string): boolean {
  return NAMED.has(name) || name.startsWith('ctrl+') || name.startsWith('meta+');
}

/** ink's (input, key) → one key name. Printable input is returned as is (a paste: the whole text). */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  // Terminals send DEL (0x7f) for the Backspace key; ink calls that "delete".
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  if (key.meta && input.length === 1) return `meta+${input}`;
  return input;
}

/** Help screen lines, grouped as the table is. */
export function helpLines(): string[] {
  const lines: string[] = ['Keys (one table drives both the keys and this page)', ''];
  for (const b of BINDINGS) {
    const keys = b.keys.map(displayKey).join(' ');
    lines.push(`  ${keys.padEnd(22)} ${b.help}`);
  }
  lines.push('', ...FILTER_HELP);
  return lines;
}

function displayKey(name: string): string {
  const names: Record<string, string> = {
    down: '↓', up: '↑', pagedown: 'PgDn', pageup: 'PgUp', home: 'Home', end: 'End', return: 'Enter',
    escape: 'Esc', backspace: 'Bksp', tab: 'Tab', ' ': 'Space',
  };
  if (names[name]) return names[name]!;
  if (name.startsWith('ctrl+')) return `Ctrl-${name.slice(5).toUpperCase()}`;
  return name;
}

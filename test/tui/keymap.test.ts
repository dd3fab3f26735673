// The key table: ink's (input, Key) → key names, every binding resolves on its screens, the help
// page lists every binding, and the filter box takes text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'ink';
import { BINDINGS, helpLines, keyName, resolveKey } from '../../src/render/tui/keymap.js';
import type { Screen } from '../../src/render/tui/state/tui-state.js';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

test('ink keys map to names; Backspace arrives as "delete" (DEL, 0x7f) and means backspace', () => {
  assert.equal(keyName('', { ...NO_KEY, downArrow: true }), 'down');
  assert.equal(keyName('', { ...NO_KEY, pageUp: true }), 'pageup');
  assert.equal(keyName('', { ...NO_KEY, return: true }), 'return');
  assert.equal(keyName('', { ...NO_KEY, escape: true, meta: true }), 'escape');
  assert.equal(keyName('', { ...NO_KEY, delete: true }), 'backspace');
  assert.equal(keyName('c', { ...NO_KEY, ctrl: true }), 'ctrl+c');
  assert.equal(keyName('G', { ...NO_KEY, shift: true }), 'G');
  assert.equal(keyName('state CLOSE_WAIT', NO_KEY), 'state CLOSE_WAIT', 'a paste stays whole');
});

test('every binding resolves to its action on each of its screens (first match wins)', () => {
  const screens: Screen[] = ['summary', 'table', 'detail', 'help'];
  for (const screen of screens) {
    const seen = new Set<string>();
    for (const b of BINDINGS) {
      if (!b.on.includes(screen)) continue;
      for (const k of b.keys) {
        if (seen.has(k)) continue;
        seen.add(k);
        assert.deepEqual(resolveKey({ screen, filter: { editing: false } } as never, k), b.action, `${screen} ${k}`);
      }
    }
    assert.equal(resolveKey({ screen, filter: { editing: false } } as never, 'x'), null);
  }
});

test('the help page lists every binding', () => {
  const text = helpLines().join('\n');
  for (const b of BINDINGS) assert.ok(text.includes(b.help), b.help);
});

test('while the filter box is open, printable keys are text and named keys edit', () => {
  const editing = { screen: 'table', filter: { editing: true } } as never;
  assert.deepEqual(resolveKey(editing, 'q'), { type: 'filter-input', text: 'q' });
  assert.deepEqual(resolveKey(editing, ' '), { type: 'filter-input', text: ' ' });
  assert.deepEqual(resolveKey(editing, 'backspace'), { type: 'filter-backspace' });
  assert.deepEqual(resolveKey(editing, 'return'), { type: 'filter-commit' });
  assert.deepEqual(resolveKey(editing, 'escape'), { type: 'filter-cancel' });
  assert.deepEqual(resolveKey(editing, 'down'), { type: 'move', delta: 1 });
  assert.equal(resolveKey(editing, 'left'), null);
  assert.equal(resolveKey(editing, 'ctrl+x'), null);
});

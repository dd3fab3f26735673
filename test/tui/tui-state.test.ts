// The TUI reducer without rendering: navigation and virtualization arithmetic, the filter box,
// sorting, findings-only, screens and the back stack, effects, live snapshots, resize.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initTuiState, tuiReducer, type TuiAction, type TuiState } from '../../src/render/tui/state/tui-state.js';
import { tableBodyRows } from '../../src/render/tui/state/layout.js';
import { flow, finNotReturned, manyFlows, smallFlows, snapshotOf } from './tui-fixtures.js';

const SIZE = { columns: 120, rows: 30 };

function run(state: TuiState, ...keys: string[]): TuiState {
  return keys.reduce((s, name) => tuiReducer(s, { type: 'key', name }), state);
}

function table(flowsCount: number): TuiState {
  return initTuiState({ snapshot: snapshotOf(manyFlows(flowsCount)), size: SIZE, screen: 'table' });
}

/** Flow ids in view order (the oracle for what the table shows). */
function viewIds(s: TuiState): number[] {
  const ids: number[] = [];
  for (let p = 0; p < s.view.count; p++) ids.push(s.snapshot.flows[s.view.indexAt(p)]!.id);
  return ids;
}

describe('table navigation and virtualization', () => {
  const height = tableBodyRows(SIZE);

  test('j/k and arrows move one row; the cursor is clamped at both ends', () => {
    let s = table(10);
    s = run(s, 'j', 'down', 'j');
    assert.equal(s.table.cursor, 3);
    assert.equal(s.table.selectedId, 4);
    s = run(s, 'k', 'up', 'k', 'k', 'k');
    assert.equal(s.table.cursor, 0);
    s = run(s, 'G', 'j', 'j');
    assert.equal(s.table.cursor, 9);
  });

  test('the window follows the cursor: top moves only when the cursor leaves it', () => {
    let s = table(1000);
    for (let i = 0; i < height - 1; i++) s = run(s, 'j');
    assert.equal(s.table.cursor, height - 1);
    assert.equal(s.table.top, 0, 'cursor still on the last visible row');
    s = run(s, 'j');
    assert.equal(s.table.top, 1);
    assert.equal(s.table.cursor - s.table.top, height - 1);
    s = run(s, 'g');
    assert.deepEqual([s.table.cursor, s.table.top], [0, 0]);
    s = run(s, 'G');
    assert.deepEqual([s.table.cursor, s.table.top], [999, 1000 - height]);
  });

  test('PgDn/PgUp move by a page less one row (one row of context stays)', () => {
    let s = table(1000);
    s = run(s, 'pagedown');
    assert.equal(s.table.cursor, height - 1);
    s = run(s, 'pagedown');
    assert.equal(s.table.cursor, 2 * (height - 1));
    assert.ok(s.table.cursor >= s.table.top && s.table.cursor < s.table.top + height);
    s = run(s, 'pageup', 'pageup', 'pageup');
    assert.equal(s.table.cursor, 0);
  });

  test('an empty table ignores movement', () => {
    const s = initTuiState({ snapshot: snapshotOf([]), size: SIZE, screen: 'table' });
    const t = run(s, 'j', 'G', 'pagedown', 'return');
    assert.equal(t.table.cursor, 0);
    assert.equal(t.screen, 'table');
    assert.equal(t.table.selectedId, null);
  });

  test('a navigation key on 1,000,000 connections reads only rows near the cursor', () => {
    const flows = manyFlows(1_000_000);
    let reads = 0;
    // Count element reads of the flows array: a key must not walk it.
    const counted = new Proxy(flows, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
        return Reflect.get(target, prop, receiver);
      },
    });
    let s = initTuiState({ snapshot: snapshotOf(counted), size: SIZE, screen: 'table' });
    s = run(s, 'j');
    reads = 0;
    s = run(s, 'j', 'pagedown', 'G', 'k', 'g');
    assert.ok(reads <= 10, `${reads} flow reads for 5 keys`);
    assert.equal(s.table.cursor, 0);
  });
});

describe('filter box', () => {
  test('applies live as you type; an error keeps the last good view and says where', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, '/');
    assert.equal(s.filter.editing, true);
    s = run(s, 's', 't', 'a', 't', 'e', ' ');
    // "state " is incomplete: error at the end, the view still shows everything
    assert.ok(s.filter.error);
    assert.equal(s.filter.error.column, 'state'.length, 'where the expression ended');
    assert.match(s.filter.error.message, /TCP state name/);
    assert.deepEqual(viewIds(s), [1, 2, 3]);
    s = run(s, 'CLOSE_WAT');
    assert.ok(s.filter.error);
    assert.equal(s.filter.error.column, 6, 'points at the state name');
    assert.match(s.filter.error.message, /unknown state "CLOSE_WAT"/);
    s = run(s, 'backspace', 'I', 'T');
    assert.equal(s.filter.draft, 'state CLOSE_WAIT');
    assert.equal(s.filter.error, null);
    assert.deepEqual(viewIds(s), [2]);
    s = run(s, 'return');
    assert.equal(s.filter.editing, false);
    assert.equal(s.filter.applied, 'state CLOSE_WAIT');
    assert.deepEqual(viewIds(s), [2]);
  });

  test('keys that are commands elsewhere are text in the box (q, j, s, /, ?)', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, '/', 'q', 'j', 's', '?', '/');
    assert.equal(s.filter.draft, 'qjs?/');
    assert.equal(s.screen, 'table');
    assert.equal(s.effects.length, 0, 'q did not quit');
  });

  test('Esc restores the expression from before editing; Ctrl-U clears; Ctrl-W deletes a word', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table', filter: 'port 9000' });
    assert.deepEqual(viewIds(s), [1, 2]);
    s = run(s, '/', ' and port 1');
    assert.deepEqual(viewIds(s), [], 'live: port 1 matches nothing');
    s = run(s, 'ctrl+w');
    assert.equal(s.filter.draft, 'port 9000 and port ');
    s = run(s, 'escape');
    assert.equal(s.filter.editing, false);
    assert.equal(s.filter.applied, 'port 9000');
    assert.deepEqual(viewIds(s), [1, 2]);
    s = run(s, '/', 'ctrl+u', 'return');
    assert.equal(s.filter.applied, '');
    assert.deepEqual(viewIds(s), [1, 2, 3]);
  });

  test('an invalid --filter at start is shown with its error, not thrown', () => {
    const s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table', filter: 'port 99999' });
    assert.ok(s.filter.error);
    assert.match(s.filter.error.message, /port must be 0..65535/);
    assert.equal(s.view.count, 3);
  });

  test('/ from the ladder returns to its table with the box focused; q then goes to the summary', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE });
    s = run(s, 'tab', 'j', 'return');
    assert.equal(s.screen, 'detail');
    s = run(s, '/', 'port 80', 'return');
    assert.equal(s.screen, 'table');
    assert.equal(s.detail, null);
    assert.deepEqual(viewIds(s), [3]);
    s = run(s, 'q');
    assert.equal(s.screen, 'summary');
  });

  test('/ from the summary opens the table with the box focused; Esc then returns to the table', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE });
    s = run(s, '/');
    assert.equal(s.screen, 'table');
    assert.equal(s.filter.editing, true);
    s = run(s, 'escape');
    assert.equal(s.screen, 'table');
    s = run(s, 'q');
    assert.equal(s.screen, 'summary');
  });
});

describe('sort, findings only, clear', () => {
  test('s cycles the orders; state order puts CLOSE_WAIT first; the selected connection stays selected', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, 'j', 'j');
    assert.equal(s.table.selectedId, 3);
    s = run(s, 's');
    assert.equal(s.sortIndex, 1);
    assert.deepEqual(viewIds(s), [2, 1, 3], 'CLOSE_WAIT, then TIME_WAIT, then CLOSED (id order on ties)');
    assert.equal(s.table.selectedId, 3);
    assert.equal(s.table.cursor, 2);
    s = run(s, 's');
    assert.deepEqual(viewIds(s), [2, 1, 3], 'finding age descending; no finding last, ties by id');
    s = run(s, 'S', 'S');
    assert.equal(s.sortIndex, 0);
    assert.deepEqual(viewIds(s), [1, 2, 3]);
  });

  test('f keeps only connections with findings; c clears filter, scope and findings-only', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table', filter: 'port 9000' });
    s = run(s, 'f');
    assert.equal(s.findingsOnly, true);
    assert.deepEqual(viewIds(s), [2]);
    s = run(s, 'c');
    assert.equal(s.findingsOnly, false);
    assert.equal(s.filter.applied, '');
    assert.deepEqual(viewIds(s), [1, 2, 3]);
  });
});

describe('screens, back stack and effects', () => {
  test('summary → Enter on a finding → its connections → Enter → detail → q q → summary → q quits', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE });
    assert.equal(s.screen, 'summary');
    assert.equal(s.summary!.model.findings.length, 1);
    s = run(s, 'return');
    assert.equal(s.screen, 'table');
    assert.equal(s.filter.applied, 'finding fin-not-returned and host 10.0.0.5 and port 9000');
    assert.deepEqual(viewIds(s), [2]);
    s = run(s, 'return');
    assert.equal(s.screen, 'detail');
    assert.equal(s.detail!.flowId, 2);
    assert.equal(s.detail!.kept, true);
    s = run(s, 'q');
    assert.equal(s.screen, 'table');
    assert.equal(s.detail, null);
    s = run(s, 'escape');
    assert.equal(s.screen, 'summary');
    assert.equal(s.effects.length, 0);
    s = run(s, 'q');
    assert.deepEqual(s.effects.map((e) => e.kind), ['quit']);
  });

  test('Enter on an endpoint row of the state table lists that endpoint\'s connections', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE });
    const endpoints = s.summary!.model.endpoints.map((r) => r.label);
    const at = endpoints.indexOf('10.0.0.5:80');
    assert.ok(at >= 0, endpoints.join(','));
    for (let i = 0; i < s.summary!.model.findings.length + at; i++) s = run(s, 'j');
    s = run(s, 'return');
    assert.equal(s.filter.applied, 'resp host 10.0.0.5 and resp port 80');
    assert.deepEqual(viewIds(s), [3]);
  });

  test('an aggregate finding (flows list, no flow) scopes the table to its ids', () => {
    const flows = smallFlows();
    const aggregate = { ...finNotReturned(), code: 'time-wait-pile-up', severity: 'error' as const, endpoint: '10.0.0.9', flow: undefined, flows: [1, 3] };
    let s = initTuiState({ snapshot: { ...snapshotOf(flows), findings: [...flows.flatMap((f) => f.findings), aggregate] }, size: SIZE });
    assert.equal(s.summary!.model.findings[0]!.code, 'time-wait-pile-up', 'errors sort first');
    s = run(s, 'return');
    assert.equal(s.scope?.label, 'time-wait-pile-up 10.0.0.9');
    assert.deepEqual(viewIds(s), [1, 3]);
    s = run(s, 'return');
    assert.equal(s.detail!.flowId, 1);
    assert.deepEqual(s.detail!.findings.map((f) => f.code), ['time-wait-pile-up'], 'aggregate findings show on their connections');
  });

  test('d queues one write-diagram effect for the selected connection (table and detail)', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, 'j', 'd');
    assert.deepEqual(s.effects.map((e) => [e.kind, 'flowId' in e ? e.flowId : null]), [['write-diagram', 2]]);
    assert.match(s.status!.text, /connection 2/);
    s = run(s, 'return', 'd');
    assert.equal(s.effects.length, 2);
    assert.ok(s.effects[1]!.id > s.effects[0]!.id);
    s = run(s, 'j');
    assert.equal(s.status, null, 'the next key clears the message');
  });

  test('? shows help from anywhere; q returns to the same screen with the ladder kept', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, 'j', 'return', '?');
    assert.equal(s.screen, 'help');
    assert.ok(s.detail, 'detail kept under help');
    s = run(s, 'q');
    assert.equal(s.screen, 'detail');
    assert.equal(s.detail!.flowId, 2);
  });

  test('keys that arrive in one chunk ("/state CLOSE_WAIT", "jj", "qq") act one by one', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE });
    s = run(s, '/state CLOSE_WAIT');
    assert.equal(s.screen, 'table');
    assert.equal(s.filter.draft, 'state CLOSE_WAIT');
    assert.deepEqual(viewIds(s), [2]);
    s = run(s, 'return', 'c', 'jj');
    assert.equal(s.table.cursor, 2);
    s = run(s, 'return', 'qq');
    assert.equal(s.screen, 'summary');
  });

  test('Ctrl-C and Q quit from any screen, even while editing the filter', () => {
    for (const start of [['/'], ['?'], ['return']]) {
      const s = run(initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' }), ...start, 'ctrl+c');
      assert.deepEqual(s.effects.map((e) => e.kind), ['quit'], start.join());
    }
    const q = run(initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' }), 'return', 'Q');
    assert.deepEqual(q.effects.map((e) => e.kind), ['quit']);
  });

  test('keys arriving back to back act on the state each produced (no stale closures)', () => {
    // The stale-handler failure: Enter opened the previous row and q quit instead of closing.
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, 'down', 'return', 'q', 'down', 'return');
    assert.equal(s.screen, 'detail');
    assert.equal(s.detail!.flowId, 3);
    assert.equal(s.effects.length, 0);
  });
});

describe('detail scrolling and evidence', () => {
  test('n/N jump between evidence segments; scrolling is clamped to the ladder', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: { columns: 120, rows: 14 }, screen: 'table' });
    s = run(s, 'j', 'return');
    const d = s.detail!;
    assert.deepEqual(d.evidenceLines.length, 2);
    const height = 14 - 1 - 5 - 1;
    const maxTop = d.lines.length - height;
    assert.ok(maxTop > 0, 'ladder longer than the window');
    // Opens at the first evidence (2 lines of context) when it is below the first window.
    assert.equal(s.detail!.top, Math.min(maxTop, d.evidenceLines[0]! >= height ? d.evidenceLines[0]! - 2 : 0));
    s = run(s, 'g');
    assert.equal(s.detail!.top, 0);
    s = run(s, 'n');
    assert.equal(s.detail!.top, Math.min(maxTop, d.evidenceLines[0]! - 2));
    s = run(s, 'G');
    assert.equal(s.detail!.top, maxTop);
    s = run(s, 'j', 'j');
    assert.equal(s.detail!.top, maxTop);
    s = run(s, 'N');
    assert.ok(s.detail!.top < maxTop || s.status !== null);
  });
});

describe('live snapshots and resize', () => {
  test('a new snapshot recomputes the view and keeps the selected connection', () => {
    const flows = smallFlows();
    let s = initTuiState({ snapshot: snapshotOf(flows), size: SIZE, screen: 'table', filter: 'port 9000' });
    s = run(s, 'j');
    assert.equal(s.table.selectedId, 2);
    const more = [flow({ id: 1, orig_p: 50000 }), ...flows.slice(1), flow({ id: 4, orig_p: 50001 })];
    const before = more.slice(0, 1);
    s = tuiReducer(s, { type: 'snapshot', snapshot: snapshotOf([...before, ...more.slice(1)], { version: 2 }) });
    assert.deepEqual(viewIds(s), [1, 2, 4]);
    assert.equal(s.table.selectedId, 2);
    assert.equal(s.table.cursor, 1);
    // The same version again is ignored (no recompute).
    const same = tuiReducer(s, { type: 'snapshot', snapshot: snapshotOf([], { version: 2 }) });
    assert.equal(same, s);
  });

  test('when the selected connection leaves the view the cursor stays in range', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, 'G');
    s = tuiReducer(s, { type: 'snapshot', snapshot: snapshotOf(smallFlows().slice(0, 2), { version: 2 }) });
    assert.equal(s.table.cursor, 1);
    assert.equal(s.table.selectedId, 2);
  });

  test('an open ladder follows new data', () => {
    let s = initTuiState({ snapshot: snapshotOf(smallFlows()), size: SIZE, screen: 'table' });
    s = run(s, 'j', 'return');
    const lines = s.detail!.lines.length;
    const shorter = snapshotOf(smallFlows(), { version: 2, detail: () => undefined });
    s = tuiReducer(s, { type: 'snapshot', snapshot: shorter });
    assert.equal(s.screen, 'detail');
    assert.ok(s.detail!.lines.length < lines);
    assert.equal(s.detail!.kept, false);
  });

  test('resize re-lays out: the cursor stays visible in the smaller window', () => {
    let s = table(1000);
    s = run(s, 'pagedown', 'pagedown');
    const action: TuiAction = { type: 'resize', columns: 80, rows: 10 };
    s = tuiReducer(s, action);
    const h = tableBodyRows({ columns: 80, rows: 10 });
    assert.ok(s.table.cursor >= s.table.top && s.table.cursor < s.table.top + h);
    assert.equal(s.size.columns, 80);
  });
});

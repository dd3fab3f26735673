// The ink app rendered with ink-testing-library at fixed sizes: screens, virtualized rows, the
// filter's inline error, the ladder with evidence, `d`, live updates, and resize.

import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import React from 'react';
import { render as inkRender } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../src/render/tui/App.js';
import { tableBodyRows } from '../../src/render/tui/state/layout.js';
import { KEY, manyFlows, pause, smallFlows, snapshotOf, sourceOf } from './tui-fixtures.js';

afterEach(() => cleanup());

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
const SIZE = { columns: 120, rows: 24 };

async function keys(app: ReturnType<typeof render>, ...sequence: string[]) {
  for (const k of sequence) {
    app.stdin.write(k);
    await pause(15);
  }
  await pause(15);
}

test('summary: findings, then the state table per endpoint; the frame fits the terminal', async () => {
  const app = render(<App source={sourceOf(smallFlows())} size={SIZE} />);
  await pause(20);
  const frame = plain(app.lastFrame());
  const lines = frame.split('\n');
  assert.equal(lines.length, SIZE.rows - 1, 'one spare row keeps ink on its line-diff path');
  for (const l of lines) assert.ok(l.length <= SIZE.columns, `too wide: ${l}`);
  assert.match(lines[0]!, /finscope {2}test\.pcap {2}3 connections · 20 segments · 1 finding/);
  assert.match(frame, /Findings \(1\)\n› ● warning fin-not-returned 10\.0\.0\.5:9000 {2}×1/);
  assert.match(frame, /ENDPOINT\s+SIDE\s+FIN_W2\s+CLOSE_WAIT\s+TIME_WAIT\s+CLOSED\s+TOTAL/);
  assert.match(frame, /10\.0\.0\.5:9000\s+server\s+·\s+1\s+·\s+1\s+2/);
  app.unmount();
});

test('table: only the visible window of 100,000 rows renders, and it follows the cursor', async () => {
  const flows = manyFlows(100_000);
  const app = render(<App source={sourceOf(flows)} size={SIZE} initialScreen="table" />);
  await pause(20);
  const rowsOf = () => plain(app.lastFrame()).split('\n').filter((l) => /^[› ]\s*\d+ 10\.2\./.test(l));
  const idsOf = () => rowsOf().map((l) => Number(/\d+/.exec(l)![0]));
  // The cursor row is marked with › (visible without colour, e.g. under NO_COLOR).
  const cursorId = () => rowsOf().filter((l) => l.startsWith('›')).map((l) => Number(/\d+/.exec(l)![0]));
  const height = tableBodyRows(SIZE);
  assert.deepEqual(idsOf(), Array.from({ length: height }, (_, i) => i + 1));
  assert.deepEqual(cursorId(), [1]);
  await keys(app, 'j', 'j');
  assert.deepEqual(cursorId(), [3]);
  await keys(app, 'G');
  assert.deepEqual(idsOf(), Array.from({ length: height }, (_, i) => 100_000 - height + 1 + i));
  assert.deepEqual(cursorId(), [100_000]);
  await keys(app, 'g', KEY.pageDown, KEY.pageDown);
  const ids = idsOf();
  assert.equal(ids.length, height);
  assert.deepEqual(cursorId(), [2 * (height - 1) + 1]);
  assert.match(plain(app.lastFrame()), /100,000 of 100,000 · sort id/);
  app.unmount();
});

test('filter: typed live, an error shown inline where it is, rows follow the last good expression', async () => {
  const app = render(<App source={sourceOf(smallFlows())} size={SIZE} initialScreen="table" />);
  await pause(20);
  await keys(app, '/', 'state CLOSE_WAT');
  let frame = plain(app.lastFrame());
  assert.match(frame, /\/ state CLOSE_WAT▏ {2}✗ unknown state "CLOSE_WAT"/);
  const rowIds = (f: string) => f.split('\n').filter((l) => /^[› ]\s*\d+ 10\.0\.0\./.test(l)).map((l) => /\d+/.exec(l)![0]);
  assert.deepEqual(rowIds(frame), ['1', '2', '3'], 'still all rows');
  await keys(app, KEY.backspace, 'IT');
  frame = plain(app.lastFrame());
  assert.match(frame, /\/ state CLOSE_WAIT▏\s+1 of 3 · sort id/);
  assert.deepEqual(rowIds(frame), ['2']);
  await keys(app, KEY.enter);
  assert.match(plain(app.lastFrame()), /filter: state CLOSE_WAIT\s+1 of 3/);
  app.unmount();
});

test('detail: findings with their evidence, the ladder with the peer\'s FIN marked and the idle tail', async () => {
  const app = render(<App source={sourceOf(smallFlows())} size={{ columns: 120, rows: 30 }} initialScreen="table" />);
  await pause(20);
  await keys(app, 'j', KEY.enter);
  const frame = plain(app.lastFrame());
  assert.match(frame, /Connection 2 {2}10\.0\.0\.9:51300 → 10\.0\.0\.5:9000 {2}orig FIN_WAIT_2 · resp CLOSE_WAIT/);
  assert.match(frame, /● warning fin-not-returned 10\.0\.0\.5:9000 since .* evidence #3 #4/);
  assert.match(frame, /◆ +#3 +\+1\.000000 ├─ FP\. seq 1:11 ack 1 win 64240 len 10 ─+▶│/);
  assert.match(frame, /│ orig ESTABLISHED → FIN_WAIT_1 +│/);
  assert.match(frame, /│ +resp ESTABLISHED → CLOSE_WAIT │/);
  assert.match(frame, /◆ +#4 +\+1\.001000 │◀─+ \. seq 1 ack 12 win 64240 ─┤/);
  assert.match(frame, /⋯ 300\.0s idle until capture end ⋯/);
  assert.match(frame, /capture end .*: orig FIN_WAIT_2 · resp CLOSE_WAIT/);
  app.unmount();
});

test('d writes the selected connection\'s diagram and says where', async () => {
  const source = sourceOf(smallFlows());
  const written: number[] = [];
  source.writeDiagram = async (id) => {
    written.push(id);
    return `/tmp/out/finscope-connection-${id}.svg`;
  };
  const app = render(<App source={source} size={SIZE} initialScreen="table" />);
  await pause(20);
  await keys(app, 'j', KEY.enter, 'd');
  await pause(30);
  assert.deepEqual(written, [2]);
  assert.match(plain(app.lastFrame()), /wrote the ladder diagram of connection 2 to \/tmp\/out\/finscope-connection-2\.svg/);
  source.writeDiagram = async () => {
    throw new Error('disk full');
  };
  await keys(app, 'd');
  await pause(30);
  assert.match(plain(app.lastFrame()), /could not write the diagram of connection 2: disk full/);
  app.unmount();
});

test('live: rows appear as the source publishes snapshots', async () => {
  const all = smallFlows();
  const source = sourceOf([], { phase: 'live', title: 'standard input' });
  const app = render(<App source={source} size={SIZE} initialScreen="table" />);
  await pause(20);
  assert.match(plain(app.lastFrame()), /0 connections.*● live/);
  assert.match(plain(app.lastFrame()), /no connections yet/);
  source.publish(snapshotOf(all.slice(0, 1), { phase: 'live', title: 'standard input' }));
  await pause(20);
  assert.match(plain(app.lastFrame()), /1 connection · 20 segments/);
  source.publish(snapshotOf(all, { phase: 'ended', title: 'standard input' }));
  await pause(20);
  const frame = plain(app.lastFrame());
  assert.match(frame, /3 connections.*■ input ended/);
  assert.match(frame, /\s2 10\.0\.0\.9:51300\s+10\.0\.0\.5:9000\s+FIN_WAIT_2\s+CLOSE_WAIT/);
  app.unmount();
});

test('keys written back to back, with no pause, act on the state each key produced', async () => {
  const app = render(<App source={sourceOf(smallFlows())} size={SIZE} initialScreen="table" />);
  await pause(20);
  // Down, Enter (open #2), q (back), Down, Enter (open #3) in one burst.
  for (const k of [KEY.down, KEY.enter, 'q', KEY.down, KEY.enter]) app.stdin.write(k);
  await pause(40);
  assert.match(plain(app.lastFrame()), /Connection 3 {2}10\.0\.0\.7:40000/);
  app.unmount();
});

test('q on the first screen quits: the app unmounts and onQuit runs', async () => {
  let quit = 0;
  const app = render(<App source={sourceOf(smallFlows())} size={SIZE} onQuit={() => quit++} />);
  await pause(20);
  await keys(app, 'q');
  await pause(20);
  assert.equal(quit, 1);
  app.unmount();
});

/** A stdout ink can resize: ink-testing-library's has a fixed width. */
class ResizableStdout extends EventEmitter {
  columns = 120;
  rows = 24;
  isTTY = false;
  frames: string[] = [];
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
}
class KeylessStdin extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

test('resize re-lays out: the table drops columns to fit 80 columns, then gets them back', async () => {
  const stdout = new ResizableStdout();
  const app = inkRender(<App source={sourceOf(smallFlows())} initialScreen="table" />, {
    stdout: stdout as unknown as NodeJS.WriteStream, stdin: new KeylessStdin() as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false,
  });
  await pause(30);
  const header = () => plain(stdout.frames[stdout.frames.length - 1]).split('\n').find((l) => l.includes('ORIG_STATE'))!;
  assert.match(header(), /HISTORY/);
  stdout.columns = 80;
  stdout.rows = 20;
  stdout.emit('resize');
  await pause(30);
  const narrow = plain(stdout.frames[stdout.frames.length - 1]);
  assert.doesNotMatch(header(), /HISTORY/);
  assert.match(header(), /ORIG_STATE\s+RESP_STATE\s+FINDINGS/);
  assert.equal(narrow.split('\n').length, 19);
  for (const l of narrow.split('\n')) assert.ok(l.length <= 80, `too wide at 80: ${l}`);
  stdout.columns = 120;
  stdout.emit('resize');
  await pause(30);
  assert.match(header(), /HISTORY/);
  app.unmount();
});

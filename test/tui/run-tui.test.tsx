// runTuiApp end to end in process, with a fake terminal: it enters the alternate screen, runs
// until q, and leaves it; a crash inside the app rejects and still leaves it; the source is closed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { runTuiApp } from '../../src/render/tui/run-tui.js';
import { ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN } from '../../src/render/tui/alternate-screen.js';
import { FakeKeyboard, pause, smallFlows, sourceOf } from './tui-fixtures.js';

class Terminal extends EventEmitter {
  columns = 100;
  rows = 20;
  isTTY = true;
  out = '';
  write = (s: string | Uint8Array) => {
    this.out += String(s);
    return true;
  };
}
test('q: alternate screen entered first, left last; raw mode off; the source is closed', async () => {
  const stdout = new Terminal();
  const stdin = new FakeKeyboard();
  const source = sourceOf(smallFlows());
  let closed = 0;
  source.close = () => closed++;
  const run = runTuiApp({ source, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, initialScreen: 'table' });
  await pause(50);
  assert.ok(stdout.out.startsWith(ENTER_ALTERNATE_SCREEN));
  assert.match(stdout.out, /3 of 3 · sort id/);
  stdin.press('q');
  await run;
  assert.ok(stdout.out.endsWith(LEAVE_ALTERNATE_SCREEN), JSON.stringify(stdout.out.slice(-40)));
  assert.deepEqual([stdin.raw[0], stdin.raw[stdin.raw.length - 1]], [true, false]);
  assert.ok(closed >= 1);
});

test('a crash inside the app rejects runTuiApp and still restores the terminal', async () => {
  const stdout = new Terminal();
  const stdin = new FakeKeyboard();
  const source = sourceOf(smallFlows(), {
    detail: () => {
      throw new Error('detail exploded');
    },
  });
  const run = runTuiApp({ source, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, initialScreen: 'table' });
  await pause(50);
  stdin.press('\r');
  await assert.rejects(run, /detail exploded/);
  assert.ok(stdout.out.endsWith(LEAVE_ALTERNATE_SCREEN));
  assert.equal(stdin.raw[stdin.raw.length - 1], false);
});

// The terminal is restored on every way out: normal exit, SIGTERM, SIGHUP, an uncaught exception,
// and an explicit restore (which also removes the handlers). Each case runs in a child process
// whose standard output is a pipe we read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN } from '../../src/render/tui/alternate-screen.js';

const MODULE = fileURLToPath(new URL('../../src/render/tui/alternate-screen.ts', import.meta.url));

function child(body: string): Promise<{ out: string; err: string; code: number | null; signal: NodeJS.Signals | null }> {
  const script = `import { enterAlternateScreen } from ${JSON.stringify(MODULE)};\n${body}`;
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => p.on('close', (code, signal) => resolve({ out, err, code, signal })));
}

const once = (s: string, part: string) => s.split(part).length - 1;

test('normal exit leaves the alternate screen once, after the app output', async () => {
  const r = await child(`enterAlternateScreen(process.stdout); process.stdout.write('APP');`);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.startsWith(ENTER_ALTERNATE_SCREEN));
  assert.ok(r.out.endsWith(LEAVE_ALTERNATE_SCREEN), JSON.stringify(r.out));
  assert.ok(r.out.indexOf('APP') < r.out.indexOf(LEAVE_ALTERNATE_SCREEN));
  assert.equal(once(r.out, LEAVE_ALTERNATE_SCREEN), 1);
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} restores the screen, runs onSignal, and exits 128+signo`, async () => {
    const r = await child(`
      enterAlternateScreen(process.stdout, { onSignal: (s) => process.stderr.write('stopping on ' + s) });
      setInterval(() => {}, 1000);
      setTimeout(() => process.kill(process.pid, '${signal}'), 50);`);
    assert.equal(r.code, signal === 'SIGTERM' ? 143 : 129, r.err);
    assert.ok(r.out.endsWith(LEAVE_ALTERNATE_SCREEN));
    assert.match(r.err, new RegExp(`stopping on ${signal}`));
  });
}

test('an uncaught exception restores the screen before Node prints it', async () => {
  const r = await child(`enterAlternateScreen(process.stdout); setTimeout(() => { throw new Error('boom'); }, 10);`);
  assert.notEqual(r.code, 0);
  assert.ok(r.out.endsWith(LEAVE_ALTERNATE_SCREEN));
  assert.match(r.err, /Error: boom/);
});

test('restore() is idempotent and removes the handlers (a later exit writes nothing more)', async () => {
  const r = await child(`
    const count = () => ['SIGTERM', 'SIGHUP', 'SIGINT', 'exit', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e)).join(',');
    const before = count();
    const s = enterAlternateScreen(process.stdout);
    const during = count();
    s.restore(); s.restore();
    process.stdout.write('AFTER');
    process.stderr.write(before + ' ' + during + ' ' + count());`);
  assert.equal(r.code, 0);
  assert.equal(r.out, ENTER_ALTERNATE_SCREEN + LEAVE_ALTERNATE_SCREEN + 'AFTER');
  const [before, during, after] = r.err.split(' ');
  assert.notEqual(during, before);
  assert.equal(after, before);
});

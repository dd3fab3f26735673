// Test helper: runs the real binary (bin/finscope.js over dist/, which `npm test` builds first) and
// checks what reaches a terminal.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/finscope.js');
export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

export function run(args: string[], options: { input?: Buffer; cwd?: string; timeoutMs?: number } = {}): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input, encoding: 'buffer', cwd: options.cwd, timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, NO_COLOR: '1', NODE_ENV: 'production' }, maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8'), ms: performance.now() - t0 };
}

/** Like run(), but standard output is a pipe whose reader stops after `bytes` bytes (`| head -c`). */
export function runIntoClosedPipe(args: string[], bytes: number): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let got = 0;
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= bytes) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    child.on('close', (code) => resolve({ code, out: '', err, ms: performance.now() - t0 }));
  });
}

export function tmpDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Control characters other than newline: none may reach a terminal. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

export function assertTerminalSafe(what: string, text: string): void {
  const m = CONTROL.exec(text);
  assert.equal(m, null, m ? `${what}: control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 20))}` : '');
}

/** No crash: never exit 70, never a stack trace. */
export function assertNoCrash(what: string, r: Run): void {
  assert.notEqual(r.code, 70, `${what}: internal error\n${r.err}`);
  assert.doesNotMatch(r.err, /^\s+at .+[:(]\d+/m, `${what}: stack trace on stderr\n${r.err}`);
  assert.doesNotMatch(r.err, /internal error|Unhandled|triggerUncaughtException/, `${what}: ${r.err}`);
  assert.ok(r.code === 0 || r.code === 65, `${what}: exit ${r.code}\n${r.err}`);
}

// TUI benchmark (not a test): key-to-frame time in the connections table with 1,000,000
// synthetic flows, in process (ink rendering into a fake terminal, as run-tui configures it);
// and, given a capture, the real binary in tmux: start to first interactive frame, then key to
// frame as the terminal shows it.
//
//   node --import tsx test/tui/bench-tui.tsx [--flows N] [--capture FILE] [--json]
//
// Prints one line per measurement, or one JSON object with --json (for bench/run.mjs).

import { EventEmitter } from 'node:events';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import React from 'react';
import { render } from 'ink';
import { App } from '../../src/render/tui/App.js';
import { FakeKeyboard, manyFlows, sourceOf } from './tui-fixtures.js';

interface Stats { median: number; p90: number; max: number; n: number }
const stats = (xs: number[]): Stats => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: round(at(0.5)), p90: round(at(0.9)), max: round(s[s.length - 1]!), n: s.length };
};
const round = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  writes = 0;
  lastWriteAt = 0;
  write = () => {
    this.writes++;
    this.lastWriteAt = performance.now();
    return true;
  };
}
/** Key → frame written, in process, with ink's own frame throttle (maxFps 60 as run-tui sets). */
export async function measureInProcess(flowCount: number): Promise<Record<string, unknown>> {
  let t = performance.now();
  const flows = manyFlows(flowCount);
  const buildMs = performance.now() - t;
  const stdout = new FakeStdout();
  const stdin = new FakeKeyboard();
  t = performance.now();
  const app = render(<App source={sourceOf(flows)} initialScreen="table" />, {
    stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, exitOnCtrlC: false, patchConsole: false, maxFps: 60,
  });
  const firstFrameMs = performance.now() - t;
  await sleep(100);
  const cpu: number[] = [];
  const press = async (key: string): Promise<number> => {
    const before = stdout.writes;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    stdin.press(key);
    while (stdout.writes === before && performance.now() - t0 < 2000) await new Promise((r) => setImmediate(r));
    const ms = stdout.writes === before ? Number.NaN : stdout.lastWriteAt - t0; // NaN: the frame did not change
    const c = process.cpuUsage(c0);
    // CPU time does not depend on how busy the machine is; wall time does.
    if (!Number.isNaN(ms)) cpu.push((c.user + c.system) / 1000);
    await sleep(40); // one key at a time, as a person types (ink throttles bursts into one frame)
    return ms;
  };
  const perKey: Record<string, number[]> = { j: [], k: [], pagedown: [], G: [], g: [] };
  for (let i = 0; i < 60; i++) {
    perKey.j!.push(await press('j'));
    if (i % 3 === 0) perKey.pagedown!.push(await press('\x1b[6~'));
    if (i % 4 === 0) perKey.k!.push(await press('k'));
    if (i % 10 === 0) {
      perKey.G!.push(await press('G'));
      perKey.g!.push(await press('g'));
    }
  }
  const all = Object.values(perKey).flat();
  // A sort and a filter over all rows, for comparison (these recompute the view once).
  const sortMs = await press('s');
  app.unmount();
  return {
    flows: flowCount, buildFlowsMs: round(buildMs), firstFrameMs: round(firstFrameMs),
    keyToFrameMs: stats(all), cpuPerKeyMs: stats(cpu), byKey: Object.fromEntries(Object.entries(perKey).map(([k, v]) => [k, stats(v)])),
    sortByStateMs: round(sortMs),
  };
}

/** The real binary in tmux: start → first interactive frame; then, per key, the time from the
 *  key's bytes arriving to the frame written (FINSCOPE_TUI_TRACE, measured inside the process) and
 *  the time until capture-pane shows the change (includes tmux's own latency and polling). */
export async function measureInTmux(capture: string): Promise<Record<string, unknown>> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const socket = `finscope-bench-${process.pid}`;
  const traceFile = join(tmpdir(), `finscope-trace-${process.pid}.txt`);
  rmSync(traceFile, { force: true });
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const screen = () => tmux('capture-pane', '-p', '-t', 'b');
  const t0 = performance.now();
  tmux('new-session', '-d', '-s', 'b', '-x', '120', '-y', '40',
    `env -u CI FINSCOPE_TUI_TRACE=${traceFile} node ${root}bin/finscope.js tui --quiet ${capture}; echo EXITED; sleep 600`);
  try {
    while (!/\[summary\]/.test(screen())) {
      if (performance.now() - t0 > 600_000) throw new Error('no frame in 10 minutes');
      await sleep(20);
    }
    const firstFrameMs = performance.now() - t0;
    tmux('send-keys', '-t', 'b', 'Tab');
    while (!/\[connections\]/.test(screen())) await sleep(20);
    await sleep(200);
    const observed: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = screen();
      const k0 = performance.now();
      tmux('send-keys', '-t', 'b', i % 5 === 4 ? 'PageDown' : 'j');
      while (screen() === before && performance.now() - k0 < 5000) await sleep(5);
      observed.push(performance.now() - k0);
      await sleep(100);
    }
    const rows = /([\d,]+) connections/.exec(screen())?.[1];
    tmux('send-keys', '-t', 'b', 'Q');
    while (!/EXITED/.test(screen())) await sleep(20);
    const inside = existsSync(traceFile) ? readFileSync(traceFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    // The first traced key is Tab (summary → table); the rest are the 40 measured keys.
    return {
      capture, connections: rows, firstInteractiveFrameMs: round(firstFrameMs),
      keyToFrameInProcessMs: inside.length > 1 ? stats(inside.slice(1)) : null,
      keyToScreenViaTmuxMs: stats(observed),
    };
  } finally {
    tmux('kill-server');
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    rmSync(traceFile, { force: true });
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && (process.env.NODE_ENV !== 'production' || process.env.FORCE_COLOR === undefined)) {
  // As in a real terminal: colour on and React's production build (bin/finscope.js sets it). Both
  // are read when react and chalk load, before any line here runs: run again with them set.
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: process.env.FORCE_COLOR ?? '3' },
  });
  process.exit(r.status ?? 1);
} else if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const json = process.argv.includes('--json');
  const out: Record<string, unknown> = { inProcess: await measureInProcess(Number(arg('--flows') ?? 1_000_000)) };
  const capture = arg('--capture');
  if (capture) {
    if (!existsSync(capture)) throw new Error(`no capture ${capture}`);
    out.tmux = await measureInTmux(capture);
  }
  console.log(json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
  process.exit(0);
}

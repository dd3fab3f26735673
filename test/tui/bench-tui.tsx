// TUI benchmark (not a test): key-to-frame time in the connections table with 1,000,000
// synthetic flows, in process (ink rendering into a fake terminal, as run-tui configures it);
// and, given a capture, the real binary in tmux: start to first interactive frame, then key to
// frame as the terminal shows it.
//
//   node --import tsx test/tui/bench-tui.tsx [--flows N] [--capture FILE] [--json]
//
// Prints one line per measurement, or one JSON object with --json (for bench/run.mjs).

import { EventEmitter } from 'node:events';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import React from 'react';
import type { render as InkRender } from 'ink';
import type { App as TuiApp } from '../../src/render/tui/App.js';
import { manyFlows, sourceOf } from './tui-fixtures.js';

// As in a real terminal: colour on (chalk decides when ink loads), React's production build.
process.env.FORCE_COLOR ??= '3';
process.env.NODE_ENV ??= 'production';
const { render } = (await import('ink')) as { render: typeof InkRender };
const { App } = (await import('../../src/render/tui/App.js')) as { App: typeof TuiApp };

interface Stats { median: number; p90: number; max: number; n: number }
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
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
class FakeStdin extends EventEmitter {
  isTTY = true;
  private queue: string[] = [];
  setRawMode() {}
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => this.queue.shift() ?? null;
  press(s: string) {
    this.queue.push(s);
    this.emit('readable');
  }
}

/** Key → frame written, in process, with ink's own frame throttle (maxFps 60 as run-tui sets). */
export async function measureInProcess(flowCount: number): Promise<Record<string, unknown>> {
  let t = performance.now();
  const flows = manyFlows(flowCount);
  const buildMs = performance.now() - t;
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  t = performance.now();
  const app = render(<App source={sourceOf(flows)} initialScreen="table" />, {
    stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, exitOnCtrlC: false, patchConsole: false, maxFps: 60,
  });
  const firstFrameMs = performance.now() - t;
  await sleep(100);
  const press = async (key: string): Promise<number> => {
    const before = stdout.writes;
    const t0 = performance.now();
    stdin.press(key);
    while (stdout.writes === before && performance.now() - t0 < 2000) await new Promise((r) => setImmediate(r));
    const ms = stdout.lastWriteAt - t0;
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
    keyToFrameMs: stats(all), byKey: Object.fromEntries(Object.entries(perKey).map(([k, v]) => [k, stats(v)])),
    sortByStateMs: round(sortMs),
  };
}

/** The real binary in tmux: start → first interactive frame, then key → changed screen. */
export async function measureInTmux(capture: string): Promise<Record<string, unknown>> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const socket = `finscope-bench-${process.pid}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const screen = () => tmux('capture-pane', '-p', '-t', 'b');
  const t0 = performance.now();
  tmux('new-session', '-d', '-s', 'b', '-x', '120', '-y', '40', `env -u CI node ${root}bin/finscope.js tui --quiet ${capture}; sleep 600`);
  try {
    while (!/\[summary\]/.test(screen())) {
      if (performance.now() - t0 > 600_000) throw new Error('no frame in 10 minutes');
      await sleep(20);
    }
    const firstFrameMs = performance.now() - t0;
    tmux('send-keys', '-t', 'b', 'Tab');
    while (!/\[connections\]/.test(screen())) await sleep(20);
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = screen();
      const k0 = performance.now();
      tmux('send-keys', '-t', 'b', i % 5 === 4 ? 'PageDown' : 'j');
      while (screen() === before && performance.now() - k0 < 5000) { /* poll: capture-pane takes a few ms */ }
      times.push(performance.now() - k0);
      await sleep(50);
    }
    const rows = /([\d,]+) connections/.exec(screen())?.[1];
    return { capture, connections: rows, firstInteractiveFrameMs: round(firstFrameMs), keyToScreenMs: stats(times) };
  } finally {
    tmux('kill-server');
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
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

import { EventEmitter } from 'node:events';
import React from 'react';
import { render } from 'ink';
import { App } from '../../src/render/tui/App.js';
import { manyFlows, sourceOf } from './tui-fixtures.js';
class FakeStdout extends EventEmitter { columns = 120; rows = 40; isTTY = true; writes = 0; write = () => { this.writes++; return true; }; }
class FakeStdin extends EventEmitter { isTTY = true; q: string[] = []; setRawMode() {} setEncoding() {} resume() {} pause() {} ref() {} unref() {} read = () => this.q.shift() ?? null; press(s: string) { this.q.push(s); this.emit('readable'); } }
async function main() {
  const stdout = new FakeStdout(); const stdin = new FakeStdin();
  const app = render(<App source={sourceOf(manyFlows(Number(process.env.N ?? 1000)))} initialScreen={(process.env.SCREEN as any) ?? 'table'} />, { stdout: stdout as any, stdin: stdin as any, exitOnCtrlC: false, patchConsole: false, maxFps: 1000 });
  await new Promise((r) => setTimeout(r, 200));
  const cpu: number[] = [];
  for (let i = 0; i < 100; i++) {
    const c0 = process.cpuUsage(); const n = stdout.writes;
    stdin.press(i % 2 ? 'j' : 'k');
    while (stdout.writes === n) await new Promise((r) => setImmediate(r));
    const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000);
    await new Promise((r) => setTimeout(r, 20));
  }
  cpu.sort((a, b) => a - b);
  console.log('cpu ms per key: median', cpu[50]!.toFixed(2), 'p90', cpu[90]!.toFixed(2));
  app.unmount();
}
main();

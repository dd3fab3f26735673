import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/render/tui/App.js';
import { manyFlows, sourceOf, pause, KEY } from './tui-fixtures.js';
let t = performance.now();
const flows = manyFlows(Number(process.env.N ?? 1_000_000));
console.log('build flows', (performance.now() - t).toFixed(0), 'ms');
const src = sourceOf(flows);
t = performance.now();
const app = render(<App source={src} initialScreen="table" size={{ columns: 120, rows: 40 }} />);
console.log('first frame', (performance.now() - t).toFixed(0), 'ms');
async function key(k: string) {
  const n = app.frames.length;
  const t0 = performance.now();
  app.stdin.write(k);
  while (app.frames.length === n) await new Promise((r) => setImmediate(r));
  return performance.now() - t0;
}
await pause(50);
const times: number[] = [];
for (let i = 0; i < 50; i++) { times.push(await key(i % 10 === 9 ? KEY.pageDown : 'j')); await pause(5); }
times.sort((a, b) => a - b);
console.log('j/PgDn median', times[25]!.toFixed(2), 'p90', times[45]!.toFixed(2), 'max', times[49]!.toFixed(2));
for (const k of ['G', 'g', 's', 's', 's', 'f', 'f']) console.log(k, (await key(k)).toFixed(1), 'ms');
console.log('/ x', (await key('/')).toFixed(1));
for (const k of ['p','o','r','t',' ','8','0','0','1']) console.log('type', k, (await key(k)).toFixed(1), 'ms');
console.log(app.lastFrame()!.split('\n').slice(0, 5).join('\n'));
app.unmount();

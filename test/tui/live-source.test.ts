// The live source: snapshots throttled to ~5/s and spaced by their own cost, published only when
// segments arrived; the end of input (or an error) as the last snapshot; close() ends a blocked
// read. Then the real engine fed tcpdump text through a slow pipe: rows appear before the end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { analyze, buildResult, resolveOptions } from '../../src/analysis/analyze.js';
import type { AnalysisResult } from '../../src/analysis/analysis-result.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { TcpSegment } from '../../src/segment/tcp-segment.js';
import { startLiveSource, type LiveEngine } from '../../src/render/tui/data/live-source.js';
import { pause, smallFlows } from './tui-fixtures.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** A fake engine the test drives: `segment()` stands for one tracked segment. */
function fakeEngine(clock: { t: number }, snapshotCost = 0) {
  let onSegment: ((...args: never[]) => void) | undefined;
  let finish!: (r: AnalysisResult) => void;
  let fail!: (e: Error) => void;
  let snapshots = 0;
  const result = (n: number) => ({ flows: smallFlows().slice(0, n), connections: [], findings: [], captureStart: 1, captureEnd: 2, segmentCount: n, inputs: [], issues: new IssueLog(), addresses: null, options: resolveOptions({}), segments: null, tracker: null }) as unknown as AnalysisResult;
  let segments = 0;
  const engine: LiveEngine = {
    analyze: (_inputs, options) => {
      onSegment = options.onSegment as never;
      return new Promise((res, rej) => { finish = res; fail = rej; });
    },
    snapshot: () => {
      snapshots++;
      clock.t += snapshotCost;
      return result(Math.min(3, segments));
    },
  };
  return {
    engine,
    segment: () => { segments++; onSegment!(new TcpSegment() as never, 1 as never, {} as never, {} as never); },
    end: () => finish(result(3)),
    fail: (message: string) => fail(new Error(message)),
    get snapshots() { return snapshots; },
  };
}

test('publishes only after segments arrived, at most once per interval', async () => {
  const clock = { t: 0 };
  const f = fakeEngine(clock);
  const source = startLiveSource({ inputs: ['-'], analyzeOptions: {}, engine: f.engine, now: () => clock.t, intervalMs: 20, stdin: new PassThrough() });
  assert.equal(source.getSnapshot().phase, 'live');
  assert.equal(source.getSnapshot().title, 'standard input');
  await pause(40);
  assert.equal(f.snapshots, 0, 'nothing arrived: no snapshot');
  f.segment();
  f.segment();
  await pause(40);
  assert.equal(f.snapshots, 1);
  assert.equal(source.getSnapshot().flows.length, 2);
  f.segment();
  await pause(40);
  assert.equal(f.snapshots, 1, 'the clock has not moved: still inside the interval');
  clock.t += 20;
  await pause(40);
  assert.equal(f.snapshots, 2);
  assert.equal(source.getSnapshot().flows.length, 3);
  f.end();
  await source.done;
  assert.equal(source.getSnapshot().phase, 'ended');
  source.close!();
});

test('an expensive snapshot spaces the next one by LIVE_COST_FACTOR times its cost', async () => {
  const clock = { t: 0 };
  const f = fakeEngine(clock, 100);
  const source = startLiveSource({ inputs: ['-'], analyzeOptions: {}, engine: f.engine, now: () => clock.t, intervalMs: 20, stdin: new PassThrough() });
  f.segment();
  await pause(30);
  assert.equal(f.snapshots, 1);
  f.segment();
  clock.t += 299; // the last one started at 0 and took 100: the next may start at 400, not 399
  await pause(30);
  assert.equal(f.snapshots, 1);
  clock.t += 1;
  await pause(30);
  assert.equal(f.snapshots, 2);
  source.close!();
});

test('an input error ends the live view with the message; close() destroys the capture stream', async () => {
  const clock = { t: 0 };
  const f = fakeEngine(clock);
  const stdin = new PassThrough();
  const source = startLiveSource({ inputs: ['-'], analyzeOptions: {}, engine: f.engine, now: () => clock.t, intervalMs: 20, stdin });
  f.fail('"-": empty input: not a capture (0 bytes)');
  await source.done;
  const snap = source.getSnapshot();
  assert.equal(snap.phase, 'ended');
  assert.match(snap.error ?? '', /input ended with an error: "-": empty input/);
  source.close!();
  assert.equal(stdin.destroyed, true);
});

const TEXT = `${CORPUS}zeek/Traces/ssh/ssh.server-side-half-duplex.pcap.tcpdump-n.txt`;

test('real engine: tcpdump text through a slow pipe shows connections before the input ends', { skip: !existsSync(TEXT) && `corpus not found at ${CORPUS}` }, async () => {
  const lines = readFileSync(TEXT, 'utf8').split('\n').filter(Boolean).slice(0, 200);
  const stdin = new PassThrough();
  const resolved = resolveOptions({ keepSegments: true });
  const source = startLiveSource({
    inputs: ['-'],
    analyzeOptions: { stdin },
    stdin,
    intervalMs: 50,
    engine: { analyze, snapshot: (t, a) => buildResult(t, a, new IssueLog(), undefined, resolved) },
  });
  const seen: { phase: string; flows: number; segments: number }[] = [];
  source.subscribe(() => {
    const s = source.getSnapshot();
    seen.push({ phase: s.phase, flows: s.flows.length, segments: s.segmentCount });
  });
  for (let i = 0; i < lines.length; i += 10) {
    stdin.write(lines.slice(i, i + 10).join('\n') + '\n');
    await pause(15);
  }
  stdin.end();
  await source.done;
  const live = seen.filter((s) => s.phase === 'live');
  // Snapshots are spaced by their own build time, so a loaded machine gets fewer: two prove updates.
  assert.ok(live.length >= 2, `live snapshots: ${JSON.stringify(seen)}`);
  assert.ok(live[0]!.segments < lines.length, 'the first snapshot came before the input ended');
  for (let i = 1; i < live.length; i++) assert.ok(live[i]!.segments >= live[i - 1]!.segments);
  const last = seen[seen.length - 1]!;
  assert.equal(last.phase, 'ended');
  // The final picture equals a batch analysis of the same text.
  const batch = await analyze('-', { stdin: PassThrough.from([lines.join('\n') + '\n']) as unknown as NodeJS.ReadableStream });
  assert.equal(last.flows, batch.flows.length);
  assert.equal(last.segments, batch.segmentCount);
  assert.deepEqual(source.getSnapshot().flows.map((f) => [f.id, f.orig_state, f.resp_state]), batch.flows.map((f) => [f.id, f.orig_state, f.resp_state]));
  // Ladders are available while live too (keepSegments is forced on).
  assert.ok(source.getSnapshot().detail(1)!.segments.length > 0);
  source.close!();
});

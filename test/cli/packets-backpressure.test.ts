// `finscope packets` into a slow reader (a pipe into less, a slow ssh): reading must wait for the
// output instead of piling a million lines up in memory, and a reader that goes away early
// (`| head -5`) ends it quietly with exit 0. Runs the built CLI (bin/finscope.js over dist/, built
// by `npm test` first) on a capture of 1,000,000 packets from bench/gen-capture.mjs; memory is read
// from /proc (Linux), so elsewhere the memory tests are skipped.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/finscope.js');
const noProc = existsSync('/proc/self/status') && existsSync('/proc/self/stat') ? false : 'needs /proc (Linux)';
const PACKETS = 1_000_000;
const MiB = 1024 * 1024;
/** RSS allowed while the consumer reads nothing: the CLI after start-up measured ~105 MiB here;
 *  holding the whole text output (~160 MiB for these packets) would need that much more. */
const PAUSED_RSS_LIMIT = 160 * MiB;
/** Peak over the whole run: the analysis itself peaked at ~230 MiB here with stdout on /dev/null
 *  (which cannot buffer), and at ~530 MiB with an unthrottled pipe before reading waited. */
const PEAK_RSS_LIMIT = 320 * MiB;

const dir = mkdtempSync(join(tmpdir(), 'finscope-backpressure-'));
const capture = join(dir, 'small-frames.pcap');
after(() => rmSync(dir, { recursive: true, force: true }));
/** Made once, by the first test that needs it (about a second; 144 MB). */
function makeCapture(): void {
  if (existsSync(capture)) return;
  const r = spawnSync(process.execPath, [join(root, 'bench/gen-capture.mjs'), '--packets', String(PACKETS), '--frame-size', 'small', '--quiet', capture]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.ok(existsSync(capture), 'bench/gen-capture.mjs wrote nothing');
}

interface Sample { rss: number; hwm: number; cpuTicks: number }

/** The process's resident memory, its peak, and CPU time used by all its threads (clock ticks). */
function sample(pid: number): Sample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    const bytes = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
    const s = { rss: bytes('VmRSS'), hwm: bytes('VmHWM'), cpuTicks: Number(fields[11]) + Number(fields[12]) };
    return Number.isNaN(s.rss + s.hwm + s.cpuTicks) ? null : s; // a zombie has no Vm lines
  } catch {
    return null; // it has exited
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;

/**
 * Run `finscope packets ARGS` with stdout into a pipe that nobody reads until the child stops
 * using CPU (it waits for the output: the point of the test), then read it with a pause every
 * 16 MiB. Returns the child's RSS when it stalled, its peak RSS, the lines it wrote, its exit.
 */
async function runWithSlowReader(args: string[], stdinFile?: string) {
  makeCapture();
  const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
  const child = spawn(process.execPath, [bin, 'packets', ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  if (typeof stdin === 'number') closeSync(stdin);
  const stdout = child.stdout!;
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => { done = true; });

  // Phase 1: nobody reads. The child must come to a halt (CPU time flat for 600 ms) with little
  // memory; a child that buffers its output halts only once it has made all of it.
  let ticks = -1;
  let flat = 0;
  let stalled: Sample | null = null;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline && !done;) {
    await sleep(100);
    const s = sample(child.pid!);
    if (s === null) break;
    flat = s.cpuTicks === ticks ? flat + 1 : 0;
    ticks = s.cpuTicks;
    if (flat >= 6) {
      stalled = s;
      break;
    }
  }

  // Phase 2: read everything, slowly (a pause every 16 MiB), sampling the peak meanwhile.
  let bytes = 0;
  let lines = 0;
  let nextPause = 16 * MiB;
  stdout.on('data', (d: Buffer) => {
    bytes += d.length;
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    if (bytes >= nextPause) {
      nextPause += 16 * MiB;
      stdout.pause();
      setTimeout(() => stdout.resume(), 100);
    }
  });
  let peak = stalled?.hwm ?? 0;
  let cpuAtEnd = 0;
  while (!done) {
    const s = sample(child.pid!);
    if (s !== null) {
      peak = Math.max(peak, s.hwm);
      cpuAtEnd = s.cpuTicks;
    }
    await sleep(50);
  }
  const code = await exited;
  return { code, err, bytes, lines, stalled, peak, cpuAtEnd };
}

describe('finscope packets into a slow reader', { skip: noProc, timeout: 240_000 }, () => {
  const check = (t: TestContext, r: Awaited<ReturnType<typeof runWithSlowReader>>) => {
    t.diagnostic(`RSS while the reader waited: ${r.stalled ? mib(r.stalled.rss) : 'never waited'}; peak RSS: ${mib(r.peak)}; `
      + `output ${mib(r.bytes)} in ${r.lines} lines; CPU ticks at the halt ${r.stalled?.cpuTicks}, at the end ${r.cpuAtEnd}`);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.lines, PACKETS);
    assert.ok(r.stalled !== null, 'the child never stopped to wait for its reader');
    assert.ok(r.stalled.rss < PAUSED_RSS_LIMIT, `RSS ${mib(r.stalled.rss)} while the reader waited (limit ${mib(PAUSED_RSS_LIMIT)})`);
    // Most of the work came after the reader started: the halt was a wait, not the end of the work.
    assert.ok(r.cpuAtEnd > 2 * r.stalled.cpuTicks, `CPU ticks ${r.stalled.cpuTicks} before the halt, ${r.cpuAtEnd} in all`);
    assert.ok(r.peak < PEAK_RSS_LIMIT, `peak RSS ${mib(r.peak)} (limit ${mib(PEAK_RSS_LIMIT)}; the output is ${mib(r.bytes)})`);
    assert.equal(r.err, '', 'nothing on stderr (no MaxListenersExceededWarning either)');
  };

  it('a capture file (decode worker path): waits for the reader, memory stays bounded', async (t) => {
    check(t, await runWithSlowReader([capture]));
  });

  it('standard input (one-thread path): waits for the reader, memory stays bounded', async (t) => {
    check(t, await runWithSlowReader(['-'], capture));
  });
});

describe('finscope packets into a reader that goes away', () => {
  it('`| head -5` prints 5 lines and exits 0 quietly, from a file and from standard input', () => {
    makeCapture();
    for (const [what, command] of [
      ['file', `"${process.execPath}" "${bin}" packets "${capture}" | head -5; exit \${PIPESTATUS[0]}`],
      ['stdin', `"${process.execPath}" "${bin}" packets - < "${capture}" | head -5; exit \${PIPESTATUS[0]}`],
      ['ndjson', `"${process.execPath}" "${bin}" packets --format ndjson "${capture}" | head -1; exit \${PIPESTATUS[0]}`],
    ] as const) {
      const r = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${what}: exit ${r.status}: ${r.stderr}`);
      assert.equal(r.stderr, '', what);
      const lines = r.stdout.split('\n').filter((l) => l.length > 0);
      assert.equal(lines.length, what === 'ndjson' ? 1 : 5, what);
      assert.match(lines[0]!, what === 'ndjson' ? /^\{"ts":/ : /^1700000000\.\d{6} IP /, what);
    }
  });
});

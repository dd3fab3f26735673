// The real binary on damaged input, per command: exit 0 (with warnings) or 65, never a stack trace
// or exit 70, within a time budget linear in the input. Plus the output failures found while
// fuzzing (a closed pipe, a full disk, an -o path that cannot be created), kept as regressions.

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { assertNoCrash, assertTerminalSafe, run, runIntoClosedPipe, tmpDir } from '../hostile/cli-run.js';
import { conversations, writePcap, writePcapng, writeText } from './captures.js';
import { caseBudgetMs } from './run-case.js';
import { Rng } from './rng.js';

const dir = tmpDir('finscope-cli-fuzz-');
const rng = new Rng(31337, 0);
const packets = conversations(rng, 6);
const pcap = writePcap(packets, rng);
const text = writeText(packets, rng);
const ng = writePcapng(packets, rng);

function put(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function flipped(b: Buffer, every: number): Buffer {
  const c = Buffer.from(b);
  for (let i = 7; i < c.length; i += every) c[i] = c[i]! ^ 0x5a;
  return c;
}

const COMMANDS: Record<string, string[]> = {
  summary: [], flows: ['--format', 'ndjson'], packets: [], diagram: ['--timeline'], report: [],
};
const ALL = Object.keys(COMMANDS);

// [what, path, readable at all, commands]: every command meets three or four kinds of damage.
const INPUTS: Array<[string, string, boolean, string[]]> = [
  ['pcap with bit damage every 97 bytes', put('flipped.pcap', flipped(pcap, 97)), true, ALL],
  ['pcapng cut inside a block', put('cut.pcapng', ng.subarray(0, Math.floor(ng.length * 0.7) + 3)), true, ALL],
  ['gzip cut short', put('cut.pcap.gz', gzipSync(pcap).subarray(0, Math.floor(pcap.length / 4))), true, ['summary', 'packets', 'report']],
  ['text with garbage, binary and a 100 KB line', put('garbage.txt', Buffer.concat([text.subarray(0, 600), Buffer.from('\n\x00\x1b[2J garbage\n' + 'x'.repeat(100_000) + '\n'), text.subarray(600)])), true, ['flows', 'diagram', 'report']],
  ['random bytes', put('random.bin', new Rng(1, 1).bytes(5000)), false, ['summary', 'diagram']],
  ['empty file', put('empty.pcap', Buffer.alloc(0)), false, ['flows', 'packets']],
];

describe('the binary on damaged input: exit 0 or 65, no stack trace, in time', () => {
  for (const [what, path, readable, commands] of INPUTS) {
    it(what, () => {
      for (const command of commands) {
        const r = run([command, path, ...COMMANDS[command]!, '--date', '2024-01-01'], { timeoutMs: 120_000 });
        assertNoCrash(`${command} on ${what}`, r);
        assert.equal(r.code, readable ? 0 : 65, `${command} on ${what}: exit ${r.code}\n${r.err}`);
        assertTerminalSafe(`${command} stderr`, r.err);
        // Node start-up plus a budget linear in the input (generous: the machine may be busy).
        assert.ok(r.ms < 10_000 + caseBudgetMs(5000), `${command} on ${what}: ${r.ms.toFixed(0)} ms`);
      }
    });
  }

  it('standard input (a pipe) with damaged bytes', () => {
    const r = run(['summary', '-'], { input: flipped(pcap, 61) });
    assertNoCrash('summary -', r);
    assert.equal(r.code, 0, r.err);
    const bad = run(['flows', '-'], { input: Buffer.from('\x00\x01\x02 not a capture') });
    assert.equal(bad.code, 65, bad.err);
    assert.match(bad.err, /^finscope: "-": not a capture: starts with 00 01 02 /);
  });
});

describe('output failures (found while fuzzing the CLI)', () => {
  const big = put('big.pcap', writePcap(conversations(new Rng(2, 2), 400), new Rng(2, 3)));

  it('a closed pipe (`finscope packets big.pcap | head -c 100`) ends quietly with exit 0, not an EPIPE stack trace', async () => {
    const r = await runIntoClosedPipe(['packets', big], 100);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const csv = await runIntoClosedPipe(['flows', big, '--format', 'csv'], 50);
    assert.equal(csv.code, 0, csv.err);
  });

  it('-o into a directory that does not exist: a message naming the file, no unhandled error event', () => {
    for (const command of ['summary', 'packets']) {
      const r = run([command, big, '-o', join(dir, 'no-such-dir', 'out.txt')]);
      assertNoCrash(command, r);
      assert.match(r.err, /^finscope: cannot write "[^"]*no-such-dir\/out\.txt": ENOENT/, `${command}: ${r.err}`);
    }
  });

  it('a full disk (/dev/full) is an error message, not an internal error', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, () => {
    for (const command of ['flows', 'packets']) {
      const r = run([command, big, '-o', '/dev/full']);
      assertNoCrash(command, r);
      assert.match(r.err, /^finscope: cannot write "\/dev\/full": ENOSPC/, `${command}: ${r.err}`);
    }
    const d = run(['diagram', big, '--flow', '1', '-o', '/dev/full']);
    assertNoCrash('diagram', d);
    assert.match(d.err, /ENOSPC/);
  });
});

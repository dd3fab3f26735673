// The committed lab samples against the kernel truth recorded when they were captured (runs without root or tcpdump).

import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Truth } from '../../lab/truth.js';
import { analyze } from '../../src/index.js';
import { compareFlows, compareWithKernel, formatRows } from './compare.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const ANALYZE = { timeWait: 60, finTimeout: 60 };
const names = (await readdir(SAMPLES).catch(() => [] as string[]))
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => f.slice(0, -'.truth.json'.length))
  .sort();

describe('lab samples', { skip: names.length === 0 ? 'no samples/*.truth.json' : false }, () => {
  test('the required samples exist, each under 100 KB and described in samples/README.md', async () => {
    for (const required of ['forking-server', 'keepalive-idle', 'blocked-workers', 'clean-close']) {
      assert.ok(names.includes(required), `samples/${required}.truth.json`);
    }
    const readme = await readFile(join(SAMPLES, 'README.md'), 'utf8');
    for (const n of names) {
      for (const ext of ['.pcap', '.txt', '.truth.json']) {
        const { size } = await stat(join(SAMPLES, n + ext));
        assert.ok(size > 0 && size < 100_000, `samples/${n}${ext} is ${size} bytes`);
      }
      assert.match(readme, new RegExp(`\`${n}\\.pcap\``), `samples/README.md describes ${n}.pcap`);
      const truth = JSON.parse(await readFile(join(SAMPLES, `${n}.truth.json`), 'utf8')) as Truth;
      assert.ok(readme.includes(truth.command), `samples/README.md gives the lab command for ${n}: ${truth.command}`);
    }
  });

  for (const n of names) {
    test(`${n}: finscope's states at capture end are the kernel's (ss)`, async () => {
      const truth = JSON.parse(await readFile(join(SAMPLES, `${n}.truth.json`), 'utf8')) as Truth;
      const pcap = (await analyze([join(SAMPLES, `${n}.pcap`)], ANALYZE)).flows;
      const cmp = compareWithKernel(truth, pcap);
      const wrong = cmp.rows.filter((r) => r.verdict === 'wrong');
      assert.equal(wrong.length, 0, `disagreements with ss:\n${formatRows(wrong)}`);
      assert.deepEqual(cmp.closeWaitMissed, []);
      assert.deepEqual(cmp.closeWaitInvented, []);
      assert.deepEqual(cmp.extraFlows, []);
      const text = (await analyze([join(SAMPLES, `${n}.txt`)], ANALYZE)).flows;
      assert.deepEqual(compareFlows(`${n}.txt`, pcap, text), []);
    });
  }
});

// Standard input of a real process: redirected from a file (read from fd 0 directly, with a known
// size for progress) and from a pipe (a stream), plain and gzip: the same segments as the file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { collect, wireFields } from './collect-segments.js';
import { writePcap } from './capture-writer.js';
import { syntheticRecords } from './synthetic-traffic.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'finscope-stdin-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const capture = writePcap(syntheticRecords(300, 21), { linkType: 1 });
const file = join(dir, 'in.pcap');
writeFileSync(file, capture);
const gzFile = join(dir, 'in.pcap.gz');
writeFileSync(gzFile, gzipSync(capture));

// A child that reads "-" and prints its segments' wire fields and the last progress call as JSON.
const script = join(dir, 'read-stdin.mts');
writeFileSync(script, `
import { collect, wireFields } from ${JSON.stringify(pathToFileURL(join(root, 'test/capture/collect-segments.ts')).href)};
const progress = [];
const c = await collect(['-'], { onProgress: (read, total) => progress.push([read, total ?? null]) });
process.stdout.write(JSON.stringify({ segments: c.segments.map(wireFields), progress: progress.at(-1), gzip: c.summary.inputs[0].gzip }));
`);

function runChild(stdin: number | Buffer): { segments: unknown[]; progress: [number, number | null]; gzip: boolean } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    ...(typeof stdin === 'number' ? { stdio: [stdin, 'pipe', 'pipe'] } : { input: stdin }),
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('standard input of a process', () => {
  it('redirected from a file, and piped, plain and gzip: the same segments', async () => {
    const expected = (await collect([file])).segments.map(wireFields);
    for (const path of [file, gzFile]) {
      const fd = openSync(path, 'r');
      try {
        const fromFile = runChild(fd);
        assert.deepEqual(fromFile.segments, expected);
        assert.equal(fromFile.gzip, path === gzFile);
        // a redirected file has a size, so progress can say "of N"
        assert.deepEqual(fromFile.progress, [path === gzFile ? gzipSync(capture).length : capture.length, path === gzFile ? gzipSync(capture).length : capture.length]);
      } finally {
        closeSync(fd);
      }
      const piped = runChild(path === gzFile ? gzipSync(capture) : capture);
      assert.deepEqual(piped.segments, expected);
      assert.equal(piped.progress[1], null, 'a pipe has no known size');
    }
  });
});

// The detail ladder read from the engine's segment store, checked against tcpdump's own text of
// the same corpus captures (the corpus's `<capture>.tcpdump-n.txt`): for every 4-tuple, the same
// segments in the same order, with the same direction, time, flags and payload length.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/analysis/analyze.js';
import { flagString } from '../../src/segment/tcp-segment.js';
import { connectionDetail, sourceFromResult } from '../../src/render/tui/data/analysis-source.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const CAPTURES = [
  'zeek/Traces/ssh/ssh.server-side-half-duplex.pcap',
  'zeek/Traces/tcp/missing-syn.pcap',
  'zeek/Traces/tcp/retransmit-fast009.pcap',
  'zeek/Traces/tcp/ctu-64702-888.pcap',
  'zeek/Traces/tcp/one-sided-2745.pcap',
  'zeek/Traces/tcp/syn-then-stuff-then-rst.pcap',
];

interface OracleSegment { time: string; src: string; dst: string; flags: string; len: number }

/** `HH:MM:SS.uuuuuu IP a.b.c.d.port > e.f.g.h.port: Flags [S.], ..., length N` (tcpdump -n, UTC). */
function readTcpdumpText(path: string): OracleSegment[] {
  const out: OracleSegment[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(\d\d:\d\d:\d\d\.\d{6}) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\].*?, length (\d+)/.exec(line);
    if (!m) continue;
    out.push({ time: m[1]!, src: `${m[2]}:${m[3]}`, dst: `${m[4]}:${m[5]}`, flags: m[6]!, len: Number(m[7]) });
  }
  return out;
}

const timeOfDay = (epoch: number) => {
  const us = Math.round(epoch * 1e6);
  const d = new Date(Math.floor(us / 1000));
  return d.toISOString().slice(11, 19) + '.' + String(us % 1_000_000).padStart(6, '0');
};

for (const rel of CAPTURES) {
  const capture = join(CORPUS, rel);
  const oracle = capture + '.tcpdump-n.txt';
  test(`ladder segments of ${rel} match tcpdump's lines`, { skip: !existsSync(oracle) && `corpus not found at ${CORPUS} (it lives beside the repository)` }, async () => {
    const result = await analyze(capture, { keepSegments: true });
    const expected = readTcpdumpText(oracle);
    assert.ok(expected.length > 0);
    // Group the ladder rows by 4-tuple (several connections may share one), in capture order.
    const ours = new Map<string, { index: number; seg: OracleSegment }[]>();
    for (const flow of result.flows) {
      const conn = result.connections[flow.id - 1]!;
      const detail = connectionDetail(conn, flow, result.segments);
      assert.ok(detail, `connection ${flow.id} has segments`);
      assert.equal(detail.segments.length, flow.orig_pkts + flow.resp_pkts);
      assert.equal(detail.omittedSegments, 0);
      const o = `${flow.orig_h}:${flow.orig_p}`, r = `${flow.resp_h}:${flow.resp_p}`;
      const key = [o, r].sort().join(' ');
      const list = ours.get(key) ?? [];
      for (const s of detail.segments) {
        list.push({ index: s.index, seg: { time: timeOfDay(s.time), src: s.fromOrig ? o : r, dst: s.fromOrig ? r : o, flags: flagString(s.flags), len: s.len } });
      }
      ours.set(key, list);
    }
    const theirs = new Map<string, OracleSegment[]>();
    for (const s of expected) {
      const key = [s.src, s.dst].sort().join(' ');
      theirs.set(key, [...(theirs.get(key) ?? []), s]);
    }
    assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
    for (const [key, list] of ours) {
      list.sort((a, b) => a.index - b.index);
      assert.deepEqual(list.map((x) => x.seg), theirs.get(key), key);
    }
  });
}

test('sourceFromResult: details for every connection, and d writes an SVG file named after it', { skip: !existsSync(join(CORPUS, CAPTURES[0]!)) && 'corpus not found' }, async () => {
  const result = await analyze(join(CORPUS, CAPTURES[0]!), { keepSegments: true });
  const dir = mkdtempSync(join(tmpdir(), 'finscope-tui-'));
  try {
    const source = sourceFromResult(result, { diagramDir: dir });
    const snap = source.getSnapshot();
    assert.equal(snap.title, join(CORPUS, CAPTURES[0]!));
    assert.equal(snap.flows.length, result.flows.length);
    assert.equal(snap.detail(2)?.flow.id, 2);
    assert.equal(snap.detail(99999), undefined);
    const path = await source.writeDiagram!(2);
    assert.equal(path, join(dir, 'finscope-connection-2.svg'));
    assert.deepEqual(readdirSync(dir), ['finscope-connection-2.svg']);
    const svg = readFileSync(path, 'utf8');
    assert.match(svg, /<svg[\s>]/);
    assert.match(svg, /CLOSE_WAIT/);
    await assert.rejects(source.writeDiagram!(99999), /no connection 99999/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without keepSegments the ladder says nothing was kept instead of guessing', { skip: !existsSync(join(CORPUS, CAPTURES[1]!)) && 'corpus not found' }, async () => {
  const result = await analyze(join(CORPUS, CAPTURES[1]!));
  const source = sourceFromResult(result);
  assert.equal(source.getSnapshot().detail(1), undefined);
});

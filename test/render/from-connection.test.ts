// Engine → ladder model adapter: relative seq/ack as tcpdump prints them, lanes for shared endpoints,
// ghost FINs from the engine's final states.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/analysis/analyze.js';
import { AddressTable, parseV4 } from '../../src/segment/address-table.js';
import { TcpSegment, flagString, parseFlagString } from '../../src/segment/tcp-segment.js';
import { ConnectionTracker } from '../../src/tcp/connection-tracker.js';
import { STATE_NAMES } from '../../src/tcp/endpoint-state.js';
import { ENGINE_STATE_NAMES, ladderModelFromConnections, timelineModelFromConnections } from '../../src/render/svg/from-connection.js';
import { layoutLadder } from '../../src/render/svg/ladder-layout.js';
import { layoutTimeline, renderLadder, renderTimeline } from '../../src/render/svg/index.js';
import { assertRenderableSvg } from './render-helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'finscope-render-'));
after(() => rmSync(work, { recursive: true, force: true }));

function tcpdumpAvailable(): boolean {
  return spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).status === 0;
}

interface DumpLine { src: string; dst: string; flags: string; seq?: number; seqEnd?: number; ack?: number; win: number; len: number }

/** `tcpdump -n -r` (relative sequence numbers, its default) → TCP lines. */
function tcpdumpRelative(file: string): DumpLine[] {
  const r = spawnSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const out: DumpLine[] = [];
  const re = /^\S+ IP (\S+) > (\S+): Flags \[([^\]]*)\](?:, seq (\d+)(?::(\d+))?)?(?:, ack (\d+))?, win (\d+)(?:, options \[[^\]]*\])?, length (\d+)/;
  for (const line of r.stdout.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    out.push({
      src: m[1]!, dst: m[2]!.replace(/:$/, ''), flags: m[3]!,
      seq: m[4] === undefined ? undefined : Number(m[4]), seqEnd: m[5] === undefined ? undefined : Number(m[5]),
      ack: m[6] === undefined ? undefined : Number(m[6]), win: Number(m[7]), len: Number(m[8]),
    });
  }
  return out;
}

describe('engine adapter', () => {
  it('uses the engine state codes in the engine order', () => {
    assert.deepEqual([...ENGINE_STATE_NAMES], [...STATE_NAMES]);
  });

  it('gives every segment the flags, relative seq/ack, window and length tcpdump prints', { skip: tcpdumpAvailable() ? false : 'tcpdump not installed' }, async () => {
    const file = join(work, 'gen.pcap');
    const g = spawnSync(process.execPath, [join(root, 'bench/gen-capture.mjs'), '--packets', '4000', '--concurrency', '12', '--half-closed', '0.3', '--seed', '7', '--quiet', file], { encoding: 'utf8' });
    assert.equal(g.status, 0, g.stderr);
    const dump = tcpdumpRelative(file);
    const result = await analyze(file, { keepSegments: true });
    const r = result as typeof result & { connections: import('../../src/tcp/connection.js').Connection[]; segments: import('../../src/tcp/segment-store.js').SegmentStore };
    assert.ok(r.connections.length >= 10);
    let compared = 0;
    for (const conn of r.connections.slice(0, 10)) {
      const model = ladderModelFromConnections([conn], r.segments, r.addresses, r.findings, r.captureEnd);
      const c = model.connections[0]!;
      // tcpdump writes a.b.c.d.port
      const dot = (label: string) => label.replace(/:(\d+)$/, '.$1');
      const o = dot(c.origLabel), p = dot(c.respLabel);
      const lines = dump.filter((d) => (d.src === o && d.dst === p) || (d.src === p && d.dst === o));
      assert.equal(model.segments.length, lines.length, `connection #${c.id}: segment count`);
      model.segments.forEach((s, k) => {
        const d = lines[k]!;
        const where = `connection #${c.id} segment ${k}`;
        assert.equal(s.fromOrig, d.src === o, `${where}: direction`);
        assert.equal(flagString(s.flags), d.flags, `${where}: flags`);
        assert.equal(s.payloadLength, d.len, `${where}: length`);
        assert.equal(s.window, d.win, `${where}: window`);
        // tcpdump prints SYNs (and their ACK numbers) absolute, everything after relative.
        if (!d.flags.includes('S')) {
          if (d.seq !== undefined) assert.equal(s.seq, d.seq, `${where}: seq`);
          if (d.ack !== undefined) assert.equal(s.ack, d.ack, `${where}: ack`);
        }
        compared++;
      });
    }
    assert.ok(compared > 100, `compared ${compared} segments`);

    // Half-closed connections: the engine says CLOSE_WAIT at the end; the ladder owes a ghost FIN.
    const half = r.connections.find((x) => x.respState === 'CLOSE_WAIT' || x.origState === 'CLOSE_WAIT');
    assert.ok(half, 'the generator makes half-closed conversations');
    const model = ladderModelFromConnections([half], r.segments, r.addresses, r.findings, r.captureEnd);
    const page = layoutLadder(model).pages.at(-1)!;
    assert.equal(page.arrows.filter((a) => a.cls === 'ghost').length, 1);
    for (const svg of renderLadder(model)) assertRenderableSvg(svg, 'half-closed ladder');
    // And the timeline of all of them.
    const tl = timelineModelFromConnections(r.connections, r.addresses, r.findings, r.captureStart, r.captureEnd);
    assert.equal(tl.connections.length, r.connections.length);
    assertRenderableSvg(renderTimeline(tl), 'timeline');
    // The chart's "at end" counts are the engine's final states, endpoint by endpoint.
    const finals = new Map<string, number>();
    for (const f of r.flows) for (const st of [f.orig_state, f.resp_state]) if (st !== 'CLOSED') finals.set(st, (finals.get(st) ?? 0) + 1);
    const atEnd = new Map(layoutTimeline(tl).series.filter((x) => x.atEnd > 0).map((x) => [x.state as string, x.atEnd]));
    assert.deepEqual([...atEnd].sort(), [...finals].sort());
  });

  it('counts, at capture end, exactly the final states the engine reports (every lab sample)', async (t) => {
    const dir = join(root, 'samples');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort() : [];
    if (files.length === 0) { t.skip('no samples/*.pcap'); return; }
    for (const name of files) {
      const r = (await analyze(join(dir, name), { keepSegments: true })) as Awaited<ReturnType<typeof analyze>> & { connections: import('../../src/tcp/connection.js').Connection[] };
      const tl = timelineModelFromConnections(r.connections, r.addresses, r.findings, r.captureStart, r.captureEnd);
      const finals = new Map<string, number>();
      for (const f of r.flows) for (const st of [f.orig_state, f.resp_state]) if (st !== 'CLOSED') finals.set(st, (finals.get(st) ?? 0) + 1);
      const atEnd = new Map(layoutTimeline(tl).series.filter((x) => x.atEnd > 0).map((x) => [x.state as string, x.atEnd]));
      assert.deepEqual([...atEnd].sort(), [...finals].sort(), name);
    }
  });

  /** Feed hand-made segments (absolute numbers) through the real tracker. */
  function track(specs: [string, number, string, number, string, number, number, number][]) {
    const addresses = new AddressTable();
    const tracker = new ConnectionTracker({ timeWait: 60, finTimeout: 60, keepSegments: true });
    const seg = new TcpSegment();
    specs.forEach(([src, sport, dst, dport, flags, seq, ack, len], k) => {
      seg.clearOptions();
      seg.src = addresses.internV4(parseV4(src));
      seg.dst = addresses.internV4(parseV4(dst));
      seg.sport = sport; seg.dport = dport;
      seg.flags = parseFlagString(flags);
      seg.seq = seq >>> 0; seg.ack = ack >>> 0; seg.payloadLength = len; seg.window = 500;
      seg.tsSec = 1_714_564_800; seg.tsNsec = k * 1_000_000;
      tracker.add(seg);
    });
    tracker.finish();
    return { addresses, tracker };
  }

  function handshake(c: string, cp: number, s: string, sp: number, isnC: number, isnS: number): [string, number, string, number, string, number, number, number][] {
    return [
      [c, cp, s, sp, 'S', isnC, 0, 0],
      [s, sp, c, cp, 'S.', isnS, isnC + 1, 0],
      [c, cp, s, sp, '.', isnC + 1, isnS + 1, 0],
      [c, cp, s, sp, 'P.', isnC + 1, isnS + 1, 5],
      [s, sp, c, cp, '.', isnS + 1, isnC + 6, 0],
    ];
  }

  it('puts a proxy between client and server when several connections share a host', () => {
    const { addresses, tracker } = track([
      ...handshake('10.0.0.1', 40000, '10.0.0.2', 8080, 100, 9000),
      ...handshake('10.0.0.2', 50000, '10.0.0.3', 80, 4294967290, 7),
    ]);
    const model = ladderModelFromConnections(tracker.connections, tracker.segments!, addresses, [], { sec: tracker.captureEndSec, nsec: tracker.captureEndNsec });
    assert.deepEqual(model.lanes.map((l) => [l.label, l.role, l.sublabel ?? '']), [
      ['10.0.0.1:40000', 'client', ''],
      ['10.0.0.2', 'proxy', 'ports 8080, 50000'],
      ['10.0.0.3:80', 'server', ''],
    ]);
    assert.deepEqual(model.connections.map((c) => [c.origLane, c.respLane]), [[0, 1], [1, 2]]);
    // Relative numbers across the 2^32 wrap: the second client's ISN is 2^32 - 6.
    const second = model.segments.filter((s) => s.conn === 1);
    assert.deepEqual(second.map((s) => [s.seq, s.ack]), [[0, 0], [0, 1], [1, 1], [1, 1], [1, 6]]);
    assert.ok(model.title!.startsWith('2 connections'));
    for (const svg of renderLadder(model)) assertRenderableSvg(svg, 'proxy ladder');
  });

  it('keeps one lane per endpoint on loopback, where both ends share an address', () => {
    const { addresses, tracker } = track([
      ...handshake('127.0.0.1', 41000, '127.0.0.1', 9000, 1, 2),
      ...handshake('127.0.0.1', 41001, '127.0.0.1', 9000, 3, 4),
    ]);
    const model = ladderModelFromConnections(tracker.connections, tracker.segments!, addresses, [], { sec: tracker.captureEndSec, nsec: tracker.captureEndNsec });
    assert.deepEqual(model.lanes.map((l) => l.label), ['127.0.0.1:41000', '127.0.0.1:41001', '127.0.0.1:9000']);
    assert.deepEqual(model.lanes.map((l) => l.role), ['client', 'client', 'server']);
  });
});

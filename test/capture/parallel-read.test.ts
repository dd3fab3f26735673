// Reading on worker threads (readSegments' parallel path) must change nothing but the speed: the
// same segments in the same order with every field, the same summary and issues, the same errors;
// and rotated files read in parallel must give exactly the flows of one pass over their
// concatenation, connections that span the files included.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../src/analysis/analyze.js';
import { readSegments, type ReadOptions } from '../../src/capture/index.js';
import { CaptureFormatError } from '../../src/errors.js';
import { ndjsonLine } from '../../src/render/flows.js';
import { renderSummary } from '../../src/render/summary.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { collect, type SegmentSnapshot } from './collect-segments.js';
import { ethernetFrame, ipv4Packet, tcpBytes, writePcap, writePcapng, type PcapRecord } from './capture-writer.js';
import { syntheticRecords } from './synthetic-traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'finscope-parallel-'));
const tcpdumpMissing = spawnSync('tcpdump', ['--version']).error ? 'tcpdump is not installed' : false;
after(() => rmSync(dir, { recursive: true, force: true }));

function put(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Every field a reader fills, including those the snapshot helper leaves out. */
async function everything(inputs: string[], parallel: boolean, decodeWorkers?: number, gzipEngine?: ReadOptions['gzipEngine']): Promise<{ segments: (SegmentSnapshot & { kind: number; ipv: number; ok: boolean })[]; summary: unknown; issues: IssueLog }> {
  const addresses = new AddressTable();
  const issues = new IssueLog();
  const extra: { kind: number; ipv: number; ok: boolean }[] = [];
  const workers = { ...(decodeWorkers !== undefined ? { decodeWorkers } : {}), ...(gzipEngine !== undefined ? { gzipEngine } : {}) };
  const c = await collect(inputs, { parallel, addresses, issues, ...workers });
  // a second pass for the fields collect() does not snapshot (same order either way)
  const a2 = new AddressTable();
  await readSegments(inputs, { parallel, addresses: a2, issues: new IssueLog(), ...workers }, (seg) => {
    extra.push({ kind: seg.kind, ipv: seg.ipVersion, ok: seg.checksumOk });
  });
  assert.equal(extra.length, c.segments.length);
  return { segments: c.segments.map((s, i) => ({ ...s, ...extra[i]! })), summary: c.summary, issues: c.issues };
}

describe('parallel reading equals single-threaded reading', () => {
  const records = syntheticRecords(6000, 11);
  const pcap = put('mix.pcap', writePcap(records, { linkType: 1 }));

  it('one pcap file: every segment, field by field, the summary and the issues', async () => {
    const single = await everything([pcap], false);
    const parallel = await everything([pcap], true);
    assert.ok(single.segments.length > 4000, `only ${single.segments.length} segments`);
    assert.deepEqual(parallel.segments, single.segments);
    assert.deepEqual(parallel.summary, single.summary);
    assert.deepEqual([...parallel.issues.skipped], [...single.issues.skipped]);
  });

  it('several files (more than there are workers), gzip and pcapng among them, merged by time', async () => {
    const parts: string[] = [];
    for (let k = 0; k < 6; k++) {
      const mine = records.filter((_, i) => i % 6 === k);
      const name = `part-${k}`;
      if (k === 1) parts.push(put(`${name}.pcap.gz`, gzipSync(writePcap(mine, { linkType: 1 }))));
      else if (k === 2) {
        parts.push(put(`${name}.pcapng`, writePcapng([{ interfaces: [{ linkType: 1 }],
          packets: mine.map((r) => ({ interfaceId: 0, ticks: BigInt(r.sec) * 1_000_000n + BigInt(r.frac), data: r.data, origLen: r.origLen ?? r.data.length })) }])));
      } else parts.push(put(`${name}.pcap`, writePcap(mine, { linkType: 1, nano: k === 3 })));
    }
    const single = await everything(parts, false);
    // one worker merging all six itself (two cores), and three whose rings this thread merges
    for (const workers of [1, 3]) {
      const parallel = await everything(parts, true, workers);
      assert.deepEqual(parallel.segments, single.segments, `${workers} workers`);
      assert.deepEqual(parallel.summary, single.summary, `${workers} workers`);
    }
    // With a third core a decode worker has gzip inflated on a thread of its own (a worker of a
    // worker); forced here, whatever this machine has.
    const nested = await everything(parts, true, 1, 'thread');
    assert.deepEqual(nested.segments, single.segments, 'inflating on its own thread');
    assert.deepEqual(nested.summary, single.summary, 'inflating on its own thread');
  });

  it('tcpdump text (as tcpdump printed it) through the workers, with and without host names', { skip: tcpdumpMissing }, async () => {
    const text = spawnSync('tcpdump', ['-n', '-r', pcap], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
    // the same lines with host names where addresses were: names travel to the reading thread too
    const named = text.replace(/\b10\.0\.(\d+)\.(\d+)\b/g, 'host-$1-$2.example');
    for (const body of [text, named]) {
      const file = put(body === text ? 'mix.txt' : 'named.txt', body);
      const single = await everything([file], false);
      const parallel = await everything([file], true);
      assert.ok(single.segments.length > 4000);
      assert.deepEqual(parallel.segments, single.segments);
      assert.deepEqual(parallel.summary, single.summary);
    }
  });

  it('damage: a truncated file keeps what came before and reports the same issue', async () => {
    const whole = writePcap(records.slice(0, 2000), { linkType: 1 });
    const cut = put('cut.pcap', whole.subarray(0, whole.length - 37));
    const single = await everything([cut], false);
    const parallel = await everything([cut], true);
    assert.deepEqual(parallel.segments, single.segments);
    assert.deepEqual(parallel.issues.kept, single.issues.kept);
    assert.deepEqual([...parallel.issues.counts], [...single.issues.counts]);
    assert.equal(parallel.issues.counts.get('truncated-file'), 1);
  });

  it('an input that is not a capture fails the same way, before any segment is handed on', async () => {
    const junk = put('notes.txt.pcap', Buffer.from('\u0001\u0002 this is not a capture at all, just bytes\n'.repeat(40)));
    const messages: string[] = [];
    for (const parallel of [false, true]) {
      let delivered = 0;
      await assert.rejects(
        readSegments([pcap, junk], { parallel, addresses: new AddressTable(), issues: new IssueLog() }, () => { delivered++; }),
        (e: unknown) => {
          assert.ok(e instanceof CaptureFormatError, String(e));
          messages.push(e.message);
          return true;
        },
      );
      assert.equal(delivered, 0, `parallel ${parallel}: segments were handed on before the failure`);
    }
    assert.equal(messages[1], messages[0]);
  });
});

// ---- rotated captures: whole conversations, cut into files by packet count -------------------

interface Conversation { client: string; server: string; cport: number; sport: number; close: 'fin' | 'rst' | 'half' | 'open' }

/**
 * Interleaved TCP conversations (handshake, request/response with ACKs, then an orderly close, a
 * reset, a half-close that leaves the client in CLOSE_WAIT, or nothing) as pcap records in time
 * order, and for each conversation the number of packets it has.
 */
function conversations(count: number, seed: number): { records: PcapRecord[]; packets: number[]; convs: Conversation[] } {
  let state = seed;
  const rand = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const convs: Conversation[] = [];
  const scripts: Array<Array<{ fromClient: boolean; flags: number; len: number }>> = [];
  for (let i = 0; i < count; i++) {
    const close = (['fin', 'fin', 'rst', 'half', 'open'] as const)[rand(5)]!;
    convs.push({ client: `10.1.${i >> 8}.${i & 255}`, server: `192.0.2.${1 + rand(3)}`, cport: 20000 + i, sport: [80, 443, 5432][rand(3)]!, close });
    const steps = [{ fromClient: true, flags: 0x02, len: 0 }, { fromClient: false, flags: 0x12, len: 0 }, { fromClient: true, flags: 0x10, len: 0 }];
    for (let r = 1 + rand(4); r > 0; r--) {
      steps.push({ fromClient: true, flags: 0x18, len: 50 + rand(400) }, { fromClient: false, flags: 0x10, len: 0 },
        { fromClient: false, flags: 0x18, len: 100 + rand(1200) }, { fromClient: true, flags: 0x10, len: 0 });
    }
    if (close === 'fin') steps.push({ fromClient: true, flags: 0x11, len: 0 }, { fromClient: false, flags: 0x11, len: 0 }, { fromClient: true, flags: 0x10, len: 0 });
    else if (close === 'rst') steps.push({ fromClient: true, flags: 0x14, len: 0 });
    else if (close === 'half') steps.push({ fromClient: false, flags: 0x11, len: 0 }, { fromClient: true, flags: 0x10, len: 0 });
    scripts.push(steps);
  }
  const seq = convs.map(() => [1000 + rand(1e6), 5000 + rand(1e6)]);
  const next = convs.map(() => 0);
  const records: PcapRecord[] = [];
  let sec = 1_700_000_000, usec = 0;
  const active: number[] = [];
  let started = 0;
  while (started < count || active.length > 0) {
    if (started < count && (active.length < 40 || rand(4) === 0)) active.push(started++);
    const k = rand(active.length);
    const c = active[k]!;
    const step = scripts[c]![next[c]!]!;
    const conv = convs[c]!;
    const [cs, ss] = seq[c]! as [number, number];
    const mine = step.fromClient ? cs : ss, theirs = step.fromClient ? ss : cs;
    const tcp = tcpBytes({ sport: step.fromClient ? conv.cport : conv.sport, dport: step.fromClient ? conv.sport : conv.cport,
      seq: mine, ack: step.flags & 0x10 ? theirs : 0, flags: step.flags, win: 29200, payloadLength: step.len });
    const frame = ethernetFrame(0x0800, ipv4Packet({ src: step.fromClient ? conv.client : conv.server, dst: step.fromClient ? conv.server : conv.client }, tcp));
    usec += 1 + rand(2000);
    sec += Math.floor(usec / 1e6);
    usec %= 1e6;
    records.push({ sec, frac: usec, data: frame });
    const advance = step.len + (step.flags & 0x03 ? 1 : 0);
    if (step.fromClient) seq[c]![0] = cs + advance; else seq[c]![1] = ss + advance;
    if (++next[c]! === scripts[c]!.length) active.splice(k, 1);
  }
  return { records, packets: scripts.map((s) => s.length), convs };
}

describe('rotated files in parallel equal one pass over their concatenation', () => {
  const { records, packets, convs } = conversations(600, 7);
  const whole = put('all.pcap', writePcap(records, { linkType: 1 }));
  const quarter = Math.ceil(records.length / 4);
  const rotated = [0, 1, 2, 3].map((k) => put(`rot-${k}.pcap`, writePcap(records.slice(k * quarter, (k + 1) * quarter), { linkType: 1 })));

  it('the flows (ndjson) are identical, and connections spanning files are joined', async () => {
    const one = await analyze([whole], { parallel: false });
    const four = await analyze(rotated, { parallel: true });
    const oneText = one.flows.map(ndjsonLine).join('');
    const fourText = four.flows.map(ndjsonLine).join('');
    assert.equal(fourText, oneText);

    // Independent truth from construction: one flow per conversation, with all its packets.
    assert.equal(four.flows.length, convs.length);
    const spanning = new Set<number>();
    const byPort = new Map(four.flows.map((f) => [f.orig_p, f]));
    const firstFile = new Map<number, number>();
    records.forEach((r, i) => {
      const port = r.data.readUInt16BE(34);
      const cport = port >= 20000 ? port : r.data.readUInt16BE(36);
      const file = Math.floor(i / quarter);
      if (!firstFile.has(cport)) firstFile.set(cport, file);
      else if (firstFile.get(cport) !== file) spanning.add(cport);
    });
    assert.ok(spanning.size >= 10, `only ${spanning.size} conversations span two files`);
    convs.forEach((c, i) => {
      const f = byPort.get(c.cport);
      assert.ok(f, `conversation ${i} has no flow`);
      assert.equal(f.orig_pkts + f.resp_pkts, packets[i], `conversation ${i} (${c.close}${spanning.has(c.cport) ? ', spanning' : ''})`);
      assert.equal(f.orig_h, c.client);
      if (c.close === 'fin') assert.equal(f.conn_state, 'SF');
      if (c.close === 'half') assert.equal(f.orig_state, 'CLOSE_WAIT');
    });
  });

  it('the summary and its JSON are identical to a single-threaded read of the same files', async () => {
    const a = await analyze(rotated, { parallel: false });
    const b = await analyze(rotated, { parallel: true });
    assert.equal(renderSummary(b, { format: 'json' }), renderSummary(a, { format: 'json' }));
    assert.equal(renderSummary(b, { format: 'text' }), renderSummary(a, { format: 'text' }));
  });
});

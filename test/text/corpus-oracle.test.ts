// Text reader vs tcpdump itself: every tcpdump text form in the corpus, and renderings made here
// with many tcpdump options, must give the segments that `tcpdump -S -tt -n -vv` prints for the
// same capture (absolute numbers, epoch times; parsed by the independent regex parser in helpers.ts).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  compare, corpusDir, ethernetToSll2, genPcap, haveCorpus, haveTcpdump, parseOracle, readText, tcpdump,
  type CompareOptions, type TimeMode,
} from './helpers.js';

const skip = !haveTcpdump ? 'tcpdump is not installed (apt-get install tcpdump)'
  : !haveCorpus ? `the corpus is absent (expected at ${corpusDir})` : false;

const oracleCache = new Map<string, ReturnType<typeof parseOracle>>();
function oracle(capture: string, nano = false): ReturnType<typeof parseOracle> {
  const key = capture + (nano ? ' nano' : '');
  let o = oracleCache.get(key);
  if (!o) {
    o = parseOracle(tcpdump(['-S', '-tt', '-n', '-vv', ...(nano ? ['--nano'] : []), '-r', capture]));
    oracleCache.set(key, o);
  }
  return o;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Files left out of the .out comparison, with the reason. The .out files were written by tcpdump's
 * development version; the oracle here is the installed tcpdump 4.99.3.
 */
const EXCLUDED_OUT: Record<string, string> = {
  'tcpdump/tcp-handshake-micro.out': '-q: lines say only "tcp 0" (checked below: counted, no segment)',
  'tcpdump/tcp-handshake-micro-t.out': '-q (see above)',
  'tcpdump/tcp-handshake-micro-tt.out': '-q (see above)',
  'tcpdump/tcp-handshake-micro-ttt.out': '-q (see above)',
  'tcpdump/tcp-handshake-micro-tttt.out': '-q (see above)',
  'tcpdump/tcp-handshake-micro-ttttt.out': '-q (see above)',
  'tcpdump/tcp-handshake-nano.out': '-q (see above)',
  'tcpdump/tcp-handshake-nano-ttttt.out': '-q (see above)',
  'tcpdump/timestamp_invalid_nano.out': '-q (see above)',
  'tcpdump/bigtcp-ipv6.out': 'tcpdump 4.99.3 prints no TCP header for this BIG TCP packet ("[|tcp]"): no oracle',
  'tcpdump/ipv4_tcp_http_xml_tso.out': 'tcpdump 4.99.3 prints "IP bad-len 0" for this TSO packet: no oracle',
};

/** Differences between the development tcpdump that wrote a .out and 4.99.3, expected exactly. */
const VERSION_DIFFERENCES: Record<string, string[]> = {
  // The development version prints the AE flag ("e"); 4.99.3 does not know it.
  'tcpdump/heapoverflow-tcp_print.out': ['#1 flags: parsed .Ue, tcpdump .U'],
  // 4.99.3 reads packet 8 as IP-truncated (length 768, no checksum); the development version does not.
  'tcpdump/kday4.out': ['#8 length: parsed 0, tcpdump 768', '#8 checksum ok: parsed false, tcpdump true'],
};

describe('tcpdump text in the corpus', { skip }, () => {
  test('every <capture>.tcpdump-n.txt (tcpdump -nr, relative seq, UTC time of day)', async () => {
    const files = walk(corpusDir).filter((f) => f.endsWith('.tcpdump-n.txt'));
    assert.ok(files.length >= 50, `expected the corpus' reference outputs, found ${files.length}`);
    let segments = 0, estimated = 0, estimatedRight = 0;
    const failures: string[] = [];
    for (const file of files) {
      const capture = file.slice(0, -'.tcpdump-n.txt'.length);
      const o = oracle(capture);
      const r = await readText(readFileSync(file));
      const c = compare(r.segs, o, { time: 'time-of-day' });
      segments += r.segs.length;
      estimated += c.estimated;
      estimatedRight += c.estimatedRight;
      if (c.mismatches.length) failures.push(`${file.slice(corpusDir.length)}: ${c.mismatches.slice(0, 5).join('; ')}`);
      const unparsable = r.issues.counts.get('unparsable-line') ?? 0;
      if (unparsable) failures.push(`${file.slice(corpusDir.length)}: ${unparsable} unparsable lines: ${JSON.stringify(r.issues.kept)}`);
    }
    assert.deepEqual(failures, []);
    assert.ok(segments > 5000, `only ${segments} TCP segments compared`);
    // A pure ACK's seq is not printed; its estimate (the sender's next sequence number) is measured
    // against tcpdump -vv, which prints it.
    assert.ok(estimatedRight / estimated > 0.98, `pure-ACK seq estimates right ${estimatedRight}/${estimated}`);
  });

  test('every TCP .out of the tcpdump test suite (-# -n -tttt plus its options)', async () => {
    const rows = readFileSync(join(corpusDir, 'tcpdump/MANIFEST.tsv'), 'latin1').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
    let compared = 0;
    const failures: string[] = [];
    for (const row of rows) {
      const capture = row[0]!, out = row[7]!.split(';')[0]!, options = row[8]!.split(/\s+/).filter(Boolean);
      if (!out.endsWith('.out')) continue;
      const special = options.includes('SPECIAL_t');
      const opts = options.filter((x) => x !== 'SPECIAL_t');
      const nano = opts.includes('--nano');
      const o = oracle(join(corpusDir, capture), nano);
      const r = await readText(readFileSync(join(corpusDir, out)));
      if (EXCLUDED_OUT[out] !== undefined) {
        if (opts.includes('-q')) {
          // -q prints "tcp N": nothing to read, but every such line is counted.
          assert.equal(r.segs.length, 0, out);
          assert.equal(r.issues.skipped.get('text tcp -q'), o.segs.length, `${out}: -q lines counted`);
        }
        continue;
      }
      const time: TimeMode = !special ? 'epoch' : opts.includes('-t') ? 'none'
        : opts.includes('-tt') || opts.includes('-tttt') ? 'epoch'
        : opts.includes('-ttt') ? 'delta' : opts.includes('-ttttt') ? 'since-first' : 'time-of-day';
      const c = compare(r.segs, o, {
        time, nano, vv: opts.some((x) => /^-vv/.test(x)), verbose: opts.some((x) => /^-v/.test(x)),
      });
      const expected = VERSION_DIFFERENCES[out] ?? [];
      if (JSON.stringify(c.mismatches) !== JSON.stringify(expected)) failures.push(`${out} (${opts.join(' ')}): ${c.mismatches.slice(0, 5).join('; ')}`);
      if (r.issues.counts.get('unparsable-line')) failures.push(`${out}: unparsable lines ${JSON.stringify(r.issues.kept)}`);
      compared++;
    }
    assert.deepEqual(failures, []);
    assert.ok(compared >= 35, `compared ${compared} .out files`);
  });
});

// ---- renderings made here ----------------------------------------------------------------------

interface Rendering {
  name: string;
  args: string[];
  opts: CompareOptions;
  date?: string;
  /** Unparsable lines allowed per 1000 lines (-A only: a packet whose headers hold a newline byte
   *  splits its ASCII dump where nothing marks it as such). */
  unparsablePerMille?: number;
}

const RENDERINGS: Rendering[] = [
  { name: '-n', args: ['-n'], opts: { time: 'time-of-day' } },
  { name: '-n --date', args: ['-n'], opts: { time: 'time-of-day', date: '2024-05-01' }, date: '2024-05-01' },
  { name: '-n -tttt', args: ['-n', '-tttt'], opts: { time: 'epoch' } },
  { name: '-n -tt', args: ['-n', '-tt'], opts: { time: 'epoch' } },
  { name: '-n -t', args: ['-n', '-t'], opts: { time: 'none' } },
  { name: '-n -ttt', args: ['-n', '-ttt'], opts: { time: 'delta' } },
  { name: '-n -ttttt', args: ['-n', '-ttttt'], opts: { time: 'since-first' } },
  { name: '-n -v', args: ['-n', '-v'], opts: { time: 'time-of-day', verbose: true } },
  { name: '-n -vv', args: ['-n', '-vv'], opts: { time: 'time-of-day', verbose: true, vv: true } },
  { name: '-n -e', args: ['-n', '-e'], opts: { time: 'time-of-day' } },
  { name: '-n -#', args: ['-n', '-#'], opts: { time: 'time-of-day' } },
  { name: '-n -S', args: ['-n', '-S'], opts: { time: 'time-of-day', absolute: true } },
  { name: '-n -S -v -# -tttt', args: ['-n', '-S', '-v', '-#', '-tttt'], opts: { time: 'epoch', absolute: true, verbose: true } },
  { name: '-n -# -e -vv -ttttt', args: ['-n', '-#', '-e', '-vv', '-ttttt'], opts: { time: 'since-first', verbose: true, vv: true } },
  { name: '-n -t -e -v', args: ['-n', '-t', '-e', '-v'], opts: { time: 'none', verbose: true } },
  { name: '-n -A (payload as ASCII)', args: ['-n', '-A'], opts: { time: 'time-of-day' }, unparsablePerMille: 1 },
  { name: '-n -X (hex and ASCII)', args: ['-n', '-X'], opts: { time: 'time-of-day' } },
];

const CAPTURES = [
  'tcpdump/ssh.pcap', // handshake, SACK, FINs
  'tcpdump/resp_3_malicious.pcap', // starts mid-flow
  'tcpdump/ipoib.pcap', // a pure ACK records the conversation (its seq is not printed)
  'tcpdump/of13_ericsson.pcapng', // pcapng, incorrect checksums
  'zeek/Traces/tcp/retransmit-fast009.pcap', // SACK blocks
  'zeek/Traces/ftp/ipv6.pcap', // IPv6
  'zeek/Traces/pppoe-over-qinq.pcap', // PPPoE prefix, truncated-ip
  'zeek/Traces/ssh/ssh.server-side-half-duplex.pcap', // one direction only
];

const work = mkdtempSync(join(tmpdir(), 'finscope-text-'));
after(() => rmSync(work, { recursive: true, force: true }));

function generated(name: string, args: string[]): string {
  const file = join(work, name);
  if (!existsSync(file)) execFileSync(process.execPath, [genPcap, ...args, '--quiet', file]);
  return file;
}

const haveGen = existsSync(genPcap);

describe('renderings of captures made by tcpdump here', { skip }, () => {
  const captures = CAPTURES.map((c) => join(corpusDir, c));
  if (haveGen) captures.push('GEN');
  for (const r of RENDERINGS) {
    test(`tcpdump ${r.name}`, async () => {
      const failures: string[] = [];
      let segments = 0;
      for (let capture of captures) {
        if (capture === 'GEN') capture = generated('gen.pcap', ['--packets', '4000', '--concurrency', '60', '--seed', '11']);
        const text = tcpdump([...r.args, '-r', capture]);
        const res = await readText(text, { date: r.date });
        const c = compare(res.segs, oracle(capture), r.opts);
        segments += res.segs.length;
        if (c.mismatches.length) failures.push(`${capture}: ${c.mismatches.slice(0, 4).join('; ')}`);
        const unparsable = res.issues.counts.get('unparsable-line') ?? 0;
        if (unparsable > ((r.unparsablePerMille ?? 0) * res.reader.records) / 1000) {
          failures.push(`${capture}: ${unparsable} unparsable lines: ${JSON.stringify(res.issues.kept.slice(0, 3))}`);
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(segments > 3000, `${segments} segments`);
    });
  }

  test('--nano renderings of a nanosecond capture (-n --nano, -tt --nano, -ttt --nano, -ttttt --nano)', { skip: !haveGen && 'gen-pcap.mjs absent' }, async () => {
    const capture = generated('gen-ns.pcap', ['--packets', '1500', '--concurrency', '20', '--seed', '5', '--nsec']);
    const o = oracle(capture, true);
    assert.ok(o.segs.some((s) => s.nsec % 1000 !== 0), 'the capture has sub-microsecond digits');
    const cases: [string[], TimeMode][] = [[['--nano'], 'time-of-day'], [['-tt', '--nano'], 'epoch'], [['-ttt', '--nano'], 'delta'], [['-ttttt', '--nano'], 'since-first']];
    for (const [args, time] of cases) {
      const res = await readText(tcpdump(['-n', ...args, '-r', capture]));
      const c = compare(res.segs, o, { time, nano: true });
      assert.deepEqual(c.mismatches, [], args.join(' '));
    }
  });

  test('without -n: host and service names (localhost, redis) map one-to-one onto the numbers', async () => {
    for (const c of ['tcpdump/resp_3_malicious.pcap', 'tcpdump/resp_1_benchmark.pcap', 'tcpdump/of13_ericsson.pcapng']) {
      const capture = join(corpusDir, c);
      const text = tcpdump(['-r', capture]);
      const res = await readText(text);
      const cmp = compare(res.segs, oracle(capture), { time: 'time-of-day', names: true });
      assert.deepEqual(cmp.mismatches, [], c);
      if (c.includes('resp_')) {
        assert.match(text, /localhost\.redis/, 'the rendering uses names');
        assert.ok(res.segs.every((s) => s.src === 'localhost' && (s.sport === 6379 || s.dport === 6379)), 'redis -> 6379');
      }
    }
  });

  test('-i any (LINUX_SLL2): interface and direction prefixes', { skip: !haveGen && 'gen-pcap.mjs absent' }, async () => {
    const eth = generated('gen-small.pcap', ['--packets', '600', '--concurrency', '12', '--seed', '9']);
    const pick = (i: number): { ifindex: number; packetType: number } => ({ ifindex: i % 3 === 0 ? 1 : 7, packetType: i % 2 ? 4 : 0 });
    const any = join(work, 'any.pcap');
    writeFileSync(any, ethernetToSll2(readFileSync(eth), pick));
    for (const args of [['-n'], ['-n', '-e'], ['-n', '-v', '-#']]) {
      const text = tcpdump([...args, '-r', any]);
      assert.match(text, /(lo|\?) +(In|Out) /);
      const res = await readText(text);
      const c = compare(res.segs, oracle(any), { time: 'time-of-day', verbose: args.includes('-v') });
      assert.deepEqual(c.mismatches, [], args.join(' '));
      // Every packet of the synthetic capture is TCP, so segment i is packet i.
      assert.equal(res.segs.length, 600);
      res.segs.forEach((s, i) => {
        assert.equal(s.direction, pick(i).packetType, `direction of packet ${i + 1}`);
        assert.equal(s.interfaceId, pick(i).ifindex === 1 ? res.segs[0]!.interfaceId : res.segs[1]!.interfaceId);
      });
      assert.notEqual(res.segs[0]!.interfaceId, res.segs[1]!.interfaceId);
    }
  });
});

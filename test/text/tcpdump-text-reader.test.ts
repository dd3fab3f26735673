// Text reader on hand-made input: the issue 3 excerpt (absolute numbers worked out by hand), the
// prefixes and forms tcpdump prints, and damaged input (garbage, CRLF, junk, huge lines, cut lines,
// tiny chunks). Expected values come from the text itself, never from a previous run.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MAX_LINE } from '../../src/text/tcpdump-text-reader.js';
import { SYNTHETIC_PORT_BASE, portName } from '../../src/text/port-names.js';
import { corpusDir, haveCorpus, readText } from './helpers.js';
import { EXCERPT } from './issue-excerpt.js';


// By hand: client ISN C = 1383947720 (line 1, no ACK: absolute), server ISN S = 3913709618 (line 2,
// SYN+ACK: absolute, records the bases C and S). Later lines: client seq n -> C + n, ack n -> S + n;
// server seq n -> S + n, ack n -> C + n. Pure ACKs print no seq: the sender's next sequence number.
const C = 1383947720, S = 3913709618;
const EXPECTED = [
  { flags: 'S', sport: 55313, seq: C, ack: 0, len: 0, win: 32792 },
  { flags: 'S.', sport: 9000, seq: S, ack: C + 1, len: 0, win: 32768 },
  { flags: '.', sport: 55313, seq: C + 1, ack: S + 1, len: 0, win: 257 },
  { flags: 'P.', sport: 55313, seq: C + 1, ack: S + 1, len: 9, win: 257 },
  { flags: '.', sport: 9000, seq: S + 1, ack: C + 10, len: 0, win: 256 },
  { flags: 'P.', sport: 9000, seq: S + 1, ack: C + 10, len: 9, win: 256 },
  { flags: '.', sport: 55313, seq: C + 10, ack: S + 10, len: 0, win: 257 },
  { flags: 'F.', sport: 55313, seq: C + 10, ack: S + 10, len: 0, win: 257 },
  { flags: '.', sport: 9000, seq: S + 10, ack: C + 11, len: 0, win: 256 },
];
const TIMES = ['11:22:11.613144', '11:22:11.613175', '11:22:11.613192', '11:22:11.613435', '11:22:11.613446',
  '11:22:11.632594', '11:22:11.632650', '11:22:11.632732', '11:22:11.672056'];
const todNs = (hms: string): [number, number] => {
  const [h, m, rest] = hms.split(':');
  const [s, f] = rest!.split('.');
  return [Number(h) * 3600 + Number(m) * 60 + Number(s), Number(f!.padEnd(9, '0'))];
};

describe('the issue 3 excerpt', () => {
  test('nine segments, flags and absolute numbers', async () => {
    const { segs, issues } = await readText(EXCERPT);
    assert.equal(segs.length, 9);
    segs.forEach((s, i) => {
      const e = EXPECTED[i]!;
      assert.equal(s.flags, e.flags, `line ${i + 1} flags`);
      assert.equal(s.sport, e.sport, `line ${i + 1} sport`);
      assert.equal(s.seq, e.seq, `line ${i + 1} seq`);
      assert.equal(s.ack, e.ack, `line ${i + 1} ack`);
      assert.equal(s.len, e.len, `line ${i + 1} length`);
      assert.equal(s.win, e.win, `line ${i + 1} win`);
      assert.equal(s.src, '127.0.0.1');
      assert.equal(s.record, i + 1);
      const [sec, nsec] = todNs(TIMES[i]!);
      assert.deepEqual([s.sec, s.nsec], [sec, nsec], `line ${i + 1} time`);
    });
    assert.equal(segs[2]!.ack, 3913709619, 'line 3 "ack 1"');
    assert.deepEqual([segs[0]!.mss, segs[0]!.wscale, segs[0]!.sackOK, segs[0]!.ts], [16396, 7, true, '2912656137/0']);
    assert.equal(issues.counts.get('missing-date'), 1, 'time of day without a date is reported once');
    assert.equal(issues.counts.get('unparsable-line'), undefined);
  });

  test('--date anchors the time of day (UTC)', async () => {
    const { segs, issues } = await readText(EXCERPT, { date: '2024-05-01' });
    assert.equal(segs[0]!.sec, Date.UTC(2024, 4, 1, 11, 22, 11) / 1000);
    assert.equal(segs[0]!.nsec, 613144000);
    assert.equal(issues.counts.get('missing-date'), undefined);
  });

  test('the same excerpt printed with -S reads the same', async () => {
    // -S: every line absolute. Line 3 then says "ack 3913709619", which lies next to the recorded
    // base (S), so this conversation is read as absolute.
    const absolute = EXCERPT.split('\n').map((line) => line.replace(/(seq|ack) (\d+)(?::(\d+))?/g, (_m, k: string, a: string, b?: string) => {
      const sport = / (\d+) > /.exec(line.replace(/127\.0\.0\.1\./g, ' '))?.[1];
      const client = sport === '55313';
      const flags = /Flags \[([^\]]+)\]/.exec(line)?.[1] ?? '';
      if (!flags.includes('.') || flags.includes('S')) return _m; // already absolute
      const base = (k === 'seq') === client ? C : S;
      return `${k} ${Number(a) + base}${b !== undefined ? ':' + (Number(b) + base) : ''}`;
    })).join('\n');
    assert.match(absolute, /ack 3913709619/);
    const { segs, reader } = await readText(absolute);
    assert.deepEqual(segs.map((s) => [s.flags, s.seq, s.ack]), EXPECTED.map((e) => [e.flags, e.seq, e.ack]));
    assert.equal(reader.sequenceNumbering.absolute, 1);
    assert.equal(reader.sequenceNumbering.relative, 0);
  });
});

describe('relative sequence numbers', () => {
  test('a capture starting mid-flow: first ACK line absolute, later lines relative to it', async () => {
    // Line 1 records bases 1000000 (client) and 5000000-1 (server); line 2 (server) seq 1:101 ->
    // 5000000:5000100, ack 100 -> 1000100 (so the client side counts from 0, as the man page warns);
    // line 3 (client) ack 101 -> 5000100.
    const text = [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1000000:1000100, ack 5000000, win 500, length 100',
      '10:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [P.], seq 1:101, ack 100, win 500, length 100',
      '10:00:00.000003 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 101, win 500, length 0',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => [s.seq, s.ack]), [[1000000, 5000000], [5000000, 1000100], [1000100, 5000100]]);
  });

  test('an excerpt cut from relative output keeps its numbers (consistent, not absolute)', async () => {
    const text = [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 201:301, ack 51, win 500, length 100',
      '10:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [P.], seq 51:81, ack 301, win 500, length 30',
      '10:00:00.000003 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 81, win 500, length 0',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => [s.seq, s.ack]), [[201, 51], [51, 301], [301, 81]]);
  });

  test('relative SACK edges are rebuilt against the peer base', async () => {
    // Bases from the SYN+ACK: server 1000, client 700000000 (ack - 1). The client's dup ACK
    // "sack 1 {1449:2897}" covers the server's bytes 1000+1449 .. 1000+2897.
    const text = [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 700000000, win 500, length 0',
      '10:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 2000000000, ack 700000001, win 500, length 0',
      '10:00:00.000003 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1, win 500, options [nop,nop,sack 1 {1449:2897}], length 0',
    ].join('\n');
    const { segs } = await readText(text);
    assert.equal(segs[2]!.ack, 2000000001);
    assert.equal(segs[2]!.sack, '2000001449:2000002897');
  });

  test('SACK on the line that records the conversation is already relative (print-tcp.c quirk)', async () => {
    // A capture starting with a dup ACK: its ack is absolute (3000000000, base 2999999999), but its
    // SACK edges are printed relative to that base; with -S they are absolute.
    for (const [edges, label] of [['1449:2897', 'relative'], ['3000001448:3000002896', '-S']]) {
      const text = `10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 3000000000, win 500, options [nop,nop,sack 1 {${edges}}], length 0`;
      const { segs } = await readText(text);
      assert.equal(segs[0]!.ack, 3000000000, label);
      assert.equal(segs[0]!.sack, '3000001448:3000002896', label);
    }
  });

  test('numbers wrap modulo 2^32', async () => {
    const text = [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 4294967290, win 500, length 0',
      '10:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 4294967295, ack 4294967291, win 500, length 0',
      '10:00:00.000003 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:11, ack 1, win 500, length 10',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual([segs[2]!.seq, segs[2]!.ack], [4294967291, 0]);
  });

  test('a refused SYN retried: the second RST+ACK acks the new SYN, in relative and in -S output', async () => {
    // The first [R.] records the bases (server 0, client 1000). The retry SYN is absolute (no ACK);
    // the second [R.] then prints ack 5000001 - 1000 without -S, or 5000001 with -S.
    const lines = (ack: number): string => [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 500, length 0',
      '10:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [R.], seq 0, ack 1001, win 0, length 0',
      '10:00:01.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 5000000, win 500, length 0',
      `10:00:01.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [R.], seq 0, ack ${ack}, win 0, length 0`,
    ].join('\n');
    for (const ack of [5000001 - 1000, 5000001]) {
      const { segs } = await readText(lines(ack));
      assert.equal(segs[3]!.ack, 5000001, `printed ack ${ack}`);
    }
  });

  test('when a conversation cannot tell, the reading most conversations showed is used', async () => {
    // Conversation A settles the question (a handshake); conversation B's second ACK line is equally
    // far from 0 and from its base (about 1.5e9 either way), so it follows A.
    const convA = (ack: number): string[] => [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 100000000, win 500, length 0',
      '10:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 2000000000, ack 100000001, win 500, length 0',
      `10:00:00.000003 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack ${ack}, win 500, length 0`,
    ];
    const convB = [
      '10:00:00.000004 IP 10.0.0.3.40000 > 10.0.0.4.80: Flags [.], seq 100, ack 3000000001, win 500, length 0',
      '10:00:00.000005 IP 10.0.0.3.40000 > 10.0.0.4.80: Flags [.], ack 1500000000, win 500, length 0',
    ];
    const relative = await readText([...convA(1), ...convB].join('\n'));
    assert.equal(relative.segs[4]!.ack, (1500000000 + 3000000000) % 2 ** 32);
    const absolute = await readText([...convA(2000000001), ...convB].join('\n'));
    assert.equal(absolute.segs[4]!.ack, 1500000000);
  });

  test('a pure ACK that records the conversation after a bare SYN: ISN+1 is its seq', async () => {
    // The SYN+ACK was not captured. tcpdump records the client's base from the pure ACK's unprinted
    // seq (ISN+1); the data line "seq 1:27" is then ISN+1+1 .. ISN+1+27.
    const text = [
      '10:00:00.000001 IP 10.0.0.1.40000 > 10.0.0.2.22: Flags [S], seq 798232822, win 500, length 0',
      '10:00:00.000002 IP 10.0.0.1.40000 > 10.0.0.2.22: Flags [.], ack 3051049339, win 500, length 0',
      '10:00:00.000003 IP 10.0.0.1.40000 > 10.0.0.2.22: Flags [P.], seq 0:26, ack 1, win 500, length 26',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => [s.seq, s.ack]), [[798232822, 0], [798232823, 3051049339], [798232823, 3051049339]]);
  });
});

describe('line forms', () => {
  test('-v two-line IPv4 form: header line gives time and position; incorrect checksum keeps the packet', async () => {
    const text = [
      '    1  2013-10-19 15:52:49.322823 IP (tos 0x0, ttl 64, id 348, offset 0, flags [DF], proto TCP (6), length 236)',
      '    127.0.0.1.6633 > 127.0.0.1.35359: Flags [P.], cksum 0xfee0 (incorrect -> 0x21d3), seq 3305197767:3305197951, ack 3938018648, win 100, options [nop,nop,TS val 534888 ecr 533649], length 184: OpenFlow',
      '\tversion 1.3, type FLOW_MOD, length 184, xid 0x00000199',
      '    2  2013-10-19 15:52:49.362355 IP (tos 0x0, ttl 64, id 61731, offset 0, flags [DF], proto TCP (6), length 52)',
      '    127.0.0.1.35359 > 127.0.0.1.6633: Flags [.], cksum 0xfe28 (correct), ack 184, win 98, length 0',
    ].join('\n');
    const { segs, issues } = await readText(text);
    assert.equal(segs.length, 2);
    assert.equal(segs[0]!.sec, Date.UTC(2013, 9, 19, 15, 52, 49) / 1000);
    assert.equal(segs[0]!.nsec, 322823000);
    assert.equal(segs[0]!.record, 1);
    assert.equal(segs[0]!.byteOffset, 0);
    assert.equal(segs[0]!.checksumOk, false);
    assert.equal(segs[1]!.checksumOk, true);
    assert.equal(segs[1]!.record, 4);
    assert.equal(segs[1]!.ack, 3305197767 + 184); // relative to the first line's seq
    assert.equal(issues.skipped.get('text continuation'), 1);
  });

  test('-e -v header line, and a TCP header quoted in an ICMP error (tcpdump -n -vv -e output)', async () => {
    const text = [
      '00:00:01.000000 04:04:04:04:04:04 > 02:02:02:02:02:02, ethertype IPv4 (0x0800), length 82: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 68)',
      '    10.0.0.1 > 10.0.0.2: ICMP 10.0.0.3 tcp port 80 unreachable, length 48',
      '\t(tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 40)',
      '    10.0.0.2.1234 > 10.0.0.3.80: Flags [S], cksum 0x0000 (incorrect -> 0x90e0), seq 1000, win 500, length 0',
      '00:00:02.000000 04:04:04:04:04:04 > 02:02:02:02:02:02, ethertype IPv4 (0x0800), length 54: (tos 0x0, ttl 64, id 2, offset 0, flags [none], proto TCP (6), length 40)',
      '    10.0.0.2.1234 > 10.0.0.3.80: Flags [S], cksum 0x90e0 (correct), seq 1000, win 500, length 0',
    ].join('\n');
    const { segs, issues } = await readText(text);
    assert.equal(segs.length, 1);
    assert.deepEqual([segs[0]!.record, segs[0]!.sec, segs[0]!.checksumOk], [5, 2, true]);
    assert.equal(issues.skipped.get('text tcp quoted in icmp'), 1);
    assert.equal(issues.skipped.get('text non-tcp'), 1);
    assert.equal(issues.counts.get('unparsable-line'), undefined);
  });

  test('IPv6, -v one-line IPv6, extension header with ports alone, IPv4-mapped', async () => {
    const text = [
      '09:02:06.388871 lo    In  IP6 (flowlabel 0x6136f, hlim 64, next-header TCP (6) payload length: 40) ::1.34328 > ::1.9: Flags [S], cksum 0x0030 (incorrect -> 0x03e3), seq 34574996, win 65476, length 0',
      '14:13:27.172200 IP6 2604:1380:4091:ce00::d > 2604:1380:4091:ce00::b: HBH 41851 > 43913: Flags [P.], seq 592820498:592900498, ack 2512896041, win 2128, length 80000',
      '14:13:27.172300 IP6 ::ffff:10.1.2.3.443 > fe80::1:2:3:4.50000: Flags [R], seq 7, win 0, length 0',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => [s.src, s.sport, s.dst, s.dport, s.ipVersion]), [
      ['::1', 34328, '::1', 9, 6],
      ['2604:1380:4091:ce00::d', 41851, '2604:1380:4091:ce00::b', 43913, 6],
      ['::ffff:10.1.2.3', 443, 'fe80::1:2:3:4', 50000, 6],
    ]);
    assert.equal(segs[0]!.checksumOk, false);
    assert.equal(segs[0]!.direction, 0);
  });

  test('-i any interface and direction, non-Linux direction only, -e link layer', async () => {
    const text = [
      '11:00:00.000001 eth0  In  IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0',
      '11:00:00.000002 lo    Out IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [R.], seq 0, ack 2, win 0, length 0',
      '11:00:00.000003 eth0  Out IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0',
      '11:00:00.000004 In  IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0',
      '11:00:00.000005 00:11:22:33:44:55 > 66:77:88:99:aa:bb, ethertype IPv4 (0x0800), length 66: 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0',
      '11:00:00.000006 eth0  B   ifindex 2 00:11:22:33:44:55 ethertype IPv4 (0x0800), length 66: 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => s.direction), [0, 4, 4, 0, -1, 1]);
    const [eth0, lo] = [segs[0]!.interfaceId, segs[1]!.interfaceId];
    assert.notEqual(eth0, lo);
    assert.deepEqual(segs.map((s) => s.interfaceId), [eth0, lo, eth0, -1, -1, eth0]);
  });

  test('every timestamp form', async () => {
    const line = 'IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0';
    const one = async (text: string, date?: string) => (await readText(text, { date })).segs.map((s) => [s.sec, s.nsec]);
    assert.deepEqual(await one(`1418145369.924505 ${line}`), [[1418145369, 924505000]]);
    assert.deepEqual(await one(`2014-12-09 17:16:09.924505 ${line}`), [[1418145369, 924505000]]);
    assert.deepEqual(await one(`17:16:09.924505488 ${line}`), [[62169, 924505488]]);
    assert.deepEqual(await one(`    7  17:16:09.924505 ${line}`), [[62169, 924505000]]);
    assert.deepEqual(await one(`${line}\n${line}`, '2014-12-09'), [[1418083200, 0], [1418083200, 0]]);
    // -ttt: deltas since the previous packet (they go down: 0.5 then 0.25)
    assert.deepEqual(await one(` 00:00:00.000000 ${line}\n 00:00:00.500000 ${line}\n 00:00:00.250000 ${line}\n-00:00:00.100000 ${line}`),
      [[0, 0], [0, 500000000], [0, 750000000], [0, 650000000]]);
    // -ttttt with -#: since the first packet, three spaces after the number
    assert.deepEqual(await one(`    1   00:00:00.000000 ${line}\n    2   00:00:00.127522 ${line}\n    3   00:00:00.127610 ${line}`),
      [[0, 0], [0, 127522000], [0, 127610000]]);
  });

  test('a day rollover in time-of-day input advances the date; a late packet stays on its day', async () => {
    const line = 'IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0';
    const { segs } = await readText([`23:59:59.900000 ${line}`, `00:00:00.100000 ${line}`, `23:59:59.950000 ${line}`, `00:00:01.000000 ${line}`].join('\n'), { date: '2024-12-31' });
    const d = Date.UTC(2024, 11, 31) / 1000;
    assert.deepEqual(segs.map((s) => s.sec), [d + 86399, d + 86400, d + 86399, d + 86401]);
  });

  test('all flag letters, [none], urgent pointer, options', async () => {
    const text = [
      '10:00:00.000001 IP 10.0.0.2.6260 > 10.128.0.2.80: Flags [FSRP.UEW], seq 576462951, ack 486026015, win 512, urg 0, length 0',
      '10:00:00.000002 IP 10.0.0.2.6261 > 10.128.0.2.80: Flags [none], seq 5, win 512, length 0',
      '10:00:00.000003 IP 10.0.0.2.6262 > 10.128.0.2.80: Flags [SEW], seq 9, win 512, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8,mptcp 4 capable v1 flags [H],unknown-99 0x01], length 0',
      '10:00:00.000004 IP 10.0.0.2.6263 > 10.128.0.2.80: Flags [.Ue], seq 5:6, ack 9, win 512, urg 3, options [unknown-48 0x3030 [|tcp]',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => s.flags), ['FSRP.UEW', 'none', 'SEW', '.Ue']);
    assert.equal(segs[0]!.urg, 0);
    assert.deepEqual([segs[2]!.mss, segs[2]!.wscale, segs[2]!.sackOK, segs[2]!.ts], [1460, 8, true, '1/0']);
    assert.deepEqual([segs[3]!.urg, segs[3]!.len, segs[3]!.truncated], [3, 1, true]);
  });

  test('snaplen marks: "[|tcp]" and "truncated-ip" mean cut, an application\'s "[|resp]" does not', async () => {
    const text = [
      '22:13:20.083076 IP 10.0.0.1.51008 > 10.0.0.2.6379: Flags [P.], seq 1:922, ack 1, win 1135, length 921: RESP [|resp]',
      '22:03:19.190965 IP 10.0.0.2.80 > 10.0.0.1.52875: Flags [R.], seq 1617159969:1617160027, ack 1936660873, win 5785, length 58 [|tcp]',
      '23:52:05.672232 IP truncated-ip - 768 bytes missing! 10.0.0.1.50079 > 10.0.0.2.22: Flags [.], seq 0:768, ack 1, win 4094, length 768 [|ssh]',
    ].join('\n');
    const { segs } = await readText(text);
    assert.deepEqual(segs.map((s) => s.truncated), [false, true, true]);
  });

  test('without -n: host names kept verbatim, service names to numbers or stable synthetic ports', async () => {
    const text = [
      '12:00:00.000001 IP ip-172-31-24-254.eu-west-1.compute.internal.ddi-tcp-1 > ip-10-0-0-7.ec2.internal.48812: Flags [F.], seq 5, ack 9, win 10, length 0',
      '12:00:00.000002 IP localhost.http > localhost.emcrmirccd: Flags [P.], seq 1:2, ack 1, win 10, length 1',
      '12:00:00.000003 IP localhost.emcrmirccd > localhost.http: Flags [.], ack 2, win 10, length 0',
    ].join('\n');
    const { segs } = await readText(text);
    assert.equal(segs[0]!.src, 'ip-172-31-24-254.eu-west-1.compute.internal');
    assert.equal(segs[0]!.sport, 8888);
    assert.equal(segs[0]!.dst, 'ip-10-0-0-7.ec2.internal');
    assert.equal(segs[1]!.sport, 80);
    assert.equal(segs[1]!.dport, 'emcrmirccd', 'portName gives the name back');
    assert.equal(segs[2]!.sport, 'emcrmirccd');
  });

  test('synthetic port numbers are >= 65536 and stable', async () => {
    const a = await readText('12:00:00.000001 IP a.some-service > b.other-service: Flags [S], seq 1, win 1, length 0');
    const b = await readText('12:00:00.000001 IP c.some-service > d.80: Flags [S], seq 1, win 1, length 0');
    assert.equal(a.segs[0]!.sport, 'some-service');
    assert.equal(b.segs[0]!.sport, 'some-service');
    let n = -1;
    for (let p = SYNTHETIC_PORT_BASE; p < SYNTHETIC_PORT_BASE + 1000; p++) if (portName(p) === 'some-service') n = p;
    assert.ok(n >= SYNTHETIC_PORT_BASE);
    assert.equal(portName(443), undefined);
  });
});

describe('lines without a TCP segment', () => {
  test('-q, other protocols, hex dumps, continuation lines and tcpdump messages are counted, not reported', async () => {
    const text = [
      'reading from file x.pcap, link-type EN10MB (Ethernet), snapshot length 65535',
      '    1  17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0',
      '17:16:09.924505 IP 192.168.1.1.53 > 192.168.1.2.40000: 1234+ A? example.com. (29)',
      '17:16:09.924506 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28',
      'IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64',
      '\t0x0000:  4500 0034 0000 4000 4006 0000 7f00 0001  E..4..@.@.......',
      '17:16:09.924507 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 1, win 1, length 0',
      '\tversion 1.3, type FLOW_MOD, length 184, Flags [T]: IGP',
      '17:16:09.924508 IP 48.48.48.48.12336 > 48.48.48.48.12336:  [|tcp]',
      '3 packets captured',
      '',
    ].join('\n');
    const { segs, issues } = await readText(text);
    assert.equal(segs.length, 1);
    assert.equal(issues.counts.get('unparsable-line'), undefined, JSON.stringify(issues.kept));
    assert.equal(issues.skipped.get('text tcp -q'), 1);
    assert.equal(issues.skipped.get('text non-tcp'), 3);
    assert.equal(issues.skipped.get('text hex dump'), 1);
    assert.equal(issues.skipped.get('text continuation'), 1);
    assert.equal(issues.skipped.get('text tcp header not printed'), 1);
    assert.equal(issues.skipped.get('text tcpdump message'), 2);
  });

  test('garbage lines are reported with their line numbers and do not stop the read', async () => {
    const text = [
      'hello world',
      EXCERPT.split('\n')[0],
      'this is not tcpdump',
      '10:00:00.000001 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [SX], seq 1, win 1, length 0',
      EXCERPT.split('\n')[1],
    ].join('\n');
    const { segs, issues } = await readText(text);
    assert.equal(segs.length, 2);
    assert.deepEqual(segs.map((s) => s.record), [2, 5]);
    assert.equal(issues.counts.get('unparsable-line'), 3);
    const lines = issues.kept.filter((i) => i.code === 'unparsable-line');
    assert.deepEqual(lines.map((i) => i.line), [1, 3, 4]);
    assert.equal(lines[0]!.byteOffset, 0);
    assert.match(lines[2]!.detail, /flag letter/);
  });

  test('CRLF, leading spaces, tabs and a byte order mark from pastes', async () => {
    const pasted = '\ufeff' + EXCERPT.split('\n').filter(Boolean).map((l, i) => (i % 2 ? '    ' : '\t') + l).join('\r\n') + '\r\n';
    const plain = await readText(EXCERPT);
    const got = await readText(Buffer.from(pasted, 'utf8'));
    assert.deepEqual(got.segs.map((s) => [s.flags, s.seq, s.ack, s.win, s.len, s.sec, s.nsec]),
      plain.segs.map((s) => [s.flags, s.seq, s.ack, s.win, s.len, s.sec, s.nsec]));
    assert.equal(got.issues.counts.get('unparsable-line'), undefined);
  });

  test('binary junk never throws and leaves the good lines', async () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const junk = Buffer.alloc(300000);
    for (let i = 0; i < junk.length; i++) junk[i] = rnd();
    const data = Buffer.concat([junk, Buffer.from('\n' + EXCERPT), junk.subarray(0, 5000), Buffer.from('\n' + EXCERPT.split('\n')[8])]);
    const { segs, issues } = await readText(data);
    assert.ok(segs.length >= 10, `${segs.length} segments`);
    assert.deepEqual(segs.slice(0, 9).map((s) => s.flags), EXPECTED.map((e) => e.flags));
    assert.ok((issues.counts.get('unparsable-line') ?? 0) > 0);
  });

  test('an enormous line: read up to MAX_LINE, the rest skipped with an issue', async () => {
    const lines = EXCERPT.split('\n');
    const huge = lines[3] + ': ' + 'x'.repeat(3 * MAX_LINE);
    const garbage = 'y'.repeat(5 * MAX_LINE); // no newline for 320 KiB
    const text = [lines[0], lines[1], lines[2], huge, garbage, lines[4], ''].join('\n');
    for (const window of [undefined, 4096]) {
      const { segs, issues } = await readText(text, { window, chunk: 10000 });
      assert.deepEqual(segs.map((s) => s.flags), ['S', 'S.', '.', 'P.', '.'], `window ${window}`);
      assert.equal(segs[3]!.len, 9);
      assert.equal(segs[4]!.ack, C + 10);
      assert.equal(segs[4]!.record, 6);
      assert.equal(issues.counts.get('other'), 2);
    }
  });

  test('a line cut at the end of the input', async () => {
    const lines = EXCERPT.split('\n');
    const cut = lines[3]!.slice(0, lines[3]!.indexOf('TS val') + 9);
    const kept = await readText([lines[0], lines[1], lines[2], cut].join('\n'));
    assert.equal(kept.segs.length, 4);
    assert.deepEqual([kept.segs[3]!.seq, kept.segs[3]!.len, kept.segs[3]!.truncated], [C + 1, 9, true]);
    assert.equal(kept.issues.counts.get('truncated-file'), 1);
    const lost = await readText([lines[0], lines[1], lines[2], lines[3]!.slice(0, 80)].join('\n'));
    assert.equal(lost.segs.length, 3);
    assert.equal(lost.issues.counts.get('unparsable-line'), 1);
    // A last line without a newline but complete is fine.
    const complete = await readText(EXCERPT.trimEnd());
    assert.equal(complete.segs.length, 9);
    assert.equal(complete.issues.counts.get('truncated-file'), undefined);
  });
});

describe('random damage', () => {
  test('mutated lines never throw; every line is counted once; segments never exceed lines', async () => {
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const base = Buffer.from(EXCERPT + EXCERPT.replace(/IP 127\.0\.0\.1/g, 'IP6 ::1').replace(/ 127\.0\.0\.1\./g, ' ::1.'), 'latin1');
    const alphabet = Buffer.from('0123456789.:[]{}, >-|SFRP.UEWenoptsackwinlengthIP6\t\r\n\x00\xff', 'latin1');
    for (let round = 0; round < 300; round++) {
      const data = Buffer.from(base);
      for (let k = 1 + rnd(8); k > 0; k--) data[rnd(data.length)] = alphabet[rnd(alphabet.length)]!;
      const cut = rnd(4) === 0 ? data.subarray(0, rnd(data.length)) : data;
      const lines = cut.length === 0 ? 0 : cut.toString('latin1').split('\n').length - (cut[cut.length - 1] === 10 ? 1 : 0);
      const r = await readText(cut, { chunk: 1 + rnd(64), window: 64 });
      assert.equal(r.reader.records, lines, `round ${round}`);
      assert.ok(r.segs.length <= lines);
      for (const s of r.segs) {
        assert.ok(s.seq >= 0 && s.seq < 2 ** 32 && s.ack >= 0 && s.ack < 2 ** 32, `round ${round}: numbers in range`);
        assert.ok(s.nsec >= 0 && s.nsec < 1e9, `round ${round}: nanoseconds in range`);
      }
    }
  });
});

describe('streaming', () => {
  const sample = (): string => {
    if (haveCorpus) return readFileSync(join(corpusDir, 'tcpdump/of13_ericsson-v.out'), 'latin1') + EXCERPT;
    return EXCERPT.repeat(20);
  };

  test('tiny chunks through StreamByteSource give the same segments and issues', async () => {
    const text = sample() + 'garbage at the end';
    const whole = await readText(text);
    for (const chunk of [1, 3, 17, 4096]) {
      const got = await readText(text, { stream: true, chunk, window: 256 });
      assert.deepEqual(got.segs, whole.segs, `chunk ${chunk}`);
      assert.deepEqual([...got.issues.counts], [...whole.issues.counts], `chunk ${chunk}`);
      assert.deepEqual([...got.issues.skipped], [...whole.issues.skipped], `chunk ${chunk}`);
      assert.equal(got.reader.records, whole.reader.records);
    }
    assert.ok(whole.segs.length > 100 || !haveCorpus);
  });
});

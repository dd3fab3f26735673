// `finscope packets` lines: the text form must read like tcpdump -S -tt -n's own line for the same
// packet (options aside: we list them in a fixed order, without NOPs), the NDJSON form must carry
// exactly the contract's keys.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readSegments } from '../../src/capture/index.js';
import { formatPacketNdjson, formatPacketText } from '../../src/render/packets.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { ACK, PSH, TcpSegment } from '../../src/segment/tcp-segment.js';
import { writePcap } from '../capture/capture-writer.js';
import { syntheticRecords } from '../capture/synthetic-traffic.js';
import { runTcpdump, tcpdumpMissing } from './tcpdump-oracle.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'finscope-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const synthetic = join(dir, 'synthetic.pcap');
writeFileSync(synthetic, writePcap(syntheticRecords(300, 5), { linkType: 1 }));

async function textLines(path: string): Promise<string[]> {
  const addresses = new AddressTable();
  const lines: string[] = [];
  await readSegments([path], { addresses, issues: new IssueLog() }, (seg) => lines.push(formatPacketText(seg, addresses, 1)));
  return lines;
}

/** Drop the options list (order and NOPs differ by design) and what tcpdump prints after the length. */
function comparable(line: string): string {
  return line.replace(/, options \[.*?\](?=, length )/, '').replace(/(, length \d+).*$/, '$1');
}

describe('text lines read like tcpdump -S -tt -n', { skip: tcpdumpMissing() ?? false }, () => {
  const files: Array<[string, string | false]> = [
    ['synthetic (IPv4, IPv6, VLAN, snap-length cuts)', synthetic],
    ['zeek ssh.pcap', existsSync(CORPUS) ? `${CORPUS}zeek/Traces/ssh/ssh.pcap` : false],
    ['suricata community-id-ipv6', existsSync(CORPUS) ? `${CORPUS}other/suricata-verify/community-id-ipv6/input.pcap` : false],
    ['tcpdump tcp_eight_lowest_weight_flags_set (all flags, urg)', existsSync(CORPUS) ? `${CORPUS}tcpdump/tcp_eight_lowest_weight_flags_set.pcap` : false],
  ];
  for (const [name, path] of files) {
    it(name, { skip: path === false ? 'corpus not present' : false }, async () => {
      const ours = (await textLines(path as string)).map(comparable);
      const theirs = runTcpdump(path as string).split('\n').filter((l) => l.includes(' Flags [')).map(comparable);
      assert.ok(ours.length > 0);
      assert.deepEqual(ours, theirs);
    });
  }
});

describe('NDJSON lines', () => {
  it('carry exactly the contract keys, in order, with ts at six decimals', async () => {
    const addresses = new AddressTable();
    const lines: string[] = [];
    const segments: Array<{ seq: number; ack: number; len: number; sport: number }> = [];
    await readSegments([synthetic], { addresses, issues: new IssueLog() }, (seg) => {
      lines.push(formatPacketNdjson(seg, addresses, 42));
      segments.push({ seq: seg.seq, ack: seg.ack, len: seg.payloadLength, sport: seg.sport });
    });
    assert.ok(lines.length > 200);
    lines.forEach((line, i) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(o), ['ts', 'src', 'sport', 'dst', 'dport', 'flags', 'seq', 'ack', 'win', 'len', 'flow']);
      assert.match(line, /^\{"ts":\d+\.\d{6},/);
      assert.equal(o.flow, 42);
      assert.deepEqual([o.seq, o.ack, o.len, o.sport], [segments[i]!.seq, segments[i]!.ack, segments[i]!.len, segments[i]!.sport]);
    });
  });

  it('escapes host names (from tcpdump text without -n) and formats flags and time', () => {
    const addresses = new AddressTable();
    const seg = new TcpSegment();
    seg.src = addresses.internName('we"ird\\host');
    seg.dst = addresses.internV4(0x0a000002);
    seg.sport = 1234; seg.dport = 80; seg.flags = PSH | ACK; seg.seq = 4294967295; seg.ack = 1; seg.window = 3; seg.payloadLength = 2;
    seg.tsSec = 1700000000; seg.tsNsec = 5_000;
    const line = formatPacketNdjson(seg, addresses, 7);
    assert.equal(line, '{"ts":1700000000.000005,"src":"we\\"ird\\\\host","sport":1234,"dst":"10.0.0.2","dport":80,"flags":"P.","seq":4294967295,"ack":1,"win":3,"len":2,"flow":7}');
    assert.deepEqual(JSON.parse(line).src, 'we"ird\\host');
    assert.equal(formatPacketText(seg, addresses, 7), '1700000000.000005 IP we"ird\\host.1234 > 10.0.0.2.80: Flags [P.], seq 4294967295:1, ack 1, win 3, length 2');
  });
});

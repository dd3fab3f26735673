// Differential test against pcap-parser 0.2.1 (an independent µs-pcap reader; devDependency):
// same records, same timestamps, and the TCP records it carries (decoded here by a minimal
// Ethernet/IPv4/IPv6 decoder of the test's own) are exactly the segments we deliver.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collect } from './collect-segments.js';
import { writePcap } from './capture-writer.js';
import { syntheticRecords } from './synthetic-traffic.js';

interface ParsedPacket { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }; data: Buffer }
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(path: string): NodeJS.EventEmitter };

function readWithPcapParser(path: string): Promise<ParsedPacket[]> {
  return new Promise((resolve, reject) => {
    const packets: ParsedPacket[] = [];
    const parser = pcapParser.parse(path);
    parser.on('packet', (p: ParsedPacket) => packets.push({ header: { ...p.header }, data: Buffer.from(p.data) }));
    parser.on('error', reject);
    parser.on('end', () => resolve(packets));
  });
}

/** Ports, seq, ack and flags of an Ethernet (optionally one 802.1Q tag) IPv4/IPv6 TCP frame with all headers captured, else null. */
function miniDecode(frame: Buffer): { sport: number; dport: number; seq: number; ack: number; flags: number } | null {
  let p = 12;
  let type = frame.readUInt16BE(p);
  p += 2;
  if (type === 0x8100) { type = frame.readUInt16BE(p + 2); p += 4; }
  let tcp: number;
  if (type === 0x0800) {
    if (frame[p + 9] !== 6 || (frame.readUInt16BE(p + 6) & 0x1fff) !== 0) return null;
    tcp = p + (frame[p]! & 15) * 4;
  } else if (type === 0x86dd) {
    if (frame[p + 6] !== 6) return null;
    tcp = p + 40;
  } else {
    return null;
  }
  if (frame.length < tcp + 20) return null;
  return { sport: frame.readUInt16BE(tcp), dport: frame.readUInt16BE(tcp + 2), seq: frame.readUInt32BE(tcp + 4), ack: frame.readUInt32BE(tcp + 8), flags: frame[tcp + 13]! };
}

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'finscope-pcapparser-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const synthetic = join(dir, 'synthetic.pcap');
writeFileSync(synthetic, writePcap(syntheticRecords(500, 11), { linkType: 1 }));
const synthBigEndian = join(dir, 'synthetic-be.pcap');
writeFileSync(synthBigEndian, writePcap(syntheticRecords(300, 12), { linkType: 1, bigEndian: true }));

const files: Array<[string, string | false]> = [
  ['synthetic pcap', synthetic],
  ['synthetic big-endian pcap', synthBigEndian],
  ['corpus zeek/Traces/ssh/ssh.pcap', existsSync(CORPUS) ? CORPUS + 'zeek/Traces/ssh/ssh.pcap' : false],
  ['corpus other/suricata-verify/community-id-ipv6/input.pcap', existsSync(CORPUS) ? CORPUS + 'other/suricata-verify/community-id-ipv6/input.pcap' : false],
];

describe('readSegments vs pcap-parser', () => {
  for (const [name, path] of files) {
    it(name, { skip: path === false ? 'the corpus is not beside the repository (../shared/corpus)' : false }, async () => {
      const theirs = await readWithPcapParser(path as string);
      const ours = await collect([path as string]);
      assert.equal(ours.summary.inputs[0]!.records, theirs.length, 'record count');
      const expected = theirs.flatMap((p, i) => {
        const tcp = miniDecode(p.data);
        if (!tcp) return [];
        return [{ record: i + 1, tsSec: p.header.timestampSeconds, tsNsec: p.header.timestampMicroseconds * 1000, ...tcp }];
      });
      assert.ok(expected.length >= 50, `${expected.length} TCP records`);
      assert.deepEqual(
        ours.segments.map((s) => ({ record: s.record, tsSec: s.tsSec, tsNsec: s.tsNsec, sport: s.sport, dport: s.dport, seq: s.seq, ack: s.ack, flags: s.flags & 0xff })),
        expected);
    });
  }
});

// Measurement script (not a test): lines/s of the tcpdump text reader over a file, one core.
//   node --import tsx test/text/measure-speed.ts x.txt [repeats]
// Make the input with: node ../shared/tools/gen-pcap.mjs --packets 1000000 /tmp/t.pcap &&
//                      tcpdump -n -r /tmp/t.pcap > x.txt

import { open } from 'node:fs/promises';
import { FileByteSource } from '../../src/capture/byte-source.js';
import { InputBuffer } from '../../src/capture/input-buffer.js';
import { Step } from '../../src/capture/segment-reader.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { TcpSegment } from '../../src/segment/tcp-segment.js';
import { TcpdumpTextReader } from '../../src/text/tcpdump-text-reader.js';

async function once(file: string): Promise<{ lines: number; segments: number; ms: number; cpuMs: number; checksum: number }> {
  const input = new InputBuffer(new FileByteSource(await open(file, 'r')));
  const reader = new TcpdumpTextReader(input, {
    inputName: file, inputIndex: 0, addresses: new AddressTable(), issues: new IssueLog(),
  });
  const seg = new TcpSegment();
  let segments = 0, checksum = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (;;) {
    const step = reader.next(seg);
    if (step === Step.Segment) { segments++; checksum = (checksum + seg.seq + seg.ack) % 4294967296; }
    else if (step === Step.NeedMore) await input.ensure(reader.want);
    else break;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  await input.close();
  return { lines: reader.records, segments, ms, cpuMs, checksum };
}

const file = process.argv[2];
if (!file) throw new Error('usage: measure-speed.ts FILE [repeats]');
for (let i = 0; i < Number(process.argv[3] ?? 3); i++) {
  const r = await once(file);
  const rate = (ms: number): string => Math.round(r.lines / (ms / 1000)).toLocaleString('en');
  console.log(`${r.lines} lines, ${r.segments} segments in ${r.ms.toFixed(0)} ms wall (${rate(r.ms)} lines/s), ` +
    `${r.cpuMs.toFixed(0)} ms CPU (${rate(r.cpuMs)} lines/s) (checksum ${r.checksum})`);
}

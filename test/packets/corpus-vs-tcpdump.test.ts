// Oracle test: for every capture of the shared corpus, the TCP segments readSegments yields must
// be exactly the TCP lines `tcpdump -S -tt -n -r FILE` prints (count, order, addresses, ports,
// flags, seq, ack, win, urg, length, TCP options, timestamp to the µs), and with `--nano`, to the ns.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collect } from '../capture/collect-segments.js';
import { assertSameAsTcpdump, parseTcpdumpTcpLines, runTcpdump, tcpdumpMissing } from './tcpdump-oracle.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const TSO_REASON = 'IPv4 total length 0 (TCP segmentation offload: the capture saw the packet before the NIC filled in the '
  + 'length). tcpdump 4.99.3 prints "IP bad-len 0"; we take the length from the frame, as Zeek and tshark do (tshark checks these records below).';

/**
 * Records we decode as TCP segments that tcpdump 4.99.3 does not print as TCP. Each is checked
 * against another oracle instead (tshark's fields, or arithmetic on the frame).
 */
const EXTRA_SEGMENTS: Record<string, { records: number[]; reason: string }> = {
  'tcpdump/ipv4_tcp_http_xml_tso.pcap': { records: [1], reason: TSO_REASON },
  'zeek/Traces/ldap/missing_ldap_logs.pcapng': { records: [4, 239, 247], reason: TSO_REASON },
  'tcpdump/bigtcp-ipv6.pcap': {
    records: [1],
    reason: 'IPv6 payload length 0 with no jumbo option (Linux BIG TCP super-packet). tcpdump 4.99.3 prints "[|tcp]" and tshark 4.0 '
      + 'no TCP; we take the length from the frame (checked below by arithmetic on the frame bytes).',
  },
};

/**
 * Records whose µs timestamp tcpdump prints wrongly. They are still compared to the nanosecond in
 * the --nano run.
 */
const WRONG_TCPDUMP_MICROSECONDS: Record<string, { records: number[]; reason: string }> = {
  'tcpdump/timestamp_invalid_nano.pcap': {
    records: [3],
    reason: 'the record has an out-of-range fraction of 2147483648 ns; libpcap scales it to µs with a signed overflow and tcpdump '
      + 'prints ".4292819813". We normalise it to +2.147483648 s, which the --nano run confirms.',
  },
};

/** Captures of the corpus, from the three MANIFEST.tsv files (a capture may have several rows). */
function corpusCaptures(): string[] {
  const files = new Set<string>();
  for (const part of ['tcpdump', 'zeek', 'other']) {
    const manifest = `${CORPUS}${part}/MANIFEST.tsv`;
    if (!existsSync(manifest)) continue;
    const lines = readFileSync(manifest, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const file = line.split('\t')[0];
      if (file) files.add(file);
    }
  }
  return [...files].sort();
}

const skipReason = !existsSync(CORPUS)
  ? `the corpus is not at ${CORPUS} (expected beside the repository as ../shared/corpus)`
  : tcpdumpMissing();

function tsharkAvailable(): boolean {
  return !spawnSync('tshark', ['--version'], { encoding: 'utf8' }).error;
}

describe('every corpus capture: our TCP segments = tcpdump -S -tt -n', { skip: skipReason ?? false }, () => {
  const captures = skipReason ? [] : corpusCaptures();

  it('finds the corpus captures', () => {
    assert.ok(captures.length >= 60, `only ${captures.length} captures listed in the manifests`);
  });

  for (const file of captures) {
    it(file, async () => {
      const path = CORPUS + file;
      const { segments } = await collect([path]);
      const extra = EXTRA_SEGMENTS[file]?.records ?? [];
      for (const record of extra) {
        assert.ok(segments.some((s) => s.record === record), `${file}: record ${record} is listed as an extra segment but was not decoded`);
      }
      const comparable = segments.filter((s) => !extra.includes(s.record));
      for (const nano of [false, true]) {
        const lines = parseTcpdumpTcpLines(runTcpdump(path, nano));
        assert.equal(comparable.length, lines.length,
          `${file}${nano ? ' (--nano)' : ''}: ${comparable.length} segments, tcpdump printed ${lines.length} TCP lines`);
        for (let i = 0; i < lines.length; i++) {
          const ours = comparable[i]!;
          const skipTime = !nano && WRONG_TCPDUMP_MICROSECONDS[file]?.records.includes(ours.record);
          assertSameAsTcpdump(ours, lines[i]!, file, { nano, skipTime });
        }
      }
    });
  }

  it('TSO records that tcpdump skips match tshark', { skip: tsharkAvailable() ? false : 'tshark is not installed' }, async () => {
    for (const file of ['tcpdump/ipv4_tcp_http_xml_tso.pcap', 'zeek/Traces/ldap/missing_ldap_logs.pcapng']) {
      const { segments } = await collect([CORPUS + file]);
      for (const record of EXTRA_SEGMENTS[file]!.records) {
        const r = spawnSync('tshark', ['-r', CORPUS + file, '-Y', `frame.number==${record}`, '-T', 'fields',
          '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.len', '-e', 'tcp.window_size_value'], { encoding: 'utf8' });
        const [sport, dport, seq, ack, len, win] = r.stdout.trim().split('\t').map(Number);
        const ours = segments.find((s) => s.record === record)!;
        assert.deepEqual([ours.sport, ours.dport, ours.seq, ours.ack, ours.len, ours.win], [sport, dport, seq, ack, len, win], `${file} record ${record}`);
      }
    }
  });

  it('BIG TCP record without a jumbo option: length from the frame', async () => {
    const file = 'tcpdump/bigtcp-ipv6.pcap';
    const bytes = readFileSync(CORPUS + file);
    // one little-endian record after the 24-byte file header: 16-byte record header, Ethernet, IPv6, TCP
    const origLen = bytes.readUInt32LE(24 + 12);
    assert.equal(bytes.readUInt16BE(40 + 12), 0x86dd);
    assert.equal(bytes.readUInt16BE(40 + 14 + 4), 0, 'IPv6 payload length field');
    const tcpHeader = (bytes[40 + 14 + 40 + 12]! >> 4) * 4;
    const { segments } = await collect([CORPUS + file]);
    assert.equal(segments.length, 1);
    assert.equal(segments[0]!.len, origLen - 14 - 40 - tcpHeader);
    assert.equal(segments[0]!.seq, bytes.readUInt32BE(40 + 14 + 40 + 4));
  });
});

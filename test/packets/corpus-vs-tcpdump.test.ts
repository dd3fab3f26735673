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
 * Captures whose TCP all travels inside a tunnel that tcpdump 4.99.3 does not decode, so it prints
 * no TCP line for them (tunnels it does decode -- GRE, IP in IP, VXLAN, Geneve -- stay in the
 * comparison: it prints the inner TCP on the tunnel's line or the next). Every segment we decode
 * from these is compared with tshark's fields instead (below).
 */
const TUNNELLED_BEYOND_TCPDUMP: Record<string, string> = {
  'zeek/Traces/tunnels/gtp/gtp2_different_udp_port.pcap': 'TCP inside GTP-U (UDP 2152). tcpdump 4.99.3 has no GTP printer: '
    + 'it prints "UDP, length N" (and "ip-proto-17" for the outer fragments). tshark decodes GTP-U.',
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
      const tunnelled = TUNNELLED_BEYOND_TCPDUMP[file] !== undefined;
      if (tunnelled) assert.ok(segments.length > 0, `${file}: listed as tunnelled TCP, but no segment was decoded`);
      const comparable = tunnelled ? [] : segments.filter((s) => !extra.includes(s.record));
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

  it('tunnelled TCP that tcpdump does not decode matches tshark', { skip: tsharkAvailable() ? false : 'tshark is not installed' }, async () => {
    for (const file of Object.keys(TUNNELLED_BEYOND_TCPDUMP)) {
      const { segments } = await collect([CORPUS + file]);
      // Outer fragments are not reassembled by finscope: tshark must not either, so that each first
      // fragment is decoded alone (tcp.len would then be cut to the fragment: the length is taken
      // from the inner IP header instead, as ours is).
      const r = spawnSync('tshark', ['-r', CORPUS + file, '-o', 'ip.defragment:FALSE', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t',
        '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst',
        '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.flags', '-e', 'tcp.window_size_value',
        '-e', 'ip.len', '-e', 'ip.hdr_len', '-e', 'ipv6.plen', '-e', 'tcp.hdr_len', '-e', 'ip.flags.mf'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const rows = r.stdout.trim().split('\n').map((line) => line.split('\t'));
      assert.equal(segments.length, rows.length, `${file}: ${segments.length} segments, tshark decoded ${rows.length} TCP packets`);
      const last = (list: string) => list.split(',').pop()!;
      rows.forEach((row, i) => {
        const [frame, time, ipSrc, ipDst, ip6Src, ip6Dst, sport, dport, seq, ack, flags, win, ipLen, ipHdr, ip6Plen, tcpHdr, mf] = row;
        const ours = segments[i]!;
        const v6 = ours.ip === 'IP6';
        const [sec, frac] = time!.split('.');
        const len = v6 ? Number(last(ip6Plen!)) - Number(tcpHdr) : Number(last(ipLen!)) - Number(last(ipHdr!)) - Number(tcpHdr);
        assert.deepEqual(
          [ours.record, ours.tsSec, ours.tsNsec, ours.src, ours.dst, ours.sport, ours.dport, ours.seq, ours.ack, ours.flags, ours.win, ours.len, ours.truncated],
          [Number(frame), Number(sec), Number(frac!.padEnd(9, '0')), last(v6 ? ip6Src! : ipSrc!), last(v6 ? ip6Dst! : ipDst!), Number(sport), Number(dport),
            Number(seq), Number(ack), Number(flags) & 0x1ff, Number(win), len, mf!.split(',')[0] === '1'],
          `${file} frame ${frame} (truncated: the outer packet is a first fragment)`);
      });
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

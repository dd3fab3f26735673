// Test helpers for the tcpdump text reader: a driver over InputBuffer, snapshots of segments, and an
// independent (regex-based) parser of `tcpdump -S -tt -n -vv` output used as the oracle.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { StreamByteSource, type ByteSource } from '../../src/capture/byte-source.js';
import { InputBuffer } from '../../src/capture/input-buffer.js';
import { Step } from '../../src/capture/segment-reader.js';
import { AddressTable } from '../../src/segment/address-table.js';
import { IssueLog } from '../../src/segment/input-issues.js';
import { TcpSegment, flagString } from '../../src/segment/tcp-segment.js';
import { TcpdumpTextReader } from '../../src/text/tcpdump-text-reader.js';
import { portName } from '../../src/text/port-names.js';

export const corpusDir = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
export const haveCorpus = existsSync(corpusDir + 'README.md');
export const genPcap = fileURLToPath(new URL('../../../shared/tools/gen-pcap.mjs', import.meta.url));

export const haveTcpdump = (() => {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /tcpdump version/.test(r.stdout + r.stderr);
})();

/** What a test compares: a plain snapshot of one TcpSegment, addresses as text. */
export interface Seg {
  sec: number;
  nsec: number;
  src: string;
  dst: string;
  sport: number | string;
  dport: number | string;
  ipVersion: number;
  flags: string;
  seq: number;
  ack: number;
  win: number;
  urg: number;
  len: number;
  mss: number;
  wscale: number;
  sackOK: boolean;
  ts: string; // "val/ecr" or ""
  sack: string; // "a:b,c:d" or ""
  checksumOk: boolean;
  truncated: boolean;
  record: number;
  byteOffset: number;
  direction: number;
  interfaceId: number;
}

export interface ReadResult {
  segs: Seg[];
  issues: IssueLog;
  reader: TcpdumpTextReader;
  addresses: AddressTable;
}

/** In-memory source handing out at most `chunk` bytes per read. */
class MemorySource implements ByteSource {
  private pos = 0;
  constructor(private readonly data: Buffer, private readonly chunk: number) {}
  async read(into: Buffer, offset: number, length: number): Promise<number> {
    const n = Math.min(length, this.chunk, this.data.length - this.pos);
    this.data.copy(into, offset, this.pos, this.pos + n);
    this.pos += n;
    return n;
  }
  async close(): Promise<void> {}
}

export interface ReadOptions {
  date?: string;
  /** Bytes per read from the source. */
  chunk?: number;
  /** Initial InputBuffer window. */
  window?: number;
  /** Feed through a Readable of `chunk`-sized pieces and StreamByteSource. */
  stream?: boolean;
}

export async function readText(text: string | Buffer, opts: ReadOptions = {}): Promise<ReadResult> {
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const chunk = opts.chunk ?? 1 << 20;
  let source: ByteSource;
  if (opts.stream) {
    const pieces: Buffer[] = [];
    for (let i = 0; i < data.length; i += chunk) pieces.push(data.subarray(i, i + chunk));
    source = new StreamByteSource(Readable.from(pieces), (e) => { throw e; });
  } else {
    source = new MemorySource(data, chunk);
  }
  const input = new InputBuffer(source, opts.window);
  const addresses = new AddressTable();
  const issues = new IssueLog();
  const reader = new TcpdumpTextReader(input, { inputName: 'test.txt', inputIndex: 0, addresses, issues, date: opts.date });
  const seg = new TcpSegment();
  const segs: Seg[] = [];
  for (;;) {
    const step = reader.next(seg);
    if (step === Step.Segment) segs.push(snapshot(seg, addresses));
    else if (step === Step.NeedMore) await input.ensure(reader.want);
    else break;
  }
  return { segs, issues, reader, addresses };
}

function snapshot(s: TcpSegment, addresses: AddressTable): Seg {
  const sack: string[] = [];
  for (let i = 0; i < s.sackCount; i++) sack.push(`${s.sackEdges[2 * i]}:${s.sackEdges[2 * i + 1]}`);
  return {
    sec: s.tsSec, nsec: s.tsNsec, src: addresses.toText(s.src), dst: addresses.toText(s.dst),
    sport: portName(s.sport) ?? s.sport, dport: portName(s.dport) ?? s.dport, ipVersion: s.ipVersion,
    flags: flagString(s.flags), seq: s.seq, ack: s.ack, win: s.window, urg: s.urgent, len: s.payloadLength,
    mss: s.mss, wscale: s.windowScale, sackOK: s.sackPermitted,
    ts: s.hasTimestamps ? `${s.tsVal}/${s.tsEcr}` : '', sack: sack.join(','),
    checksumOk: s.checksumOk, truncated: s.truncated, record: s.record, byteOffset: s.byteOffset,
    direction: s.direction, interfaceId: s.interfaceId,
  };
}

export function tcpdump(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync('tcpdump', args, {
    encoding: 'latin1', maxBuffer: 1 << 30, env: { ...process.env, TZ: 'UTC', ...env },
  });
  if (r.status !== 0) throw new Error(`tcpdump ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// ---- the oracle: `tcpdump -S -tt -n -vv -r FILE` parsed by regular expressions -------------------

/** One TCP packet as tcpdump prints it with absolute numbers; fields absent when not printed. */
export interface OracleSeg {
  /** 0-based index of the packet (every timestamped line of the oracle, TCP or not). */
  packet: number;
  sec: number;
  nsec: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: string;
  seq?: number;
  seqEnd?: number;
  ack?: number;
  win: number;
  urg?: number;
  len?: number;
  mss: number;
  wscale: number;
  sackOK: boolean;
  ts: string;
  sack: string;
  checksumOk: boolean;
}

const TCP_RE = /(\S+) > (\S+): Flags \[([^\]]*)\](.*)$/;
const EPOCH_RE = /^\s*(?:\d+\s+)?(\d+)\.(\d+) /;

function splitAddrPort(tok: string): [string, number] | null {
  const i = tok.lastIndexOf('.');
  if (i < 0) return null;
  return [tok.slice(0, i), Number(tok.slice(i + 1))];
}

/**
 * Parses TCP packets out of `tcpdump -S -tt -n [-v|-vv]` output. The -v IPv4 header line gives the
 * time of the indented TCP line after it.
 */
export interface Oracle {
  segs: OracleSeg[];
  firstSec: number;
  firstNsec: number;
  /** Time of every packet, in nanoseconds. */
  times: bigint[];
}

export function parseOracle(text: string): Oracle {
  const out: OracleSeg[] = [];
  const times: bigint[] = [];
  let firstSec = -1, firstNsec = 0;
  let sec = 0, nsec = 0;
  let lastAddrs: [string, string] | null = null;
  for (const line of text.split('\n')) {
    const t = EPOCH_RE.exec(line);
    if (t) {
      sec = Number(t[1]);
      nsec = Number(t[2]!.padEnd(9, '0'));
      if (firstSec < 0) { firstSec = sec; firstNsec = nsec; }
      times.push(BigInt(sec) * 1_000_000_000n + BigInt(nsec));
    }
    const m = TCP_RE.exec(line);
    if (!m) {
      continue;
    }
    let src = splitAddrPort(m[1]!), dst = splitAddrPort(m[2]!);
    if (!src || !dst) {
      // "a > b: HBH 41851 > 43913: Flags": ports alone, addresses earlier on the line.
      const addrs = /(\S+) > (\S+): [A-Z]/.exec(line.slice(0, m.index));
      if (!addrs) continue;
      lastAddrs = [addrs[1]!, addrs[2]!.replace(/:$/, '')];
      src = [lastAddrs[0], Number(m[1])];
      dst = [lastAddrs[1], Number(m[2])];
    }
    const rest = m[4]!;
    const num = (re: RegExp): number | undefined => {
      const x = re.exec(rest);
      return x ? Number(x[1]) : undefined;
    };
    const seqM = /, seq (\d+)(?::(\d+))?/.exec(rest);
    const opts = /, options \[(.*?)\](?:, length|$)/.exec(rest)?.[1] ?? '';
    const tsM = /TS val (\d+) ecr (\d+)/.exec(opts);
    const sackM = /sack \d+ ((?:\{\d+:\d+\})+)/.exec(opts);
    out.push({
      packet: times.length - 1, sec, nsec, src: src[0], dst: dst[0], sport: src[1], dport: dst[1], flags: m[3]!,
      seq: seqM ? Number(seqM[1]) : undefined, seqEnd: seqM?.[2] !== undefined ? Number(seqM[2]) : undefined,
      ack: num(/, ack (\d+)/), win: num(/, win (\d+)/) ?? -1, urg: num(/, urg (\d+)/), len: num(/, length (\d+)/),
      mss: Number(/(?:^|,)mss (\d+)/.exec(opts)?.[1] ?? -1), wscale: Number(/(?:^|,)wscale (\d+)/.exec(opts)?.[1] ?? -1),
      sackOK: /(?:^|,)sackOK(?:,|$)/.test(opts), ts: tsM ? `${tsM[1]}/${tsM[2]}` : '',
      sack: sackM ? [...sackM[1]!.matchAll(/\{(\d+):(\d+)\}/g)].slice(0, 4).map((x) => `${x[1]}:${x[2]}`).join(',') : '',
      checksumOk: !/cksum 0x[0-9a-f]+ \(incorrect/.test(rest),
    });
  }
  return { segs: out, firstSec, firstNsec, times };
}

// ---- comparing a parsed rendering with the oracle ----------------------------------------------

export type TimeMode =
  | 'time-of-day' // default: UTC time of day, days counted from 1970-01-01 (or from --date)
  | 'epoch' // -tt, -tttt: exact
  | 'since-first' // -ttttt: offsets from the first packet, printed modulo one day
  | 'delta' // -ttt: differences from the previous packet, each printed modulo one day
  | 'none'; // -t

export interface CompareOptions {
  time: TimeMode;
  /** The rendering was made with -vv (seq printed on every packet). */
  vv?: boolean;
  /** The rendering was made with -v or -vv (checksums printed). */
  verbose?: boolean;
  /** The rendering was made with -S. */
  absolute?: boolean;
  /** Without -n: host and service names stand for the oracle's numbers. */
  names?: boolean;
  /** --date given to the reader. */
  date?: string;
  /** Compare sub-microsecond digits (only when the rendering used --nano). */
  nano?: boolean;
}

export interface Comparison {
  mismatches: string[];
  /** Pure ACKs whose seq was not printed: how many got the oracle's seq from the estimate. */
  estimated: number;
  estimatedRight: number;
  /** Directions whose base tcpdump took from an unprinted seq (numbers compared with that offset). */
  hiddenBases: number;
}

const TWO32 = 4294967296;
const mod32 = (x: number): number => ((x % TWO32) + TWO32) % TWO32;

/** Did a rendering without -vv print `seq` for this packet? (print-tcp.c: payload, SYN, FIN or RST) */
function seqPrinted(o: OracleSeg, vv: boolean): boolean {
  const length = o.len ?? (o.seq !== undefined && o.seqEnd !== undefined ? o.seqEnd - o.seq : 0);
  return vv || length !== 0 || /[SFR]/.test(o.flags);
}

/**
 * Compares field by field. Sequence spaces whose tcpdump base came from an unprinted seq (a pure ACK
 * recorded the conversation) are expected to be off by exactly (what the reader could know of the
 * base) - (the hidden base): the replay below follows print-tcp.c on the oracle's absolute numbers.
 */
export function compare(parsed: Seg[], oracle: Oracle, opt: CompareOptions): Comparison {
  const mismatches: string[] = [];
  const o = oracle.segs;
  if (parsed.length !== o.length) mismatches.push(`segment count: parsed ${parsed.length}, tcpdump ${o.length}`);
  const n = Math.min(parsed.length, o.length);
  const vv = opt.vv ?? false;
  // Replay of tcpdump's bases: offset per (conversation, sender) for numbers in that sender's space.
  const recorded = new Set<string>();
  const offsets = new Map<string, number>();
  const bareSyn = new Map<string, number>();
  const nameToAddr = new Map<string, string>(), addrToName = new Map<string, string>();
  const portToNum = new Map<string, number>(), numToPort = new Map<number, string>();
  let firstDay = -1, estimated = 0, estimatedRight = 0, hiddenBases = 0;
  const bad = (i: number, what: string, got: unknown, want: unknown): void => {
    if (mismatches.length < 40) mismatches.push(`#${i + 1} ${what}: parsed ${String(got)}, tcpdump ${String(want)}`);
  };
  const sameName = (i: number, what: string, got: string, want: string): void => {
    if (got === want) return;
    if (!opt.names) return bad(i, what, got, want);
    const a = nameToAddr.get(got), b = addrToName.get(want);
    if ((a !== undefined && a !== want) || (b !== undefined && b !== got)) return bad(i, what + ' (name mapping)', got, want);
    nameToAddr.set(got, want);
    addrToName.set(want, got);
  };
  const samePort = (i: number, what: string, got: number | string, want: number): void => {
    if (typeof got === 'number') return got === want ? undefined : bad(i, what, got, want);
    if (!opt.names) return bad(i, what, got, want);
    const a = portToNum.get(got), b = numToPort.get(want);
    if ((a !== undefined && a !== want) || (b !== undefined && b !== got)) return bad(i, what + ' (name mapping)', got, want);
    portToNum.set(got, want);
    numToPort.set(want, got);
  };
  for (let i = 0; i < n; i++) {
    const p = parsed[i]!, q = o[i]!;
    sameName(i, 'src', p.src, q.src);
    sameName(i, 'dst', p.dst, q.dst);
    samePort(i, 'sport', p.sport, q.sport);
    samePort(i, 'dport', p.dport, q.dport);
    if (p.flags !== q.flags) bad(i, 'flags', p.flags, q.flags);
    if (q.win >= 0 && p.win !== q.win) bad(i, 'win', p.win, q.win);
    if (q.urg !== undefined && p.urg !== q.urg) bad(i, 'urg', p.urg, q.urg);
    if (q.len !== undefined && p.len !== q.len) bad(i, 'length', p.len, q.len);
    if (p.mss !== q.mss) bad(i, 'mss', p.mss, q.mss);
    if (p.wscale !== q.wscale) bad(i, 'wscale', p.wscale, q.wscale);
    if (p.sackOK !== q.sackOK) bad(i, 'sackOK', p.sackOK, q.sackOK);
    if (p.ts !== q.ts) bad(i, 'TS', p.ts, q.ts);
    if (opt.verbose && p.checksumOk !== q.checksumOk) bad(i, 'checksum ok', p.checksumOk, q.checksumOk);

    // Sequence numbers, with the replayed tcpdump bases.
    const sender = `${q.src}.${q.sport}>${q.dst}.${q.dport}`, receiver = `${q.dst}.${q.dport}>${q.src}.${q.sport}`;
    const conv = sender < receiver ? sender : receiver;
    const hasAck = q.flags.includes('.');
    const printed = seqPrinted(q, vv);
    if (!opt.absolute && hasAck && (!recorded.has(conv) || q.flags.includes('S'))) {
      recorded.add(conv);
      offsets.set(receiver, 0);
      if (printed || q.seq === undefined) {
        offsets.set(sender, 0);
      } else {
        const syn = bareSyn.get(sender);
        offsets.set(sender, mod32((syn !== undefined ? syn + 1 : 0) - q.seq));
        if (offsets.get(sender) !== 0) hiddenBases++;
      }
    }
    if (!hasAck && q.flags.includes('S') && q.seq !== undefined) bareSyn.set(sender, q.seq);
    const offS = hasAck ? offsets.get(sender) ?? 0 : 0, offR = hasAck ? offsets.get(receiver) ?? 0 : 0;
    if (q.seq !== undefined) {
      const want = mod32(q.seq + offS);
      if (printed) {
        if (p.seq !== want) bad(i, 'seq', p.seq, want);
      } else {
        estimated++;
        if (p.seq === want) estimatedRight++;
      }
    }
    if (q.ack !== undefined && p.ack !== mod32(q.ack + offR)) bad(i, 'ack', p.ack, mod32(q.ack + offR));
    const sackWant = q.sack === '' ? '' : q.sack.split(',').map((b) => b.split(':').map((x) => mod32(Number(x) + offR)).join(':')).join(',');
    if (p.sack !== sackWant) bad(i, 'sack', p.sack, sackWant);

    // Time, in BigInt nanoseconds (epoch nanoseconds exceed 2^53); without --nano in microseconds.
    const unit = opt.nano ? 1n : 1000n;
    const t = (sec: number, nsec: number): bigint => (BigInt(sec) * 1_000_000_000n + BigInt(nsec)) / unit;
    const pt = t(p.sec, p.nsec), qt = t(q.sec, q.nsec);
    const anchor = opt.date ? Date.parse(opt.date + 'T00:00:00Z') / 1000 : 0;
    const first = t(oracle.firstSec, oracle.firstNsec);
    const day = t(86400, 0);
    const prevQ = o[i - 1], prevP = parsed[i - 1];
    /** The text gives the time modulo a day: that must match, and packets less than 12 hours apart
     *  must stay as far apart as in the capture (a wrap past midnight advances the day). */
    const moduloDay = (what: string, got: bigint, want: bigint, gotPrev: bigint, wantPrev: bigint): void => {
      const mod = (x: bigint): bigint => ((x % day) + day) % day;
      if (mod(got) !== mod(want)) bad(i, what, mod(got), mod(want));
      if (prevQ && prevP && Math.abs(q.sec - prevQ.sec) < 43200 && got - gotPrev !== want - wantPrev) {
        bad(i, what + ' since the previous packet', got - gotPrev, want - wantPrev);
      }
    };
    switch (opt.time) {
      case 'epoch':
        if (pt !== qt) bad(i, 'time', pt, qt);
        break;
      case 'time-of-day': {
        if (firstDay < 0) firstDay = Math.floor(q.sec / 86400) * 86400 - anchor;
        if (i === 0 && p.sec !== q.sec - firstDay) bad(i, 'first day', p.sec, q.sec - firstDay);
        moduloDay('time of day', pt, qt, prevP ? t(prevP.sec, prevP.nsec) : 0n, prevQ ? t(prevQ.sec, prevQ.nsec) : 0n);
        break;
      }
      case 'since-first':
        moduloDay('time since first', pt - t(anchor, 0), qt - first, prevP ? t(prevP.sec, prevP.nsec) - t(anchor, 0) : 0n,
          prevQ ? t(prevQ.sec, prevQ.nsec) - first : 0n);
        break;
      case 'delta': {
        // tcpdump prints each |difference| modulo a day, with its sign.
        let want = 0n;
        for (let j = 1; j <= q.packet; j++) {
          const d = (oracle.times[j]! - oracle.times[j - 1]!) / unit;
          want += d < 0n ? -(-d % day) : d % day;
        }
        if (pt - t(anchor, 0) !== want) bad(i, 'time from summed deltas', pt - t(anchor, 0), want);
        break;
      }
      case 'none':
        if (p.sec !== anchor || p.nsec !== 0) bad(i, 'time', `${p.sec}.${p.nsec}`, `${anchor}.0`);
        break;
    }
  }
  return { mismatches, estimated, estimatedRight, hiddenBases };
}

// ---- a Linux "any" capture (LINUX_SLL2) made from an Ethernet pcap, for `-i any` renderings ------

/**
 * Rewrites a little-endian microsecond pcap of Ethernet frames into LINUX_SLL2 (link type 276):
 * each frame's 14-byte Ethernet header becomes a 20-byte SLL2 header carrying the interface index
 * and packet type (0 = to us, `In`; 4 = outgoing, `Out`) that `pick` chooses for packet i.
 */
export function ethernetToSll2(pcap: Buffer, pick: (i: number) => { ifindex: number; packetType: number }): Buffer {
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4 || pcap.readUInt32LE(20) !== 1) throw new Error('need a little-endian Ethernet pcap');
  const parts: Buffer[] = [];
  const header = Buffer.from(pcap.subarray(0, 24));
  header.writeUInt32LE(276, 20);
  parts.push(header);
  for (let off = 24, i = 0; off + 16 <= pcap.length; i++) {
    const caplen = pcap.readUInt32LE(off + 8), len = pcap.readUInt32LE(off + 12);
    const frame = pcap.subarray(off + 16, off + 16 + caplen);
    const { ifindex, packetType } = pick(i);
    const rec = Buffer.alloc(16 + 20 + caplen - 14);
    pcap.copy(rec, 0, off, off + 8);
    rec.writeUInt32LE(caplen + 6, 8);
    rec.writeUInt32LE(len + 6, 12);
    rec.writeUInt16BE(frame.readUInt16BE(12), 16); // protocol (ethertype)
    rec.writeUInt32BE(ifindex, 20);
    rec.writeUInt16BE(1, 24); // ARPHRD_ETHER
    rec[26] = packetType;
    rec[27] = 6;
    frame.copy(rec, 28, 6, 12); // source MAC
    frame.copy(rec, 36, 14);
    parts.push(rec);
    off += 16 + caplen;
  }
  return Buffer.concat(parts);
}

// Test helper: runs tcpdump on a capture and parses its TCP lines (`tcpdump -S -tt -n` grammar,
// anchors.md §6.2) into fields, so tests can compare our segments with an independent decoder.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export interface TcpdumpTcpLine {
  line: string;
  /** Seconds and the fraction exactly as printed (an integer count of µs, or ns with --nano). */
  sec: number;
  frac: number;
  ip: 'IP' | 'IP6';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  flags: string;
  seq?: number;
  seqEnd?: number;
  ack?: number;
  win?: number;
  urg?: number;
  length?: number;
  /** The options text when tcpdump printed the whole list (not cut by `[|tcp]` or `[bad opt]`). */
  options?: TcpdumpOptions;
}

export interface TcpdumpOptions {
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
  /** `val/ecr`, or null */
  timestamps: string | null;
  /** SACK edges as printed (absolute with -S). */
  sack: number[];
}

/** Why tcpdump cannot be used, or null when it can. */
export function tcpdumpMissing(): string | null {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error) return `tcpdump is not installed (${r.error.message}); install it to run this oracle test`;
  return null;
}

export function tcpdumpVersion(): string {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return /tcpdump version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** stdout of `tcpdump -S -tt -n -r file` (plus `--nano` if asked). Throws if tcpdump fails. */
export function runTcpdump(file: string, nano = false): string {
  const args = ['-S', '-tt', '-n', '-r', file];
  if (nano) args.splice(0, 0, '--nano');
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
  if (r.error) throw r.error;
  // tcpdump exits 0 on a truncated file too (it prints a warning); anything else is a test setup problem.
  if (r.status !== 0 && !/truncated dump file|bigger than snaplen/.test(r.stderr)) {
    throw new Error(`tcpdump failed on ${file}: ${r.stderr}`);
  }
  return r.stdout;
}

// The last "IP "/"IP6 " before "Flags [" starts the TCP part: prefixes (MPLS, PPPoE, VLAN with -e)
// come before it. "truncated-ip - N bytes missing!" may sit between keyword and addresses. With
// IPv6 extension headers tcpdump prints the addresses without ports, then the headers ("HBH DSTOPT
// RT6 (...) frag (0|30)", "AH(...):") and then "sport > dport:".
const TCP_LINE = /^(\d+)\.(\d+) (?:.*? )?(IP6?) (?:truncated-ip6? - \d+ bytes missing! )?(\S+) > (\S+): (?:(?:HBH|DSTOPT|RT6|frag|AH|mobility)\b.*? (\d+) > (\d+): )?Flags \[([^\]]*)\](.*)$/;
const SEQ = /^, seq (\d+)(?::(\d+))?/;
const ACK = /^, ack (\d+)/;
const WIN = /^, win (\d+)/;
const URG = /^, urg (\d+)/;
const LENGTH = /, length (\d+)/;

// Tunnels: GRE, IP in IP and Geneve print the inner packet on the same line, after the outer
// headers ("GREv0, length 60: IP 10.0.0.1.80 > ..."), so the last "IP " before "Flags [" is the
// innermost packet's. VXLAN ends its line after the VNI and prints the inner frame on the next
// line, with no timestamp: such a line is read with its packet's timestamp, when the packet has
// not had a TCP line yet.
export function parseTcpdumpTcpLines(stdout: string): TcpdumpTcpLine[] {
  const out: TcpdumpTcpLine[] = [];
  // "sec.frac " of the packet being printed, while none of its lines was TCP
  let stamp = '';
  for (const printed of stdout.split('\n')) {
    let line = printed;
    const time = /^\d+\.\d+ /.exec(printed);
    if (time !== null) stamp = time[0];
    else if (stamp !== '') line = stamp + printed;
    else continue;
    if (!line.includes('Flags [')) continue;
    const m = TCP_LINE.exec(line);
    if (!m) continue; // STP, LLC and friends also print "Flags ["
    stamp = '';
    const [, sec, frac, ip, srcText, dstText, hbhSport, hbhDport, flags, rest] = m;
    let src = srcText!, dst = dstText!, sport: number, dport: number;
    if (hbhSport !== undefined) {
      sport = Number(hbhSport);
      dport = Number(hbhDport);
    } else {
      const si = src.lastIndexOf('.'), di = dst.lastIndexOf('.');
      sport = Number(src.slice(si + 1));
      dport = Number(dst.slice(di + 1));
      src = src.slice(0, si);
      dst = dst.slice(0, di);
    }
    const parsed: TcpdumpTcpLine = {
      line, sec: Number(sec), frac: Number(frac), ip: ip as 'IP' | 'IP6', src, sport, dst, dport, flags: flags!,
    };
    // Fields in print-tcp.c order: [cksum] [seq] [ack] win [urg] [options] length
    let r = rest!.replace(/^, cksum 0x[0-9a-f]+ \([^)]*\)/, '');
    let f = SEQ.exec(r);
    if (f) {
      parsed.seq = Number(f[1]);
      if (f[2] !== undefined) parsed.seqEnd = Number(f[2]);
      r = r.slice(f[0].length);
    }
    if ((f = ACK.exec(r))) { parsed.ack = Number(f[1]); r = r.slice(f[0].length); }
    if ((f = WIN.exec(r))) { parsed.win = Number(f[1]); r = r.slice(f[0].length); }
    if ((f = URG.exec(r))) { parsed.urg = Number(f[1]); r = r.slice(f[0].length); }
    if (r.startsWith(', options [')) {
      const end = r.indexOf('], length ');
      const text = r.slice(', options ['.length, end);
      if (end >= 0 && !text.includes('[')) parsed.options = parseOptions(text);
    } else if (/^, length /.test(r)) {
      parsed.options = parseOptions('');
    }
    if ((f = LENGTH.exec(r))) parsed.length = Number(f[1]);
    out.push(parsed);
  }
  return out;
}

/** print-tcp.c option texts: `mss N`, `wscale N`, `sackOK`, `TS val N ecr N`, `sack N {a:b}...`. */
function parseOptions(text: string): TcpdumpOptions {
  const items = text === '' ? [] : text.split(',');
  const options: TcpdumpOptions = { mss: -1, windowScale: -1, sackPermitted: false, timestamps: null, sack: [] };
  for (const item of items) {
    let m: RegExpExecArray | null;
    if ((m = /^mss (\d+)$/.exec(item))) options.mss = Number(m[1]);
    else if ((m = /^wscale (\d+)$/.exec(item))) options.windowScale = Number(m[1]);
    else if (item === 'sackOK') options.sackPermitted = true;
    else if ((m = /^TS val (\d+) ecr (\d+)$/.exec(item))) options.timestamps = `${m[1]}/${m[2]}`;
    else if ((m = /^sack \d+ ((?:\{\d+:\d+\})+)$/.exec(item))) {
      for (const edge of m[1]!.matchAll(/\{(\d+):(\d+)\}/g)) options.sack.push(Number(edge[1]), Number(edge[2]));
    }
  }
  return options;
}

/** The fields of our segment that a tcpdump line can be compared with (see collect-segments.ts). */
export interface ComparableSegment {
  record: number;
  tsSec: number;
  tsNsec: number;
  ip: 'IP' | 'IP6';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  win: number;
  urg: number;
  len: number;
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
  timestamps: string | null;
  sack: number[];
}

/**
 * Assert that our segment says what tcpdump printed: time (µs, or ns with `nano`), addresses,
 * ports, flags, and seq/ack/win/urg/length/options where tcpdump printed them.
 */
export function assertSameAsTcpdump(ours: ComparableSegment, theirs: TcpdumpTcpLine, context: string, opts: { nano: boolean; skipTime?: boolean }): void {
  const where = `${context} record ${ours.record}: tcpdump printed\n  ${theirs.line}\n`;
  const unit = opts.nano ? 1e9 : 1e6;
  if (!opts.skipTime) {
    // tcpdump prints an out-of-range fraction as is ("1418145370.1000000"): normalise it.
    const expected = [theirs.sec + Math.floor(theirs.frac / unit), theirs.frac % unit];
    assert.deepEqual([ours.tsSec, opts.nano ? ours.tsNsec : Math.floor(ours.tsNsec / 1000)], expected, `${where}timestamp`);
  }
  assert.deepEqual([ours.ip, ours.src, ours.sport, ours.dst, ours.dport], [theirs.ip, theirs.src, theirs.sport, theirs.dst, theirs.dport], `${where}addresses and ports`);
  // tcpdump 4.99 prints the 8 classic flag bits; the AE bit (its 'e') only in later versions.
  assert.equal(flagLetters(theirs.flags.includes('e') ? ours.flags : ours.flags & 0xff), theirs.flags, `${where}flags`);
  if (theirs.seq !== undefined) assert.equal(ours.seq, theirs.seq, `${where}seq`);
  if (theirs.seqEnd !== undefined) assert.equal((ours.seq + ours.len) % 2 ** 32, theirs.seqEnd, `${where}seq end`);
  if (theirs.ack !== undefined) assert.equal(ours.ack, theirs.ack, `${where}ack`);
  if (theirs.win !== undefined) assert.equal(ours.win, theirs.win, `${where}win`);
  if (theirs.urg !== undefined) assert.equal(ours.urg, theirs.urg, `${where}urg`);
  if (theirs.length !== undefined) assert.equal(ours.len, theirs.length, `${where}length`);
  if (theirs.options !== undefined) {
    const o = theirs.options;
    assert.deepEqual(
      { mss: ours.mss, windowScale: ours.windowScale, sackPermitted: ours.sackPermitted, timestamps: ours.timestamps, sack: ours.sack },
      { mss: o.mss, windowScale: o.windowScale, sackPermitted: o.sackPermitted, timestamps: o.timestamps, sack: o.sack.slice(0, 8) },
      `${where}options`);
  }
}

/** print-tcp.c's flag letters, written out here independently of src/segment/tcp-segment.ts. */
function flagLetters(flags: number): string {
  let s = '';
  for (let i = 0; i < 9; i++) if (flags & (1 << i)) s += 'FSRP.UEWe'[i];
  return s || 'none';
}

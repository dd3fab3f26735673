// Text stage: tcpdump's printed lines (piped or pasted; -t..-ttttt, --nano, -#, -v/-vv, -e, -i any,
// with or without -n and -S) -> one TcpSegment per TCP packet, with absolute sequence numbers.
//
// The grammar follows print-tcp.c and util-print.c (see ../shared/docs/anchors.md §6), not the man
// page. Each line is found with a native newline search; its prefix (packet number, timestamp,
// `-i any` interface and direction) is read first, then the line is anchored on ": Flags [" (which
// only a TCP line has): the two address.port tokens sit right before it, so whatever stands between
// prefix and addresses (`IP`, `IP6 (...)`, -e link-layer headers, PPPoE, MPLS) needs no grammar of
// its own. The plain `tcpdump -n` shape (time of day, `IP`, dotted quads) has a one-pass fast path.
// No regex, no string and no boxed number per line: fields are read from the bytes in place.
// Times: -tttt dates are taken as UTC (the corpus and tcpdump's tests print with TZ=UTC); times of
// day get ctx.date (--date, UTC) or 1970-01-01.

import type { InputBuffer } from '../capture/input-buffer.js';
import { Step, type ReaderContext, type SegmentReader } from '../capture/segment-reader.js';
import { IssueLog, type IssueCode } from '../segment/input-issues.js';
import { ACK, AE, CWR, ECE, FIN, PSH, RST, SYN, URG, SourceKind, type TcpSegment } from '../segment/tcp-segment.js';
import { ByteInterner } from './byte-interner.js';
import { portFromName } from './port-names.js';
import { RelativeSeq } from './relative-seq.js';

/** Longest line we read; the rest of a longer one is skipped (the TCP fields come first anyway). */
export const MAX_LINE = 64 * 1024;

const NL = 10, CR = 13, SP = 32, TAB = 9, DOT = 46, COLON = 58, GT = 62, DASH = 45;
const COMMA = 44, LBRACK = 91, RBRACK = 93, LBRACE = 123, RBRACE = 125, LPAREN = 40, RPAREN = 41;
const D0 = 48, D9 = 57;

const ANCHOR_LENGTH = 9; // ": Flags ["
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const W_URG = bytes('urg ');
const W_OPTIONS = bytes('options ['), W_LENGTH = bytes('length '), W_CKSUM = bytes('cksum 0x');
const W_INCORRECT = bytes(' (incorrect'), W_MSS = bytes('mss '), W_WSCALE = bytes('wscale ');
const W_SACKOK = bytes('sackOK'), W_SACK = bytes('sack '), W_TSVAL = bytes('TS val '), W_ECR = bytes(' ecr ');
const W_NONE = bytes('none'), W_PROTO_TCP = bytes(', proto TCP ('), W_TRUNC_TCP = bytes('[|tcp]');
const W_BAD_HDR = bytes('[bad hdr length'), W_Q_TCP = bytes(': tcp '), W_ARROW = bytes(' > ');
const W_TRUNC_IP = bytes('truncated-ip'), W_IP6 = bytes('IP6 '), W_ICMP = bytes(': ICMP ');
const BANNERS = ['reading from file', 'listening on ', 'tcpdump: ', 'Warning: ', 'dropped privs'].map(bytes);
const W_PACKET = bytes(' packet');

// Timestamp shapes found in a prefix.
const TS_NONE = 0, TS_HMS = 1, TS_DATE = 2, TS_EPOCH = 3;
// Input-wide timestamp family, fixed by the first H:M:S timestamp.
const FAMILY_UNKNOWN = 0, FAMILY_TIME_OF_DAY = 1, FAMILY_DELTA = 2;
// Deltas: -ttt (since the previous packet) or -ttttt (since the first).
const DELTA_UNKNOWN = 0, DELTA_PREVIOUS = 1, DELTA_FIRST = 2;

const HALF_DAY_NS = 43200e9;
const DAY_NS = 86400e9;
const POW10 = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= D0 && c <= D9;
}

function isBlank(c: number | undefined): boolean {
  return c === SP || c === TAB;
}

/** buf[p, p+word.length) equals word, within [.., end). */
function at(buf: Uint8Array, p: number, end: number, word: Uint8Array): boolean {
  const n = word.length;
  if (p + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[p + i] !== word[i]) return false;
  return true;
}

/** First position of word in buf[from, end), or -1 (for short regions; Buffer.indexOf has no end). */
function find(buf: Uint8Array, from: number, end: number, word: Uint8Array): number {
  const first = word[0]!;
  for (let p = from, last = end - word.length; p <= last; p++) {
    if (buf[p] === first && at(buf, p, end, word)) return p;
  }
  return -1;
}

/** Position of ": Flags [" in buf[from, end), or -1. A plain loop: measured faster than
 *  Buffer.indexOf for the ~40 bytes between a line's prefix and its anchor. */
function findAnchor(buf: Uint8Array, from: number, end: number): number {
  for (let p = from, last = end - 9; p <= last; p++) {
    if (buf[p] === COLON && buf[p + 1] === SP && buf[p + 2] === 0x46 && buf[p + 3] === 0x6c && buf[p + 4] === 0x61 &&
        buf[p + 5] === 0x67 && buf[p + 6] === 0x73 && buf[p + 7] === SP && buf[p + 8] === LBRACK) return p;
  }
  return -1;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `In`/`Out`/`B`/`M`/`P` (print-sll.c) -> SLL packet type (0 host, 1 broadcast, 2 multicast,
 *  3 other host, 4 outgoing), or -1. */
function directionCode(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  const c = buf[s];
  if (n === 1) return c === 0x42 ? 1 : c === 0x4d ? 2 : c === 0x50 ? 3 : -1;
  if (n === 2) return c === 0x49 && buf[s + 1] === 0x6e ? 0 : -1;
  if (n === 3) return c === 0x4f && buf[s + 1] === 0x75 && buf[s + 2] === 0x74 ? 4 : -1;
  return -1;
}

export class TcpdumpTextReader implements SegmentReader {
  want = 0;
  /** Lines read so far (every line, TCP or not). */
  records = 0;

  private readonly rel = new RelativeSeq();
  private readonly hostNames = new ByteInterner();
  private readonly serviceNames = new ByteInterner();
  private readonly interfaces = new ByteInterner();

  /** Discarding the rest of an over-long line. */
  private skippingLongLine = false;
  /** Absolute offset before which the unfinished line has no newline (resumes the search). */
  private noNewlineUntil = 0;

  // Prefix fields, filled by parsePrefix.
  private pKind = TS_NONE;
  private pSec = 0;
  private pNsec = 0;
  private pDays = 0;
  private pNeg = false;
  private pMarked = false;
  private pNumbered = false;
  private pDir = -1;
  private pIface = -1;
  private pEnd = 0;
  private tEnd = 0;
  private pCarry = 0;

  // Time state.
  private readonly anchorDay: number;
  private family = FAMILY_UNKNOWN;
  private deltaKind = DELTA_UNKNOWN;
  private deltaFirm = false;
  private deltaAcc = 0; // ns since the anchor, -ttt running sum / -ttttt value
  private prevDelta = 0; // last -ttttt value, to notice a decrease
  private deltaDays = 0; // whole days a -ttttt value has wrapped past
  private dayOffset = 0;
  private prevTod = -1;
  private haveTime = false;
  private tSec = 0;
  private tNsec = 0;
  private missingDateReported = false;

  // The -v IPv4 header line of a TCP packet, waiting for its indented TCP line.
  private hdrLine = -1;
  private hdrOffset = 0;
  private hdrHasTime = false;
  private hdrSec = 0;
  private hdrNsec = 0;
  private hdrDir = -1;
  private hdrIface = -1;

  /** Line number of the last packet line, and of the last -A payload line. */
  private lastPacketLine = -1;
  /** Line of the IP header of a packet quoted in an ICMP error (-v). */
  private quotedLine = -1;
  /** Line of the last ICMP packet line (the quoted header follows it). */
  private icmpLine = -1;
  private payloadLine = -1;

  // Scratch.
  private num = 0;
  private quad = 0;
  private ipv = 4;
  private readonly g16 = new Uint16Array(8);
  /** 32768 (IPv4 value as int32, address id or -1) pairs, adjacent so that a lookup touches one
   *  cache line. */
  private readonly v4Cache = new Int32Array(65536).fill(-1);
  private w0 = 0; private w1 = 0; private w2 = 0; private w3 = 0;

  constructor(readonly input: InputBuffer, readonly ctx: ReaderContext) {
    let day = 0;
    const m = ctx.date !== undefined ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(ctx.date) : null;
    if (m) day = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
    this.anchorDay = day * 86400;
    this.tSec = this.anchorDay;
  }

  /** Conversations seen, and how their numbering was read (for reports and tests). */
  get sequenceNumbering(): { conversations: number; relative: number; absolute: number; unknownBases: number } {
    const r = this.rel;
    return { conversations: r.conversations, relative: r.relativeVotes, absolute: r.absoluteVotes, unknownBases: r.unknownBases };
  }

  next(seg: TcpSegment): Step {
    const input = this.input;
    for (;;) {
      const buf = input.buf;
      const start = input.start;
      const end = input.end;
      // Buffer.indexOf has no end bound: a newline written into the free space at `end` stops the
      // search there, so a line cut by a refill costs the bytes read, not the whole window.
      if (end < buf.length) buf[end] = NL;
      if (this.skippingLongLine) {
        const nl = buf.indexOf(NL, start);
        if (nl < 0 || nl >= end) {
          input.start = end;
          if (input.eof) return Step.End;
          this.want = 1;
          return Step.NeedMore;
        }
        input.start = nl + 1;
        this.skippingLongLine = false;
        continue;
      }
      if (start >= end) {
        if (input.eof) return Step.End;
        this.want = 1;
        return Step.NeedMore;
      }
      const startAbs = input.base + start;
      const from = this.noNewlineUntil > startAbs ? this.noNewlineUntil - input.base : start;
      let nl = buf.indexOf(NL, from);
      if (nl >= end) nl = -1;
      let lineEnd: number;
      let after: number;
      let cut = false;
      if (nl >= 0) {
        lineEnd = nl;
        after = nl + 1;
        if (nl - start > MAX_LINE) {
          lineEnd = start + MAX_LINE;
          this.longLine(startAbs);
        }
      } else if (end - start >= MAX_LINE) {
        lineEnd = start + MAX_LINE;
        after = lineEnd;
        this.skippingLongLine = true;
        this.longLine(startAbs);
      } else if (!input.eof) {
        this.noNewlineUntil = input.base + end;
        this.want = end - start + 1;
        return Step.NeedMore;
      } else {
        lineEnd = end;
        after = end;
        cut = true;
      }
      this.records++;
      input.start = after;
      if (lineEnd > start && buf[lineEnd - 1] === CR) lineEnd--;
      if (this.parseLine(seg, buf, start, lineEnd, startAbs, cut)) return Step.Segment;
    }
  }

  private longLine(offset: number): void {
    this.issue('other', offset, this.records + 1, `line longer than ${MAX_LINE} bytes: read its first ${MAX_LINE} bytes, skipped the rest`);
  }

  private issue(code: IssueCode, offset: number, line: number, detail: string): void {
    this.ctx.issues.add(code, this.ctx.inputName, 0, offset, line, detail);
  }

  /** Builds the detail only while the log still keeps issues of that code in full. */
  private wantsDetail(code: IssueCode): boolean {
    return (this.ctx.issues.counts.get(code) ?? 0) < IssueLog.KEEP_PER_CODE;
  }

  private quote(buf: Buffer, s: number, e: number): string {
    const text = buf.toString('latin1', s, Math.min(e, s + 80));
    return JSON.stringify(e - s > 80 ? text + '...' : text);
  }

  private unparsable(buf: Buffer, ls: number, le: number, offset: number, expected: string, p: number): false {
    this.hdrLine = -1;
    const detail = this.wantsDetail('unparsable-line')
      ? `expected ${expected} at column ${p - ls + 1}, found ${this.quote(buf, p, le)} in ${this.quote(buf, ls, le)}`
      : '';
    this.issue('unparsable-line', offset, this.records, detail);
    return false;
  }

  private parseLine(seg: TcpSegment, buf: Buffer, ls: number, le: number, offset: number, cut: boolean): boolean {
    if (this.records === 1 && buf[ls] === 0xef && buf[ls + 1] === 0xbb && buf[ls + 2] === 0xbf) ls += 3; // UTF-8 BOM
    if (isDigit(buf[ls])) {
      const r = this.fastLine(seg, buf, ls, le, offset, cut);
      if (r >= 0) return r === 1;
    }
    this.parsePrefix(buf, ls, le);
    const a = findAnchor(buf, this.pEnd, le);
    if (a >= 0) return this.tcpLine(seg, buf, ls, le, a, offset, cut);
    this.otherLine(buf, ls, le, offset);
    return false;
  }

  // ---- TCP lines ----------------------------------------------------------------------------

  private tcpLine(seg: TcpSegment, buf: Buffer, ls: number, le: number, a: number, offset: number, cut: boolean): boolean {
    // "<src> > <dst>: Flags [" : the two tokens right before the anchor.
    // One backward pass per token also finds its last dot (address.port separator).
    let q = a - 1, dDot = -1;
    for (; q >= ls; q--) {
      const c = buf[q];
      if (c === SP) break;
      if (c === DOT && dDot < 0) dDot = q;
    }
    const dstStart = q + 1;
    if (q < ls + 2 || buf[q - 1] !== GT || buf[q - 2] !== SP || dstStart >= a) {
      return this.unparsable(buf, ls, le, offset, '"<source> > <destination>: Flags ["', ls);
    }
    const srcEnd = q - 2;
    let r = srcEnd - 1, sDot = -1;
    for (; r >= ls; r--) {
      const c = buf[r];
      if (c === SP || c === TAB) break;
      if (c === DOT && sDot < 0) sDot = r;
    }
    const srcStart = r + 1;
    if (srcStart >= srcEnd) return this.unparsable(buf, ls, le, offset, 'a source address', srcStart);

    // Addresses and ports. Normally "addr.port"; after an IPv6 extension header tcpdump prints the
    // ports alone ("a > b: HBH 41851 > 43913: Flags"), the addresses being earlier on the line.
    let src: number, dst: number, ipv: number;
    if (sDot >= 0 && dDot >= 0) {
      src = this.address(buf, srcStart, sDot);
      const ipvSrc = this.ipv;
      dst = this.address(buf, dstStart, dDot);
      if (src < 0 || dst < 0) return this.unparsable(buf, ls, le, offset, 'an address', src < 0 ? srcStart : dstStart);
      ipv = ipvSrc !== 0 ? ipvSrc : this.ipv;
      seg.sport = this.port(buf, sDot + 1, srcEnd);
      seg.dport = this.port(buf, dDot + 1, a);
    } else if (sDot < 0 && dDot < 0) {
      const arrow = find(buf, ls, srcStart, W_ARROW);
      if (arrow < 0) return this.unparsable(buf, ls, le, offset, '"<address>.<port>"', srcStart);
      let s0 = arrow - 1;
      while (s0 >= ls && !isBlank(buf[s0])) s0--;
      let d1 = arrow + 3;
      while (d1 < srcStart && !isBlank(buf[d1])) d1++;
      if (buf[d1 - 1] === COLON) d1--;
      src = this.address(buf, s0 + 1, arrow);
      const ipvSrc = this.ipv;
      dst = this.address(buf, arrow + 3, d1);
      if (src < 0 || dst < 0) return this.unparsable(buf, ls, le, offset, 'an address', s0 + 1);
      ipv = ipvSrc !== 0 ? ipvSrc : this.ipv;
      seg.sport = this.port(buf, srcStart, srcEnd);
      seg.dport = this.port(buf, dstStart, a);
    } else {
      return this.unparsable(buf, ls, le, offset, '"<address>.<port>"', srcStart);
    }
    if (seg.sport < 0 || seg.dport < 0) return this.unparsable(buf, ls, le, offset, 'a port', srcStart);
    if (ipv === 0) ipv = find(buf, ls, srcStart, W_IP6) >= 0 ? 6 : 4; // host names: the IP keyword says
    seg.src = src;
    seg.dst = dst;
    seg.ipVersion = ipv;
    return this.tcpFields(seg, buf, ls, le, a, srcStart, offset, cut);
  }

  /**
   * The default line shape, `HH:MM:SS.frac IP a.b.c.d.port > e.f.g.h.port: Flags [` (tcpdump -n),
   * read in one forward pass. Returns 1 (a segment), 0 (no segment: reported) or -1 when the line has
   * another shape, which then goes the general way.
   */
  private fastLine(seg: TcpSegment, buf: Buffer, ls: number, le: number, offset: number, cut: boolean): number {
    if (le - ls < 48 || buf[ls + 2] !== COLON || buf[ls + 5] !== COLON || buf[ls + 8] !== DOT) return -1;
    const h = (buf[ls]! - D0) * 10 + buf[ls + 1]! - D0, m = (buf[ls + 3]! - D0) * 10 + buf[ls + 4]! - D0;
    const sec = (buf[ls + 6]! - D0) * 10 + buf[ls + 7]! - D0;
    if (!(h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec <= 60) || !isDigit(buf[ls + 1]) || !isDigit(buf[ls + 4]) || !isDigit(buf[ls + 7])) return -1;
    let p = ls + 9, frac = 0;
    for (; p < le; p++) {
      const d = buf[p]! - D0;
      if (d < 0 || d > 9) break;
      frac = frac * 10 + d;
    }
    const digits = p - ls - 9;
    if ((digits !== 6 && digits !== 9) || buf[p] !== SP || buf[p + 1] !== 0x49 || buf[p + 2] !== 0x50 || buf[p + 3] !== SP) return -1;
    const pEnd = p + 1;
    const srcStart = p + 4;
    p = this.fastEndpoint(buf, srcStart, le);
    if (p < 0 || buf[p] !== SP || buf[p + 1] !== GT || buf[p + 2] !== SP) return -1;
    const src = this.quad, sport = this.num;
    p = this.fastEndpoint(buf, p + 3, le);
    if (p < 0 || p + ANCHOR_LENGTH > le || buf[p] !== COLON || buf[p + 1] !== SP || buf[p + 2] !== 0x46 || buf[p + 7] !== SP || buf[p + 8] !== LBRACK) return -1;
    // What parsePrefix would have found.
    this.pKind = TS_HMS;
    this.pSec = h * 3600 + m * 60 + sec;
    this.pNsec = digits === 6 ? frac * 1000 : frac;
    this.pCarry = 0;
    this.pNeg = false;
    this.pMarked = false;
    this.pNumbered = false;
    this.pDir = -1;
    this.pIface = -1;
    this.pEnd = pEnd;
    seg.src = this.v4Id(src);
    seg.dst = this.v4Id(this.quad);
    seg.sport = sport;
    seg.dport = this.num;
    seg.ipVersion = 4;
    return this.tcpFields(seg, buf, ls, le, p, srcStart, offset, cut) ? 1 : 0;
  }

  /** "a.b.c.d.port" at p -> this.quad, this.num; the position after it, or -1. */
  private fastEndpoint(buf: Buffer, p: number, le: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      let part = 0;
      const s = p;
      for (; p < le; p++) {
        const d = buf[p]! - D0;
        if (d < 0 || d > 9) break;
        part = part * 10 + d;
      }
      if (p === s || p - s > 3 || part > 255 || buf[p] !== DOT) return -1;
      v = (v << 8) | part;
      p++;
    }
    let port = 0;
    const s = p;
    for (; p < le; p++) {
      const d = buf[p]! - D0;
      if (d < 0 || d > 9) break;
      port = port * 10 + d;
    }
    if (p === s || p - s > 5 || port > 65535) return -1;
    this.quad = v;
    this.num = port;
    return p;
  }

  /** From the anchor on: flags, fields, options; then time, provenance and absolute numbers. */
  private tcpFields(seg: TcpSegment, buf: Buffer, ls: number, le: number, a: number, srcStart: number, offset: number, cut: boolean): boolean {
    // Flags [..]
    let p = a + ANCHOR_LENGTH;
    let flags = 0;
    if (at(buf, p, le, W_NONE) && buf[p + 4] === RBRACK) {
      p += 4;
    } else {
      for (; p < le && buf[p] !== RBRACK; p++) {
        switch (buf[p]) {
          case 0x46: flags |= FIN; break; // F
          case 0x53: flags |= SYN; break; // S
          case 0x52: flags |= RST; break; // R
          case 0x50: flags |= PSH; break; // P
          case 0x2e: flags |= ACK; break; // .
          case 0x55: flags |= URG; break; // U
          case 0x45: flags |= ECE; break; // E
          case 0x57: flags |= CWR; break; // W
          case 0x65: flags |= AE; break; // e
          default: return this.unparsable(buf, ls, le, offset, 'a TCP flag letter (FSRP.UEWe)', p);
        }
      }
      if (p >= le) return this.unparsable(buf, ls, le, offset, '"]" after the flags', p);
    }
    p++;
    seg.flags = flags;
    seg.clearOptions();

    // ", cksum 0x.. (..)", ", seq a[:b]", ", ack n", ", win n", ", urg n", ", options [..]", ", length n"
    let hasSeq = false, hasRange = false, hasAck = false, hasWin = false, hasLength = false, optionsCut = false;
    let seqA = 0, seqB = 0, ack = 0, win = 0, length = 0;
    while (p + 1 < le && buf[p] === COMMA && buf[p + 1] === SP) {
      p += 2;
      const c = buf[p];
      let n: number;
      if (c === 0x73 && buf[p + 1] === 0x65 && buf[p + 2] === 0x71 && buf[p + 3] === SP) { // seq
        if ((n = this.uint(buf, p + 4, le)) < 0) break;
        seqA = this.num;
        hasSeq = true;
        p = n;
        if (buf[p] === COLON) {
          if ((n = this.uint(buf, p + 1, le)) < 0) break;
          seqB = this.num;
          hasRange = true;
          p = n;
        }
      } else if (c === 0x61 && buf[p + 1] === 0x63 && buf[p + 2] === 0x6b && buf[p + 3] === SP) { // ack
        if ((n = this.uint(buf, p + 4, le)) < 0) break;
        ack = this.num;
        hasAck = true;
        p = n;
      } else if (c === 0x77 && buf[p + 1] === 0x69 && buf[p + 2] === 0x6e && buf[p + 3] === SP) { // win
        if ((n = this.uint(buf, p + 4, le)) < 0 || this.num > 65535) break;
        win = this.num;
        hasWin = true;
        p = n;
      } else if (c === 0x75 && at(buf, p, le, W_URG)) {
        if ((n = this.uint(buf, p + 4, le)) < 0 || this.num > 65535) break;
        seg.urgent = this.num;
        p = n;
      } else if (c === 0x6f && at(buf, p, le, W_OPTIONS)) {
        n = this.options(seg, buf, p + W_OPTIONS.length, le);
        if (n < 0) { optionsCut = true; p = le; break; }
        p = n;
      } else if (c === 0x6c && buf[p + 1] === 0x65 && buf[p + 2] === 0x6e && buf[p + 6] === SP && at(buf, p, le, W_LENGTH)) {
        if ((n = this.uint(buf, p + 7, le)) < 0) break;
        length = this.num;
        hasLength = true;
        p = n;
        break; // what follows is the application decode
      } else if (c === 0x63 && at(buf, p, le, W_CKSUM)) {
        p += W_CKSUM.length;
        while (p < le && buf[p] !== COMMA && buf[p] !== SP) p++;
        if (at(buf, p, le, W_INCORRECT)) seg.checksumOk = false;
        if (buf[p] === SP && buf[p + 1] === LPAREN) {
          while (p < le && buf[p] !== RPAREN) p++;
          p++;
        }
      } else {
        break;
      }
    }
    if (!hasWin) {
      // tcpdump stopped before the window: a header it could not print ("[|tcp]", "[bad hdr length").
      if (find(buf, a, le, W_TRUNC_TCP) >= 0 || find(buf, a, le, W_BAD_HDR) >= 0) {
        this.hdrLine = -1;
        this.ctx.issues.skip('text tcp header not printed');
        return false;
      }
      return this.unparsable(buf, ls, le, offset, cut ? '", win N" (the line is cut at the end of the input)' : '", win N"', p);
    }
    if (cut && !hasLength && this.wantsDetail('truncated-file')) {
      this.issue('truncated-file', offset, this.records, 'the input ends inside this line: kept the fields before the cut');
    }
    seg.window = win;
    seg.payloadLength = hasLength ? length : hasRange ? (seqB - seqA) >>> 0 : 0;
    seg.seq = seqA;
    seg.ack = hasAck ? ack : 0;
    // Snaplen marks: "[|tcp]" (options or RST data cut) or "truncated-ip" before the addresses. An
    // application's "[|resp]" is not one: dissectors also print it for malformed payloads.
    seg.truncated = optionsCut || this.endsTruncated(buf, p, le) || (srcStart - this.pEnd > 3 && find(buf, this.pEnd, srcStart, W_TRUNC_IP) >= 0);

    // Time and provenance: a -v continuation line takes them from its header line.
    const continuation = this.pKind === TS_NONE && !this.pNumbered && this.hdrLine === this.records - 1;
    if (this.pKind === TS_NONE && !this.pNumbered && this.quotedLine === this.records - 1) {
      this.ctx.issues.skip('text tcp quoted in icmp');
      return false;
    }
    if (continuation) {
      seg.record = this.hdrLine;
      seg.byteOffset = this.hdrOffset;
      seg.direction = this.hdrDir;
      seg.interfaceId = this.hdrIface;
      if (this.hdrHasTime) { this.tSec = this.hdrSec; this.tNsec = this.hdrNsec; } else this.noTime(offset);
    } else {
      seg.record = this.records;
      seg.byteOffset = offset;
      seg.direction = this.pDir;
      seg.interfaceId = this.pIface;
      if (this.pKind !== TS_NONE) this.stamp(buf, ls, offset); else this.noTime(offset);
    }
    this.hdrLine = -1;
    this.lastPacketLine = this.records;
    seg.tsSec = this.tSec;
    seg.tsNsec = this.tNsec;
    if (seg.tsSec < 0) {
      // Before 1970-01-01 (a negative -ttt/-ttttt time on the first line, or a mangled one): the
      // engine counts time from the epoch (-1 s means "never"), so the line is left out, and said so.
      const detail = this.wantsDetail('unparsable-line')
        ? `expected a time at or after 1970-01-01 00:00:00, found one ${(-(seg.tsSec + seg.tsNsec / 1e9)).toFixed(6)} s before it in ${this.quote(buf, ls, le)}`
        : '';
      this.issue('unparsable-line', offset, this.records, detail);
      return false;
    }
    seg.input = this.ctx.inputIndex;
    seg.kind = SourceKind.Text;

    this.rel.apply(seg, hasSeq);
    return true;
  }

  /** "[|tcp]" ends the line. */
  private endsTruncated(buf: Buffer, p: number, le: number): boolean {
    return le - p >= W_TRUNC_TCP.length && at(buf, le - W_TRUNC_TCP.length, le, W_TRUNC_TCP);
  }

  /** Parses "mss, wscale, sackOK, sack N {a:b}.., TS val a ecr b" and skips the rest up to "]".
   *  Returns the position after "]", or -1 if the line ends first. */
  private options(seg: TcpSegment, buf: Buffer, p: number, le: number): number {
    for (;;) {
      if (p >= le) return -1;
      const c = buf[p];
      let n: number;
      if (c === 0x6e && buf[p + 1] === 0x6f && buf[p + 2] === 0x70) {
        p += 3; // nop
      } else if (c === 0x6d && at(buf, p, le, W_MSS)) {
        if ((n = this.uint(buf, p + 4, le)) >= 0 && this.num <= 65535) { seg.mss = this.num; p = n; }
      } else if (c === 0x77 && at(buf, p, le, W_WSCALE)) {
        if ((n = this.uint(buf, p + 7, le)) >= 0 && this.num <= 255) { seg.windowScale = this.num; p = n; }
      } else if (c === 0x73 && at(buf, p, le, W_SACKOK)) {
        seg.sackPermitted = true;
        p += W_SACKOK.length;
      } else if (c === 0x73 && at(buf, p, le, W_SACK)) {
        if ((n = this.uint(buf, p + 5, le)) >= 0) {
          p = n;
          if (buf[p] === SP) p++;
          let count = 0;
          while (buf[p] === LBRACE && p < le) {
            const s = this.uint(buf, p + 1, le);
            if (s < 0 || buf[s] !== COLON) break;
            const left = this.num;
            const e = this.uint(buf, s + 1, le);
            if (e < 0 || buf[e] !== RBRACE) break;
            if (count < 4) {
              seg.sackEdges[count * 2] = left;
              seg.sackEdges[count * 2 + 1] = this.num;
              count++;
            }
            p = e + 1;
          }
          seg.sackCount = count;
        }
      } else if (c === 0x54 && at(buf, p, le, W_TSVAL)) {
        if ((n = this.uint(buf, p + 7, le)) >= 0) {
          const val = this.num;
          if (at(buf, n, le, W_ECR) && (n = this.uint(buf, n + 5, le)) >= 0) {
            seg.hasTimestamps = true;
            seg.tsVal = val;
            seg.tsEcr = this.num;
            p = n;
          }
        }
      }
      if (buf[p] === COMMA) { p++; continue; }
      if (buf[p] === RBRACK) return p + 1;
      // Skip the rest of this option: to "," or "]" outside nested [..] and {..} (mptcp has both).
      let depth = 0;
      for (; p < le; p++) {
        const ch = buf[p];
        if (ch === LBRACK || ch === LBRACE) depth++;
        else if (ch === RBRACK || ch === RBRACE) {
          if (depth === 0) { if (ch === RBRACK) return p + 1; } else depth--;
        } else if (ch === COMMA && depth === 0) break;
      }
      if (p >= le) return -1;
      p++;
    }
  }

  /** Reads an unsigned 32-bit decimal (every number tcpdump prints in a TCP line is one) at p into
   *  this.num; returns the position after it, or -1. */
  private uint(buf: Buffer, p: number, le: number): number {
    let v = 0;
    const s = p;
    for (; p < le; p++) {
      const c = buf[p]!;
      if (c < D0 || c > D9) break;
      v = v * 10 + (c - D0);
    }
    if (p === s || p - s > 10 || v > 4294967295) return -1;
    this.num = v;
    return p;
  }

  /** Address id for an IPv4/IPv6 literal or a host name (tcpdump without -n); sets this.ipv
   *  (4, 6, or 0 for a name). -1 when empty. */
  private address(buf: Buffer, s: number, e: number): number {
    if (s >= e) return -1;
    if (this.dottedQuad(buf, s, e)) {
      this.ipv = 4;
      return this.v4Id(this.quad);
    }
    if (this.ipv6(buf, s, e)) {
      this.ipv = 6;
      return this.ctx.addresses.internV6Words(this.w0, this.w1, this.w2, this.w3);
    }
    this.ipv = 0;
    let id = this.hostNames.get(buf, s, e);
    if (id < 0) {
      id = this.ctx.addresses.internName(buf.toString('latin1', s, e));
      this.hostNames.add(buf, s, e, id);
    }
    return id;
  }

  /** Address id of an IPv4 address given as int32 bits. A direct-mapped cache stands in front of
   *  the address table's Map (most values exceed 2^31, so the Map hashes them slowly). */
  private v4Id(v4: number): number {
    const h = (Math.imul(v4, 0x9e3779b1) >>> 17) << 1;
    const cache = this.v4Cache;
    if (cache[h] === v4 && cache[h + 1]! >= 0) return cache[h + 1]!;
    const id = this.ctx.addresses.internV4(v4 >>> 0);
    cache[h] = v4;
    cache[h + 1] = id;
    return id;
  }

  /** Dotted quad at [s, e) -> this.quad (as int32: bits of the address); false when not one. */
  private dottedQuad(buf: Buffer, s: number, e: number): boolean {
    let v = 0, part = 0, digits = 0, dots = 0;
    for (let p = s; p < e; p++) {
      const c = buf[p]!;
      if (c >= D0 && c <= D9) {
        part = part * 10 + (c - D0);
        if (++digits > 3 || part > 255) return false;
      } else if (c === DOT && digits > 0 && dots < 3) {
        v = (v << 8) | part;
        part = 0;
        digits = 0;
        dots++;
      } else {
        return false;
      }
    }
    if (dots !== 3 || digits === 0) return false;
    this.quad = (v << 8) | part;
    return true;
  }

  /** IPv6 text (with ::, and a dotted IPv4 tail) -> this.w0..w3. */
  private ipv6(buf: Buffer, s: number, e: number): boolean {
    const g = this.g16;
    let n = 0, gap = -1, p = s;
    if (buf[p] === COLON) {
      if (buf[p + 1] !== COLON) return false;
      gap = 0;
      p += 2;
    }
    while (p < e) {
      const groupStart = p;
      let v = 0, digits = 0;
      for (; p < e && digits < 5; p++) {
        const c = buf[p]!;
        const d = c >= D0 && c <= D9 ? c - D0 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1;
        if (d < 0) break;
        v = v * 16 + d;
        digits++;
      }
      if (p < e && buf[p] === DOT) {
        // IPv4 tail, e.g. ::ffff:10.0.0.1
        if (!this.dottedQuad(buf, groupStart, e) || n > 6) return false;
        g[n++] = this.quad >>> 16;
        g[n++] = this.quad & 0xffff;
        p = e;
        break;
      }
      if (digits === 0 || digits > 4 || n >= 8) return false;
      g[n++] = v;
      if (p === e) break;
      if (buf[p] !== COLON) return false;
      p++;
      if (buf[p] === COLON) {
        if (gap >= 0) return false;
        gap = n;
        p++;
      } else if (p === e) {
        return false;
      }
    }
    if (gap >= 0) {
      if (n > 7) return false;
      const move = n - gap;
      for (let i = 0; i < move; i++) g[7 - i] = g[n - 1 - i]!;
      for (let i = gap; i < 8 - move; i++) g[i] = 0;
    } else if (n !== 8) {
      return false;
    }
    this.w0 = ((g[0]! << 16) | g[1]!) >>> 0;
    this.w1 = ((g[2]! << 16) | g[3]!) >>> 0;
    this.w2 = ((g[4]! << 16) | g[5]!) >>> 0;
    this.w3 = ((g[6]! << 16) | g[7]!) >>> 0;
    return true;
  }

  /** Port number, or a service name mapped by portFromName; -1 when empty. */
  private port(buf: Buffer, s: number, e: number): number {
    if (s >= e) return -1;
    let v = 0;
    let p = s;
    for (; p < e; p++) {
      const c = buf[p]!;
      if (c < D0 || c > D9) break;
      v = v * 10 + (c - D0);
    }
    if (p === e && e - s <= 5 && v <= 65535) return v;
    let n = this.serviceNames.get(buf, s, e);
    if (n < 0) {
      n = portFromName(buf.toString('latin1', s, e));
      this.serviceNames.add(buf, s, e, n);
    }
    return n;
  }

  // ---- prefix and time ----------------------------------------------------------------------

  /**
   * Reads [ls, pe): packet numbers (-# or pasted), the timestamp, and the `-i any` interface and
   * direction. Sets the p* fields; pEnd is where the rest (link layer, IP keyword...) starts.
   */
  private parsePrefix(buf: Buffer, ls: number, pe: number): void {
    this.pKind = TS_NONE;
    this.pNumbered = false;
    this.pMarked = false;
    this.pNeg = false;
    this.pDir = -1;
    this.pIface = -1;
    let p = ls, spaces = 0, tabs = false;
    for (; p < pe; p++) {
      const c = buf[p];
      if (c === SP) spaces++;
      else if (c === TAB) tabs = true;
      else break;
    }
    const lead = spaces;
    for (let k = 0; k < 2; k++) {
      let q = p;
      while (q < pe && isDigit(buf[q])) q++;
      if (q === p || q >= pe || !isBlank(buf[q])) break;
      this.pNumbered = true;
      spaces = 0;
      tabs = false;
      for (p = q; p < pe; p++) {
        const c = buf[p];
        if (c === SP) spaces++;
        else if (c === TAB) tabs = true;
        else break;
      }
    }
    let t = p;
    const neg = buf[t] === DASH;
    if (neg) t++;
    if (this.timestamp(buf, t, pe) && (!neg || this.pKind === TS_HMS)) {
      // -ttt / -ttttt print " " or "-" before the delta: one leading space, or three after -#.
      this.pNeg = neg;
      this.pMarked = neg || (!tabs && (this.pNumbered ? spaces === 3 : lead === 1 && spaces === 1));
      p = this.tEnd;
      while (p < pe && isBlank(buf[p])) p++;
    } else {
      this.pKind = TS_NONE;
    }
    // "eth0  In  IP ..." (SLL2, Linux) or "In  IP ..." (direction only).
    let e1 = p;
    while (e1 < pe && !isBlank(buf[e1])) e1++;
    if (e1 > p && e1 < pe) {
      let dir = directionCode(buf, p, e1);
      if (dir >= 0) {
        this.pDir = dir;
        p = e1;
        while (p < pe && isBlank(buf[p])) p++;
      } else {
        let s2 = e1;
        while (s2 < pe && isBlank(buf[s2])) s2++;
        let e2 = s2;
        while (e2 < pe && e2 - s2 < 4 && !isBlank(buf[e2])) e2++; // directions are 1-3 letters
        if (e2 > s2 && e2 < pe && isBlank(buf[e2]) && (dir = directionCode(buf, s2, e2)) >= 0) {
          this.pDir = dir;
          this.pIface = this.interfaceId(buf, p, e1);
          p = e2;
          while (p < pe && isBlank(buf[p])) p++;
        }
      }
    }
    this.pEnd = p;
  }

  private interfaceId(buf: Buffer, s: number, e: number): number {
    let id = this.interfaces.get(buf, s, e);
    if (id < 0) {
      id = this.interfaces.size;
      this.interfaces.add(buf, s, e, id);
    }
    return id;
  }

  /** One of "HH:MM:SS.frac", "YYYY-MM-DD HH:MM:SS.frac", "secs.frac" at p, followed by a blank or
   *  the end; sets pKind, pSec, pNsec, pDays, tEnd. */
  private timestamp(buf: Buffer, p: number, pe: number): boolean {
    let q = p, v = 0;
    while (q < pe && isDigit(buf[q])) { v = v * 10 + (buf[q]! - D0); q++; }
    const n = q - p;
    if (n === 0 || n > 12 || q >= pe) return false;
    const c = buf[q];
    if (c === DASH && n === 4) {
      // YYYY-MM-DD HH:MM:SS.frac
      if (!isDigit(buf[q + 1]) || !isDigit(buf[q + 2]) || buf[q + 3] !== DASH || !isDigit(buf[q + 4]) || !isDigit(buf[q + 5]) || buf[q + 6] !== SP) return false;
      const month = (buf[q + 1]! - D0) * 10 + (buf[q + 2]! - D0);
      const day = (buf[q + 4]! - D0) * 10 + (buf[q + 5]! - D0);
      if (month < 1 || month > 12 || day < 1 || day > 31) return false;
      if (!this.hms(buf, q + 7, pe)) return false;
      this.pDays = daysFromCivil(v, month, day);
      this.pKind = TS_DATE;
      return true;
    }
    if (c === COLON) {
      if (!this.hms(buf, p, pe)) return false;
      this.pKind = TS_HMS;
      return true;
    }
    if (c === DOT) {
      const f = this.fraction(buf, q + 1, pe);
      if (f < 0) return false;
      this.pSec = v + this.pCarry;
      this.pKind = TS_EPOCH;
      this.tEnd = f;
      return true;
    }
    return false;
  }

  /** "H+:MM:SS.frac" at p -> pSec (seconds), pNsec, tEnd. */
  private hms(buf: Buffer, p: number, pe: number): boolean {
    let q = p, h = 0;
    while (q < pe && isDigit(buf[q])) { h = h * 10 + (buf[q]! - D0); q++; }
    if (q === p || q - p > 9 || buf[q] !== COLON) return false;
    if (!isDigit(buf[q + 1]) || !isDigit(buf[q + 2]) || buf[q + 3] !== COLON || !isDigit(buf[q + 4]) || !isDigit(buf[q + 5]) || buf[q + 6] !== DOT) return false;
    const m = (buf[q + 1]! - D0) * 10 + (buf[q + 2]! - D0);
    const s = (buf[q + 4]! - D0) * 10 + (buf[q + 5]! - D0);
    const f = this.fraction(buf, q + 7, pe);
    if (f < 0 || m > 59 || s > 60) return false;
    this.pSec = h * 3600 + m * 60 + s + this.pCarry;
    this.tEnd = f;
    return true;
  }

  /** Fraction digits at p -> pNsec (and pCarry whole seconds); must end at a blank or the end.
   *  Returns the end or -1. More than 9 digits: a nanosecond count of 1 s or more, which tcpdump
   *  prints as is for an invalid timestamp. */
  private fraction(buf: Buffer, p: number, pe: number): number {
    let q = p, v = 0;
    while (q < pe && isDigit(buf[q])) { v = v * 10 + (buf[q]! - D0); q++; }
    const n = q - p;
    if (n === 0 || n > 12 || (q < pe && !isBlank(buf[q]))) return -1;
    if (n <= 9) {
      this.pNsec = v * POW10[n]!;
      this.pCarry = 0;
    } else {
      this.pNsec = v % 1e9;
      this.pCarry = Math.floor(v / 1e9);
    }
    return q;
  }

  /** Sets tSec/tNsec from the prefix timestamp just parsed (of the line starting at ls). */
  private stamp(buf: Buffer, ls: number, offset: number): void {
    this.haveTime = true;
    switch (this.pKind) {
      case TS_EPOCH:
        this.tSec = this.pSec;
        this.tNsec = this.pNsec;
        return;
      case TS_DATE:
        this.tSec = this.pDays * 86400 + this.pSec;
        this.tNsec = this.pNsec;
        return;
    }
    if (this.family === FAMILY_UNKNOWN) {
      // The spacing that marks a delta could also come from a paste; a first delta (0 in a whole
      // -ttt/-ttttt output) is below an hour, a pasted time of day mostly is not.
      this.family = this.pMarked && (this.pNeg || this.pSec < 3600) ? FAMILY_DELTA : FAMILY_TIME_OF_DAY;
      if (this.family === FAMILY_DELTA) {
        this.missingDate(offset, 'timestamps are time differences (-ttt or -ttttt): times count from the first packet' +
          (this.ctx.date !== undefined ? ` at ${this.ctx.date} 00:00:00 UTC` : ', on 1970-01-01 (no --date given)'));
      } else if (this.ctx.date === undefined) {
        this.missingDate(offset, 'timestamps are times of day without a date: the first day is 1970-01-01 (give --date YYYY-MM-DD)');
      }
    }
    if (this.family === FAMILY_TIME_OF_DAY) {
      const tod = this.pSec;
      let day = this.dayOffset;
      if (this.prevTod < 0) {
        this.prevTod = tod;
      } else if (tod < this.prevTod - 43200) {
        day = ++this.dayOffset; // past midnight
        this.prevTod = tod;
      } else if (tod > this.prevTod + 43200 && day > 0) {
        day--; // a late packet from before midnight
      } else {
        this.prevTod = tod;
      }
      this.tSec = this.anchorDay + day * 86400 + tod;
      this.tNsec = this.pNsec;
      return;
    }
    // Deltas: nanoseconds since the anchor. tcpdump prints them modulo one day (ts_format takes the
    // seconds % 86400), so a -ttt delta of a day or more is lost; a -ttttt value that drops by more
    // than 12 hours has wrapped past a whole day.
    if (this.deltaKind === DELTA_UNKNOWN) this.detectDeltaKind(buf, ls);
    const v = (this.pNeg ? -1 : 1) * (this.pSec * 1e9 + this.pNsec);
    if (this.deltaKind === DELTA_FIRST) {
      let days = this.deltaDays;
      if (v < this.prevDelta - HALF_DAY_NS) {
        days = ++this.deltaDays; // wrapped past a day
        this.prevDelta = v;
      } else if (v > this.prevDelta + HALF_DAY_NS && days > 0) {
        days--; // a late packet from before the wrap
      } else if (v < this.prevDelta && !this.deltaFirm) {
        this.deltaKind = DELTA_PREVIOUS; // since-first values do not go down: these are deltas (-ttt)
      } else {
        this.prevDelta = v;
      }
      if (this.deltaKind === DELTA_FIRST) this.deltaAcc = days * DAY_NS + v;
      else this.deltaAcc += v;
    } else {
      this.deltaAcc += v;
    }
    const sec = Math.floor(this.deltaAcc / 1e9);
    this.tSec = this.anchorDay + sec;
    this.tNsec = this.deltaAcc - sec * 1e9;
  }

  /**
   * -ttt and -ttttt print the same shape. Since-first values never decrease, deltas since the
   * previous packet soon do: look at the lines already in the buffer (without waiting for more, so a
   * live pipe is not held up). Decided on few lines, -ttttt is revised at the first decrease.
   */
  private detectDeltaKind(buf: Buffer, ls: number): void {
    const saved = [this.pKind, this.pSec, this.pNsec, this.pDays, this.pEnd, this.pDir, this.pIface, this.tEnd] as const;
    const savedFlags = [this.pNeg, this.pMarked, this.pNumbered] as const;
    const end = this.input.end;
    let p = ls, prev = 0, seen = 0, decreases = 0;
    if (end < buf.length) buf[end] = NL; // bound the search (see next())
    for (let lines = 0; p < end && lines < 4096 && seen < 256; lines++) {
      let nl = buf.indexOf(NL, p);
      if (nl < 0 || nl >= end) nl = end;
      this.parsePrefix(buf, p, Math.min(nl, p + 200));
      if (this.pKind === TS_HMS) {
        const v = (this.pNeg ? -1 : 1) * (this.pSec * 1e9 + this.pNsec);
        // A drop of more than 12 hours is -ttttt wrapping past a day, not a smaller delta.
        if (seen > 0 && v < prev && v > prev - HALF_DAY_NS) decreases++;
        prev = v;
        seen++;
      }
      p = nl + 1;
    }
    // Deltas go up and down all the time; since-first values only drop for out-of-order packets.
    const decreasing = decreases > 0 && decreases * 5 >= seen - 1;
    [this.pKind, this.pSec, this.pNsec, this.pDays, this.pEnd, this.pDir, this.pIface, this.tEnd] = saved;
    [this.pNeg, this.pMarked, this.pNumbered] = savedFlags;
    this.deltaKind = decreasing ? DELTA_PREVIOUS : DELTA_FIRST;
    this.deltaFirm = decreasing || seen >= 16;
  }

  /** A line without a timestamp (-t, or a pasted line that lost it): the previous packet's time. */
  private noTime(offset: number): void {
    if (!this.haveTime) this.missingDate(offset, 'lines carry no timestamps (-t): packets get the time ' +
      (this.ctx.date !== undefined ? `${this.ctx.date} 00:00:00 UTC` : '1970-01-01 00:00:00 UTC'));
  }

  private missingDate(offset: number, detail: string): void {
    if (this.missingDateReported) return;
    this.missingDateReported = true;
    this.issue('missing-date', offset, this.records, detail);
  }

  // ---- lines without a TCP segment ----------------------------------------------------------

  /** The first -A line of a packet: its headers as ASCII, mostly dots (unprintable bytes). */
  private looksLikeAsciiDump(buf: Buffer, p: number, le: number): boolean {
    const n = Math.min(le - p, 16);
    let dots = 0;
    for (let i = p; i < p + n; i++) if (buf[i] === DOT) dots++;
    return dots >= 2 && dots * 4 >= n;
  }

  private otherLine(buf: Buffer, ls: number, le: number, offset: number): void {
    let p = ls;
    while (p < le && isBlank(buf[p])) p++;
    if (p >= le) {
      this.hdrLine = -1;
      if (this.payloadLine === this.records - 1) this.payloadLine = this.records; // -A payload goes on
      return;
    }
    const indented = p > ls;
    if (indented && buf[p] === D0 && buf[p + 1] === 0x78) {
      this.ctx.issues.skip('text hex dump'); // -x / -X
      return;
    }
    for (const word of BANNERS) {
      if (at(buf, p, le, word)) {
        this.ctx.issues.skip('text tcpdump message');
        return;
      }
    }
    let q = p;
    while (q < le && isDigit(buf[q])) q++;
    if (q > p && at(buf, q, le, W_PACKET)) {
      this.ctx.issues.skip('text tcpdump message'); // "12 packets captured"
      return;
    }
    if (find(buf, this.pEnd, le, W_PROTO_TCP) >= 0) {
      if (buf[ls] === TAB && this.pKind === TS_NONE && !this.pNumbered && this.icmpLine === this.records - 1) {
        // The IP header of a packet quoted by an ICMP error (-v prints it after "\n\t"): its TCP
        // line is no segment.
        this.quotedLine = this.records;
        this.hdrLine = -1;
        return;
      }
      // -v IPv4 header line (after the link layer with -e); the TCP line follows, indented.
      this.hdrLine = this.records;
      this.hdrOffset = offset;
      this.hdrDir = this.pDir;
      this.hdrIface = this.pIface;
      this.hdrHasTime = this.pKind !== TS_NONE;
      if (this.hdrHasTime) {
        this.stamp(buf, ls, offset);
        this.hdrSec = this.tSec;
        this.hdrNsec = this.tNsec;
      }
      return;
    }
    // -A prints each packet (without its link-layer header) as ASCII, unindented, after the packet
    // line and its decode lines: "E..4..@.@..." for IPv4, then the payload's lines (its newlines
    // are printed as such) until the next packet line.
    if (this.pKind === TS_NONE && (this.payloadLine === this.records - 1 ||
        (!indented && this.lastPacketLine === this.records - 1 && this.looksLikeAsciiDump(buf, p, le)))) {
      this.payloadLine = this.records;
      this.ctx.issues.skip('text -A payload');
      return;
    }
    if (find(buf, p, le, W_ICMP) >= 0) this.icmpLine = this.records;
    const afterHeader = this.hdrLine === this.records - 1;
    this.hdrLine = -1;
    const first = buf[p]!, second = buf[p + 1] ?? 0;
    const packet = this.pKind !== TS_NONE || this.pNumbered || afterHeader ||
      (!indented && ((first >= 0x41 && first <= 0x5a && second >= 0x41 && second <= 0x5a) || find(buf, p, le, W_ARROW) >= 0));
    if (packet) {
      this.lastPacketLine = this.records;
      // Other packets still move the clock: -ttt deltas and midnight rollovers count them.
      if (this.pKind !== TS_NONE) this.stamp(buf, ls, offset);
      if (find(buf, p, le, W_TRUNC_TCP) >= 0) this.ctx.issues.skip('text tcp header not printed');
      else if (find(buf, p, le, W_Q_TCP) >= 0) this.ctx.issues.skip('text tcp -q');
      else this.ctx.issues.skip('text non-tcp');
      return;
    }
    if (indented) {
      // Application decode lines belong to the packet line above them.
      if (this.lastPacketLine === this.records - 1) this.lastPacketLine = this.records;
      this.ctx.issues.skip('text continuation');
      return;
    }
    this.unparsable(buf, ls, le, offset, 'a tcpdump packet line', p);
  }
}

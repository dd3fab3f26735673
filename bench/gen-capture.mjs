#!/usr/bin/env node
// Bench stage: options → a synthetic, deterministic TCP/IPv4-over-Ethernet capture (pcap or pcapng,
// optionally gzip) made of whole, interleaved TCP conversations. CLI and importable (generateCapture).
//
// usage: node bench/gen-capture.mjs [options] OUT|-
//   --packets N        conversation packets (default 2000000; 0 with --syn-flood unless given)
//   --concurrency N    conversations open at once, interleaved at random (default 2000)
//   --seed N           PRNG seed (default 1); same seed + options => byte-identical output
//   --format F         pcap (default) or pcapng (SHB + IDB with if_tsresol + EPBs)
//   --nsec             nanosecond timestamps (pcap magic a1b23c4d; pcapng if_tsresol 9)
//   --gzip             gzip the output (one gzip member per file)
//   --gzip-level N     deflate level 1..9 (default 1; inflate speed hardly depends on it)
//   --syn-flood N      add N SYN-only packets, each from a distinct 4-tuple (198.18.0.0/15 to
//                      172.16.9.9:80), interleaved at random with the conversations
//   --frame-size S     mix (default: 66..1514 B, mean ~920 B, like gen-pcap), small (data segments
//                      of 1..200 B: a packet-rate stress test) or a number B (every data frame is B bytes)
//   --shape S          long (default: the conversations below, ~77 packets each) or short (one
//                      request segment and 1..3 response segments: ~12 packets each, so about
//                      seven times as many connections for the packets: the per-connection costs)
//   --payload P        zero (default, as gen-pcap) or random (incompressible, like TLS: an honest
//                      gzip figure)
//   --half-closed F    fraction of conversations that end half-closed (default 0.05)
//   --rst F            fraction of conversations that end with an RST (default 0.05)
//   --start-time S     epoch seconds of the first packet (default 1700000000)
//   --snaplen N        captured bytes per packet at most (default 262144)
//   --rotate N         start a new file every N packets, as tcpdump -C/-G does: OUT gets a
//                      3-digit index before its extension (x.pcap → x-000.pcap, x-001.pcap, ...);
//                      the files concatenated hold exactly the packets of the unrotated output
//   --verify           after writing (file output only), check the output with tcpdump
//                      (and tshark when present): packet and flag counts, checksums, seq/ack
//   --verify-packets N how many leading packets --verify examines (default 100000)
//   --quiet            no summary on stderr
//
// Conversations: SYN, SYN/ACK, ACK; 1..3 request/response rounds (1..3 request segments, a delayed
// ACK from the server, 1..60 response segments with the client ACKing every second one); then a FIN
// close from either side, an RST, or a half-close (one FIN, ACKed, then silence). Sequence and ack
// numbers, IP total length and IP/TCP checksums are exact. Each conversation's client address is a
// bijection of its serial number, so 4-tuples never repeat within a file (up to 16.7 M conversations).
// Speed: no per-packet allocation; fields are patched into one 8 MiB output buffer and checksums are
// computed from the field values (payload sums from prefix sums over a fixed random pool).
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Bump whenever the bytes written for some options change: bench/run.mjs keys its cached captures on it. */
export const GENERATOR_VERSION = 1;

export const DEFAULTS = Object.freeze({
  packets: 2_000_000, concurrency: 2000, seed: 1, format: 'pcap', nsec: false, gzip: false, gzipLevel: 1,
  synFlood: 0, frameSize: 'mix', shape: 'long', payload: 'zero', halfClosed: 0.05, rst: 0.05, startTime: 1_700_000_000,
  snaplen: 262144, rotate: 0, verify: false, verifyPackets: 100_000, quiet: false, out: null,
});

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
const CHUNK = 8 << 20;           // flush threshold of the output buffer
const POOL = 1 << 20;            // random payload pool (bigger than deflate's 32 KiB window by far)
const SERVER_PORTS = [80, 443, 443, 443, 22, 25, 53, 3306, 5432, 6379, 8080, 8443];
const FLOOD_DST = ((172 << 24) | (16 << 16) | (9 << 8) | 9) >>> 0;
const FLOOD_MAX = 1 << 26;       // 17 address bits x 9 port bits
const CHECKSUM_SAMPLE = 5000;    // packets whose checksums --verify checks with tcpdump -vv

// Per-conversation phases.
const P_SYN = 0, P_SYNACK = 1, P_ACK3 = 2, P_ROUND = 3, P_REQ = 4, P_REQACK = 5, P_RESP = 6, P_RESPACK = 7,
  P_CLOSE = 8;
const END_FIN = 0, END_RST = 1, END_HALF = 2;

/** Parse argv into options (throws Error with a usage message on bad input). */
export function parseArgs(argv) {
  const o = { ...DEFAULTS };
  let packetsGiven = false;
  const num = (name, v, min, max = Number.MAX_SAFE_INTEGER) => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n) || n < min || n > max) throw new Error(`${name} needs a number in ${min}..${max}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--packets': o.packets = Math.floor(num(a, val(), 0)); packetsGiven = true; break;
      case '--concurrency': o.concurrency = Math.floor(num(a, val(), 1, 1_000_000)); break;
      case '--seed': o.seed = Math.floor(num(a, val(), 0, 0xffffffff)); break;
      case '--format': o.format = val(); if (o.format !== 'pcap' && o.format !== 'pcapng') throw new Error('--format must be pcap or pcapng'); break;
      case '--nsec': o.nsec = true; break;
      case '--gzip': o.gzip = true; break;
      case '--gzip-level': o.gzipLevel = Math.floor(num(a, val(), 1, 9)); break;
      case '--syn-flood': o.synFlood = Math.floor(num(a, val(), 0, FLOOD_MAX)); break;
      case '--frame-size': {
        const v = val();
        if (v === 'mix' || v === 'small') o.frameSize = v;
        else o.frameSize = Math.floor(num(a, v, 67, 1514));
        break;
      }
      case '--shape': o.shape = val(); if (o.shape !== 'long' && o.shape !== 'short') throw new Error('--shape must be long or short'); break;
      case '--payload': o.payload = val(); if (o.payload !== 'zero' && o.payload !== 'random') throw new Error('--payload must be zero or random'); break;
      case '--half-closed': o.halfClosed = num(a, val(), 0, 1); break;
      case '--rst': o.rst = num(a, val(), 0, 1); break;
      case '--start-time': o.startTime = Math.floor(num(a, val(), 0, 0xffffffff - 1e6)); break;
      case '--snaplen': o.snaplen = Math.floor(num(a, val(), 54, 262144)); break;
      case '--rotate': o.rotate = Math.floor(num(a, val(), 0)); break;
      case '--verify': o.verify = true; break;
      case '--verify-packets': o.verifyPackets = Math.floor(num(a, val(), 1)); break;
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help': o.help = true; break;
      default:
        if ((a.startsWith('-') && a !== '-') || o.out !== null) throw new Error(`unknown argument ${a}`);
        o.out = a;
    }
  }
  if (o.synFlood > 0 && !packetsGiven) o.packets = 0;
  if (o.halfClosed + o.rst > 1) throw new Error('--half-closed + --rst must not exceed 1');
  if (!o.help && o.out === null) throw new Error('no output file (use - for standard output)');
  if (o.out === '-' && (o.rotate || o.verify)) throw new Error('--rotate and --verify need a file');
  return o;
}

/** Names of the files `out` becomes with --rotate (or [out]). */
export function outputNames(out, rotate, totalPackets) {
  if (!rotate) return [out];
  const n = Math.max(1, Math.ceil(totalPackets / rotate));
  const dir = path.dirname(out), base = path.basename(out);
  const dot = base.search(/\.(pcap|pcapng|cap)(\.gz)?$/);
  const stem = dot > 0 ? base.slice(0, dot) : base, ext = dot > 0 ? base.slice(dot) : '';
  return Array.from({ length: n }, (_, i) => path.join(dir, `${stem}-${String(i).padStart(3, '0')}${ext}`));
}

// Writes bytes to a file descriptor, retrying when a non-blocking pipe is full.
function writeAll(fd, buf, len) {
  let off = 0;
  while (off < len) {
    try {
      off += fs.writeSync(fd, buf, off, len - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

// One output file: raw, or gzip built from raw-deflate pieces each ended by a sync flush (so they
// concatenate into one deflate stream), a final empty block, and the CRC-32/ISIZE trailer.
class Sink {
  constructor(name, gzip, level) {
    this.fd = name === '-' ? 1 : fs.openSync(name, 'w');
    this.gzip = gzip; this.level = level; this.crc = 0; this.size = 0; this.written = 0;
    if (gzip) this.raw(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]));
  }
  raw(b) { writeAll(this.fd, b, b.length); this.written += b.length; }
  write(buf, len) {
    if (len === 0) return;
    if (!this.gzip) { writeAll(this.fd, buf, len); this.written += len; this.size += len; return; }
    const piece = buf.subarray(0, len);
    this.crc = zlib.crc32(piece, this.crc);
    this.size += len;
    this.raw(zlib.deflateRawSync(piece, { level: this.level, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
  }
  close() {
    if (this.gzip) {
      this.raw(zlib.deflateRawSync(Buffer.alloc(0), { level: this.level, finishFlush: zlib.constants.Z_FINISH }));
      const t = Buffer.alloc(8);
      t.writeUInt32LE(this.crc >>> 0, 0); t.writeUInt32LE(this.size >>> 0, 4);
      this.raw(t);
    }
    if (this.fd !== 1) fs.closeSync(this.fd);
  }
}

/**
 * Write the capture described by `opts` (see DEFAULTS). Returns statistics, including counts for
 * the first `verifyPackets` packets that --verify compares with tcpdump and tshark.
 */
export function generateCapture(opts) {
  const o = { ...DEFAULTS, ...opts };
  const total = o.packets + o.synFlood;
  const NG = o.format === 'pcapng';
  const NS = o.nsec;

  // xorshift32: tiny, fast, deterministic.
  let rs = (o.seed >>> 0) || 0x9e3779b9;
  const rnd = () => { rs ^= rs << 13; rs ^= rs >>> 17; rs ^= rs << 5; return (rs >>> 0) / 4294967296; };
  const rint = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

  // Payload pool and prefix sums of its big-endian 16-bit words (payload offsets are even).
  const pool = Buffer.alloc(POOL);
  const prefix = new Float64Array(POOL / 2 + 1);
  if (o.payload === 'random') {
    let qs = (o.seed ^ 0x5bd1e995) >>> 0 || 1;
    for (let i = 0; i < POOL; i += 4) { qs ^= qs << 13; qs ^= qs >>> 17; qs ^= qs << 5; pool.writeUInt32LE(qs >>> 0, i); }
    for (let w = 0; w < POOL / 2; w++) prefix[w + 1] = prefix[w] + pool.readUInt16BE(w * 2);
  }
  const randomPayload = o.payload === 'random';
  // payload offsets have their own PRNG, so --payload never changes the traffic itself
  let ps = (o.seed ^ 0x27d4eb2f) >>> 0 || 1;
  const payloadWord = (n) => { ps ^= ps << 13; ps ^= ps >>> 17; ps ^= ps << 5; return Math.floor(((ps >>> 0) / 4294967296) * (n + 1)); };

  // Data segment sizes.
  const fixed = typeof o.frameSize === 'number' ? o.frameSize - 66 : 0;
  const small = o.frameSize === 'small';
  const fullLen = () => (fixed ? fixed : small ? rint(1, 200) : 1448);
  const lastReqLen = () => (fixed ? fixed : small ? rint(1, 200) : rint(40, 1448));
  const lastRespLen = () => (fixed ? fixed : small ? rint(1, 200) : rint(1, 1448));

  // Short conversations: one request segment, one to three response segments (about 12 packets).
  const short = o.shape === 'short';

  // Conversation table, struct of arrays.
  const C = o.concurrency;
  const cip = new Uint32Array(C), sip = new Uint32Array(C), cport = new Uint16Array(C), sport = new Uint16Array(C);
  const cseq = new Uint32Array(C), sseq = new Uint32Array(C), cid = new Uint16Array(C), sid = new Uint16Array(C);
  const phase = new Uint8Array(C), endKind = new Uint8Array(C), closer = new Uint8Array(C), started = new Uint8Array(C);
  const rounds = new Uint8Array(C), stage = new Uint8Array(C), left = new Int32Array(C), idx = new Int32Array(C);
  const cts = new Float64Array(C), sts = new Float64Array(C), cstep = new Uint8Array(C);
  const serialMul = 0x9e3779b1 | 1;
  let serial = 0;
  const newFlow = (s) => {
    const n = serial++;
    // bijection on 24 bits: client addresses never repeat within a file
    const h = (Math.imul(n, serialMul) + Math.imul(o.seed, 0x85ebca6b)) & 0xffffff;
    cip[s] = ((10 << 24) | h) >>> 0;
    sip[s] = ((172 << 24) | (16 << 16) | (rint(0, 15) << 8) | rint(1, 254)) >>> 0;
    cport[s] = rint(32768, 60999);
    sport[s] = SERVER_PORTS[rint(0, SERVER_PORTS.length - 1)];
    cseq[s] = (rnd() * 4294967296) >>> 0; sseq[s] = (rnd() * 4294967296) >>> 0;
    cid[s] = rint(0, 65535); sid[s] = rint(0, 65535);
    const r = rnd();
    endKind[s] = r < o.halfClosed ? END_HALF : r < o.halfClosed + o.rst ? END_RST : END_FIN;
    closer[s] = rnd() < (endKind[s] === END_FIN ? 0.3 : 0.5) ? 1 : 0;
    rounds[s] = short ? 1 : rint(1, 3); stage[s] = 0; phase[s] = P_SYN; started[s] = 0; cstep[s] = 0;
    cts[s] = 0; sts[s] = 0;
  };
  for (let s = 0; s < C; s++) newFlow(s);

  // The next packet of conversation s, into D (0 client→server, 1 server→client), F, L.
  // Returns false when the conversation is over (no packet).
  let D = 0, F = 0, L = 0;
  const step = (s) => {
    for (;;) {
      switch (phase[s]) {
        case P_SYN: D = 0; F = SYN; L = 0; phase[s] = P_SYNACK; return true;
        case P_SYNACK: D = 1; F = SYN | ACK; L = 0; phase[s] = P_ACK3; return true;
        case P_ACK3: D = 0; F = ACK; L = 0; phase[s] = P_ROUND; return true;
        case P_ROUND:
          if (stage[s] < rounds[s]) { stage[s]++; left[s] = short ? 1 : rint(1, 3); phase[s] = P_REQ; } else { phase[s] = P_CLOSE; cstep[s] = 0; }
          continue;
        case P_REQ:
          D = 0; F = PSH | ACK; L = left[s] > 1 ? fullLen() : lastReqLen();
          if (--left[s] === 0) phase[s] = P_REQACK;
          return true;
        case P_REQACK:
          // delayed ACK of the request; then the response size
          D = 1; F = ACK; L = 0; left[s] = short || rnd() < 0.3 ? rint(1, 3) : rint(4, 60); idx[s] = 0; phase[s] = P_RESP;
          return true;
        case P_RESP: {
          const last = idx[s] === left[s] - 1;
          D = 1; F = last ? PSH | ACK : ACK; L = last ? lastRespLen() : fullLen();
          if (last || (idx[s] & 1) === 1) phase[s] = P_RESPACK;
          idx[s]++;
          return true;
        }
        case P_RESPACK:
          D = 0; F = ACK; L = 0;
          phase[s] = idx[s] >= left[s] ? P_ROUND : P_RESP;
          return true;
        case P_CLOSE: {
          const a = closer[s], b = 1 - a, k = cstep[s]++;
          L = 0;
          if (endKind[s] === END_FIN) {
            if (k === 0) { D = a; F = FIN | ACK; return true; }
            if (k === 1) { D = b; F = FIN | ACK; return true; }
            if (k === 2) { D = a; F = ACK; return true; }
          } else if (endKind[s] === END_RST) {
            if (k === 0) { D = a; F = RST | ACK; return true; }
          } else {
            if (k === 0) { D = a; F = FIN | ACK; return true; }
            if (k === 1) { D = b; F = ACK; return true; }
          }
          return false;
        }
        default: return false;
      }
    }
  };

  // Output.
  const names = o.out === null ? [] : outputNames(o.out, o.rotate, total);
  let fileNo = 0;
  let sink = null;
  let buf = Buffer.alloc(CHUNK + 4096);
  let pos = 0;
  // zero what was written (and the few header bytes a snaplen cut leaves past pos) for zero payloads
  const flush = () => { sink.write(buf, pos); buf.fill(0, 0, Math.min(buf.length, pos + 128)); pos = 0; };
  const fileHeader = () => {
    if (!NG) {
      buf.writeUInt32LE(NS ? 0xa1b23c4d : 0xa1b2c3d4, pos); buf.writeUInt16LE(2, pos + 4); buf.writeUInt16LE(4, pos + 6);
      buf.writeUInt32LE(0, pos + 8); buf.writeUInt32LE(0, pos + 12); buf.writeUInt32LE(o.snaplen, pos + 16); buf.writeUInt32LE(1, pos + 20);
      pos += 24;
    } else {
      // SHB (no options) then one IDB: link type 1, snaplen, if_tsresol, opt_endofopt
      const w = [0x0a0d0d0a, 28, 0x1a2b3c4d];
      for (const v of w) { buf.writeUInt32LE(v, pos); pos += 4; }
      buf.writeUInt16LE(1, pos); buf.writeUInt16LE(0, pos + 2); buf.writeInt32LE(-1, pos + 4); buf.writeInt32LE(-1, pos + 8); buf.writeUInt32LE(28, pos + 12);
      pos += 16;
      buf.writeUInt32LE(1, pos); buf.writeUInt32LE(32, pos + 4); buf.writeUInt16LE(1, pos + 8); buf.writeUInt16LE(0, pos + 10);
      buf.writeUInt32LE(o.snaplen, pos + 12); buf.writeUInt16LE(9, pos + 16); buf.writeUInt16LE(1, pos + 18);
      buf[pos + 20] = NS ? 9 : 6; buf[pos + 21] = 0; buf[pos + 22] = 0; buf[pos + 23] = 0;
      buf.writeUInt32LE(0, pos + 24); buf.writeUInt32LE(32, pos + 28);
      pos += 32;
    }
  };
  const openNext = () => {
    if (sink) { flush(); sink.close(); }
    sink = new Sink(names[fileNo++], o.gzip, o.gzipLevel);
    fileHeader();
  };
  if (names.length) openNext();

  // Statistics.
  const V = o.verifyPackets;
  const st = {
    packets: total, conversationPackets: o.packets, synFlood: o.synFlood, files: names,
    captureBytes: 0, frameBytes: 0, minFrame: 0, maxFrame: 0,
    completed: 0, fin: 0, rst: 0, halfClosed: 0, openAtEnd: 0, conversations: 0,
    firstTs: o.startTime, lastTs: 0,
    // for the first V packets (what --verify checks)
    head: { packets: 0, syn: 0, synAck: 0, fin: 0, rst: 0, data: 0, pureAck: 0, conversations: 0, payloadBytes: 0 },
    // packets cut by --snaplen among the first CHECKSUM_SAMPLE (tcpdump cannot verify their checksum)
    cutInSample: 0,
  };
  let minFrame = 1e9, maxFrame = 0, frameBytes = 0;

  const csum = (s) => { s = (s & 0xffff) + (s >>> 16); s = (s & 0xffff) + (s >>> 16); s = (s & 0xffff) + (s >>> 16); return (~s) & 0xffff; };
  let tsec = o.startTime, tfrac = 0; // nanoseconds within tsec
  // pcapng ns ticks: tsec*1e9 split exactly into two 32-bit halves once per second
  let ngHi = 0, ngLo = 0, ngSec = -1;
  const ngBase = () => {
    if (ngSec === tsec) return;
    ngSec = tsec;
    const t = NS ? BigInt(tsec) * 1_000_000_000n : BigInt(tsec) * 1_000_000n;
    ngHi = Number(t >> 32n); ngLo = Number(t & 0xffffffffn);
  };
  let floodLeft = o.synFlood, convLeft = o.packets, floodNo = 0;
  const floodMul = 0x2545f491 | 1, floodAdd = Math.imul(o.seed, 0x27d4eb2d);
  // with --rotate, --verify reads the first file only, so count within it
  const headLimit = Math.min(V, total, o.rotate || Infinity);

  for (let p = 0; p < total; p++) {
    if (o.rotate && p > 0 && p % o.rotate === 0) openNext();
    tfrac += rint(1, 100_000);
    if (tfrac >= 1_000_000_000) { tfrac -= 1_000_000_000; tsec++; }
    const tsval = (tsec * 1000 + Math.floor(tfrac / 1e6)) >>> 0;

    // Pick the packet: a flood SYN, or the next packet of a random open conversation.
    let src, dst, spt, dpt, seq, ack, id, win, doff, isSyn = false, isFlood = false, tsecr = 0, s = -1;
    if (floodLeft > 0 && (convLeft === 0 || rnd() * (floodLeft + convLeft) < floodLeft)) {
      floodLeft--; isFlood = true;
      const k = (Math.imul(floodNo++, floodMul) + floodAdd) & (FLOOD_MAX - 1);
      src = ((198 << 24) | (18 << 16) | (k & 0x1ffff)) >>> 0; spt = 1024 + (k >>> 17);
      dst = FLOOD_DST; dpt = 80;
      seq = Math.imul(k, 0x9e3779b1) >>> 0; ack = 0; id = k & 0xffff; win = 1024;
      D = 0; F = SYN; L = 0; doff = 5; isSyn = true;
    } else {
      convLeft--;
      s = rint(0, C - 1);
      while (!step(s)) {
        st.completed++;
        if (endKind[s] === END_FIN) st.fin++; else if (endKind[s] === END_RST) st.rst++; else st.halfClosed++;
        newFlow(s);
      }
      if (!started[s]) { started[s] = 1; st.conversations++; if (p < headLimit) st.head.conversations++; }
      const c2s = D === 0;
      src = c2s ? cip[s] : sip[s]; dst = c2s ? sip[s] : cip[s];
      spt = c2s ? cport[s] : sport[s]; dpt = c2s ? sport[s] : cport[s];
      seq = c2s ? cseq[s] : sseq[s];
      ack = (F & ACK) ? (c2s ? sseq[s] : cseq[s]) : 0;
      if (c2s) { id = cid[s] = (cid[s] + 1) & 0xffff; tsecr = sts[s]; cts[s] = tsval; } else { id = sid[s] = (sid[s] + 1) & 0xffff; tsecr = cts[s]; sts[s] = tsval; }
      isSyn = (F & SYN) !== 0;
      doff = isSyn ? 10 : 8;
      win = isSyn ? 64240 : 502 + (p & 1023);
      const adv = L + (isSyn ? 1 : 0) + (F & FIN ? 1 : 0);
      if (c2s) cseq[s] = (cseq[s] + adv) >>> 0; else sseq[s] = (sseq[s] + adv) >>> 0;
    }
    const tcpLen = doff * 4 + L;
    const ipLen = 20 + tcpLen;
    const frameLen = 14 + ipLen;
    const capLen = frameLen < o.snaplen ? frameLen : o.snaplen;
    frameBytes += frameLen; if (frameLen < minFrame) minFrame = frameLen; if (frameLen > maxFrame) maxFrame = frameLen;
    if (p < headLimit) {
      const h = st.head; h.packets++; h.payloadBytes += L;
      if (F === SYN) h.syn++; else if (F === (SYN | ACK)) h.synAck++;
      if (F & FIN) h.fin++;
      if (F & RST) h.rst++;
      if (L > 0) h.data++; else if (F === ACK) h.pureAck++;
      if (capLen < frameLen && p < CHECKSUM_SAMPLE) st.cutInSample++;
    }

    if (pos + capLen + 64 > CHUNK) flush();
    // record header
    let blockStart = pos, blockLen = 0;
    if (!NG) {
      buf.writeUInt32LE(tsec, pos); buf.writeUInt32LE(NS ? tfrac : Math.floor(tfrac / 1000), pos + 4);
      buf.writeUInt32LE(capLen, pos + 8); buf.writeUInt32LE(frameLen, pos + 12);
      pos += 16;
    } else {
      blockLen = 32 + ((capLen + 3) & ~3);
      ngBase();
      let lo = ngLo + (NS ? tfrac : Math.floor(tfrac / 1000)), hi = ngHi;
      if (lo >= 4294967296) { lo -= 4294967296; hi++; }
      buf.writeUInt32LE(6, pos); buf.writeUInt32LE(blockLen, pos + 4); buf.writeUInt32LE(0, pos + 8);
      buf.writeUInt32LE(hi, pos + 12); buf.writeUInt32LE(lo, pos + 16); buf.writeUInt32LE(capLen, pos + 20); buf.writeUInt32LE(frameLen, pos + 24);
      pos += 28;
    }
    const e = pos;
    // Ethernet: locally administered MACs derived from the IP addresses
    buf[e] = 2; buf[e + 1] = 0; buf.writeUInt32BE(dst, e + 2);
    buf[e + 6] = 2; buf[e + 7] = 0; buf.writeUInt32BE(src, e + 8);
    buf[e + 12] = 0x08; buf[e + 13] = 0x00;
    // IPv4, DF, TTL 64
    const ip = e + 14;
    buf[ip] = 0x45; buf[ip + 1] = 0; buf.writeUInt16BE(ipLen, ip + 2); buf.writeUInt16BE(id, ip + 4);
    buf[ip + 6] = 0x40; buf[ip + 7] = 0; buf[ip + 8] = 64; buf[ip + 9] = 6;
    buf.writeUInt32BE(src, ip + 12); buf.writeUInt32BE(dst, ip + 16);
    const addrSum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
    buf.writeUInt16BE(csum(0x4500 + ipLen + id + 0x4000 + 0x4006 + addrSum), ip + 10);
    // TCP
    const t = ip + 20;
    buf.writeUInt16BE(spt, t); buf.writeUInt16BE(dpt, t + 2);
    buf.writeUInt32BE(seq, t + 4); buf.writeUInt32BE(ack, t + 8);
    buf[t + 12] = doff << 4; buf[t + 13] = F;
    buf.writeUInt16BE(win, t + 14); buf[t + 18] = 0; buf[t + 19] = 0;
    let sum = addrSum + 6 + tcpLen + spt + dpt + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) +
      ((doff << 12) | F) + win;
    const op = t + 20;
    if (isFlood) {
      // no options, as flood tools send
    } else if (isSyn) {
      // MSS 1460, SACK permitted, timestamps, NOP, window scale 7
      buf[op] = 2; buf[op + 1] = 4; buf[op + 2] = 0x05; buf[op + 3] = 0xb4;
      buf[op + 4] = 4; buf[op + 5] = 2; buf[op + 6] = 8; buf[op + 7] = 10;
      buf.writeUInt32BE(tsval, op + 8); buf.writeUInt32BE(tsecr, op + 12);
      buf[op + 16] = 1; buf[op + 17] = 3; buf[op + 18] = 3; buf[op + 19] = 7;
      sum += 0x0204 + 0x05b4 + 0x0402 + 0x080a + (tsval >>> 16) + (tsval & 0xffff) + (tsecr >>> 16) + (tsecr & 0xffff) + 0x0103 + 0x0307;
    } else {
      buf[op] = 1; buf[op + 1] = 1; buf[op + 2] = 8; buf[op + 3] = 10;
      buf.writeUInt32BE(tsval, op + 4); buf.writeUInt32BE(tsecr, op + 8);
      sum += 0x0101 + 0x080a + (tsval >>> 16) + (tsval & 0xffff) + (tsecr >>> 16) + (tsecr & 0xffff);
    }
    if (L > 0 && randomPayload) {
      const w0 = payloadWord((POOL - L) >> 1), half = L >> 1;
      const off = w0 * 2;
      const end = Math.min(L, capLen - 14 - 20 - doff * 4);
      if (end > 0) pool.copy(buf, op + doff * 4 - 20, off, off + end);
      sum += prefix[w0 + half] - prefix[w0];
      if (L & 1) sum += pool[off + L - 1] << 8;
    }
    buf.writeUInt16BE(csum(sum), t + 16);
    pos = e + capLen;
    if (NG) { pos = blockStart + blockLen - 4; buf.writeUInt32LE(blockLen, pos); pos += 4; }
  }
  if (sink) { flush(); sink.close(); }
  for (let s = 0; s < C; s++) if (started[s]) st.openAtEnd++;
  st.minFrame = total ? minFrame : 0; st.maxFrame = maxFrame; st.frameBytes = frameBytes;
  st.meanFrame = total ? frameBytes / total : 0;
  st.lastTs = tsec + tfrac / 1e9;
  st.captureBytes = names.filter((n) => n !== '-').reduce((a, n) => a + fs.statSync(n).size, 0);
  return st;
}

// ---- --verify: compare our own bookkeeping with what tcpdump and tshark read from the file.

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

// Run `cmd args` (optionally fed by zcat for a gzip file), calling onLine for each stdout line.
function runLines(cmd, args, file, gzip, onLine) {
  return new Promise((resolve) => {
    const child = spawn(cmd, gzip ? args.map((a) => (a === file ? '-' : a)) : args, { stdio: ['pipe', 'pipe', 'pipe'] });
    if (gzip) {
      const z = fs.createReadStream(file).pipe(zlib.createGunzip());
      z.pipe(child.stdin);
      child.stdin.on('error', () => {}); // tcpdump -c closes its input early
      z.on('error', () => {});
    } else child.stdin.end();
    let rest = '', err = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop();
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => { if (rest) onLine(rest); resolve({ code, stderr: err }); });
  });
}

/** Check a written capture; returns { ok, checks: [{name, ok, detail}] }. */
export async function verifyCapture(o, st) {
  const checks = [];
  const add = (name, ok, detail) => checks.push({ name, ok, detail });
  const tcpdump = which('tcpdump'), tshark = which('tshark');
  const files = st.files;
  const file = files[0];
  const H = st.head;
  const n = H.packets;
  if (files.length > 1) add('rotation', true, `${files.length} files; checking the first (${path.basename(file)})`);
  const headLimit = n;
  if (!tcpdump) add('tcpdump', false, 'tcpdump not found: nothing verified (install tcpdump)');
  else {
    // 1. every packet decodes as TCP with our flags, in time order
    const c = { lines: 0, S: 0, SA: 0, F: 0, R: 0, data: 0, pureAck: 0, tcp: 0, back: 0 };
    let last = -1;
    const r = await runLines(tcpdump, ['-n', '-tt', '-c', String(headLimit), '-r', file], file, o.gzip, (l) => {
      if (!l) return;
      c.lines++;
      const ts = Number(l.slice(0, l.indexOf(' ')));
      if (ts < last) c.back++;
      last = ts;
      const m = /Flags \[([^\]]*)\]/.exec(l);
      if (!m) return;
      c.tcp++;
      const f = m[1];
      if (f === 'S') c.S++; else if (f === 'S.') c.SA++;
      if (f.includes('F')) c.F++;
      if (f.includes('R')) c.R++;
      // the TCP length is the first one after the flags (an application decode may print more)
      const len = /, length (\d+)/.exec(l.slice(m.index));
      if (len && Number(len[1]) > 0) c.data++; else if (f === '.') c.pureAck++;
    });
    add('tcpdump reads', r.code === 0 && !/truncated|error|bad/i.test(r.stderr), `exit ${r.code}${r.stderr.trim() ? `, stderr: ${r.stderr.trim().split('\n').slice(-1)[0]}` : ''}`);
    add('packet count', c.lines === headLimit && c.tcp === headLimit, `tcpdump printed ${c.lines} lines, ${c.tcp} TCP; expected ${headLimit}`);
    add('time order', c.back === 0, `${c.back} timestamps go backwards`);
    const exp = `S ${H.syn} S. ${H.synAck} FIN ${H.fin} RST ${H.rst} data ${H.data} pure-ACK ${H.pureAck}`;
    const got = `S ${c.S} S. ${c.SA} FIN ${c.F} RST ${c.R} data ${c.data} pure-ACK ${c.pureAck}`;
    add('flag counts', exp === got, `tcpdump: ${got}; generator: ${exp}`);
    // 2. checksums and lengths on a sample, in tcpdump's own words
    const sample = Math.min(headLimit, CHECKSUM_SAMPLE);
    const full = sample - (files.length > 1 ? 0 : st.cutInSample);
    const k = { correct: 0, incorrect: 0, badIp: 0, lines: 0 };
    const r2 = await runLines(tcpdump, ['-n', '-vv', '-c', String(sample), '-r', file], file, o.gzip, (l) => {
      if (/cksum 0x[0-9a-f]+ \(correct\)/.test(l)) k.correct++;
      if (/incorrect|bad cksum|bad-len|truncated/.test(l)) k.incorrect++;
      if (/^\d/.test(l)) k.lines++;
    });
    add('checksums (tcpdump -vv)', r2.code === 0 && k.correct === full && k.incorrect === 0,
      `${k.correct} of ${sample} TCP checksums correct (${sample - full} cut by snaplen: not checkable), ${k.incorrect} lines with bad checksum/length`);
  }
  if (tshark && o.synFlood === 0) {
    // 3. an independent TCP analyser: conversations, and no retransmission/lost/unseen-ACK flags
    const lim = Math.min(headLimit, 50_000);
    let rows = 0;
    const r = await runLines(tshark, ['-n', '-r', file, '-c', String(lim), '-q', '-z', 'conv,tcp'], file, false, (l) => {
      if (/^\d+\.\d+\.\d+\.\d+:\d+\s+<->/.test(l)) rows++;
    });
    let expConv = null;
    if (lim === n) expConv = H.conversations;
    add('tshark conversations', r.code === 0 && (expConv === null || rows === expConv),
      `tshark conv,tcp over ${lim} packets: ${rows} conversations${expConv === null ? '' : `; generator started ${expConv}`}`);
    let flagged = 0, firstFlag = '';
    const r3 = await runLines(tshark, ['-n', '-r', file, '-c', String(lim), '-Y', 'tcp.analysis.flags && !tcp.analysis.window_update', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message'], file, false, (l) => {
      if (l.trim()) { flagged++; if (!firstFlag) firstFlag = l.trim(); }
    });
    add('tshark seq/ack analysis', r3.code === 0 && flagged === 0, `${flagged} of ${lim} packets flagged by tcp.analysis${firstFlag ? ` (first: ${firstFlag})` : ''}`);
  } else if (!tshark) add('tshark', true, 'tshark not found: conversation and seq/ack analysis skipped');
  return { ok: checks.every((x) => x.ok), checks };
}

function usage() {
  const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
  return text.split('\nimport ')[0].split('\n').filter((l) => l.startsWith('//')).map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
}

async function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`gen-capture: ${e.message}\n(--help for usage)\n`); process.exit(2); }
  if (o.help) { process.stdout.write(usage() + '\n'); return; }
  const t0 = process.hrtime.bigint();
  const st = generateCapture(o);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!o.quiet) {
    process.stderr.write(`gen-capture: ${st.packets} packets (${st.synFlood} flood SYNs) in ${secs.toFixed(2)} s, ` +
      `${o.out === '-' ? 'standard output' : `${st.files.length} file(s), ${st.captureBytes} bytes`}; frames ${st.minFrame}..${st.maxFrame} B ` +
      `(mean ${st.meanFrame.toFixed(0)}); ${st.conversations} conversations: ${st.completed} completed (fin ${st.fin}, rst ${st.rst}, ` +
      `half-closed ${st.halfClosed}) + ${st.openAtEnd} open at end\n`);
  }
  if (o.verify) {
    const v = await verifyCapture(o, st);
    for (const c of v.checks) process.stderr.write(`verify: ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
    process.stderr.write(`verify: ${v.ok ? 'all checks passed' : 'FAILED'}\n`);
    if (!v.ok) process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { process.stderr.write(`gen-capture: ${e.stack || e}\n`); process.exit(70); });
}

// Fuzz mutations: binary (bit flips, random bytes, corrupted length fields found by layout.ts,
// truncation at and inside record boundaries, splices, random files, damaged gzip) and text
// (garbage lines, binary in text, enormous lines, CRLF, wild numbers, hostile host names).
// Each returns the new bytes and a short label; a case's labels say what it did.

import { gzipSync } from 'node:zlib';
import { readField, scanLayout, writeField, type Field, type FieldKind } from './layout.js';
import type { Rng } from './rng.js';

export interface Mutated {
  bytes: Buffer;
  label: string;
}

type Mutator = (data: Buffer, rng: Rng, other: () => Buffer) => Mutated;

const INTERESTING_32 = [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 15, 16, 19, 20, 23, 24, 27, 28, 31, 32, 39, 40, 60, 64, 127, 128, 255, 256,
  1500, 4095, 4096, 65535, 65536, 65537, 262143, 262144, 262145, 0x7fffff, 0xffffff, 0x1000000, 0x1000001, 0x3ffffff, 0x4000000,
  0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff];

function interesting(rng: Rng, f: Field, current: number): number {
  const max = f.size === 0.5 ? 15 : f.size === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * f.size) - 1;
  const v = rng.weighted<() => number>([
    [4, () => rng.pick(INTERESTING_32)],
    [3, () => current + rng.pick([-4, -3, -2, -1, 1, 2, 3, 4])],
    [2, () => current * rng.pick([2, 4, 16]) + rng.int(3)],
    [1, () => Math.floor(current / rng.pick([2, 4])) ],
    [2, () => rng.int(max + 1)],
    [1, () => max],
    [1, () => (f.size === 8 ? -rng.pick([1, 2 ** 31, 2 ** 40, 2 ** 52]) : 0)],
  ])();
  if (f.size === 8) return v;
  return ((v % (max + 1)) + (max + 1)) % (max + 1);
}

/** Kinds of length field the issue names, weighted above the other structural fields. */
const LENGTH_KINDS: FieldKind[] = [
  'pcap-caplen', 'ng-block-length', 'ng-section-length', 'ng-caplen', 'ip-total-length', 'ip-ihl',
  'tcp-data-offset', 'ip6-ext-length', 'ip6-payload-length', 'tcp-option-length', 'ng-option-length', 'ng-block-trailer',
];

function corruptField(data: Buffer, rng: Rng, lengthsOnly: boolean): Mutated {
  const layout = scanLayout(data);
  let fields = layout.fields;
  if (lengthsOnly) {
    const kinds = LENGTH_KINDS.filter((k) => fields.some((f) => f.kind === k));
    if (kinds.length) {
      const kind = rng.pick(kinds);
      fields = fields.filter((f) => f.kind === kind);
    }
  }
  if (fields.length === 0) return bitFlip(data, rng);
  const out = Buffer.from(data);
  const count = rng.chance(0.8) ? 1 : rng.range(2, 6);
  const kinds: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = rng.pick(fields);
    const cur = readField(out, f);
    const v = interesting(rng, f, cur);
    writeField(out, f, v);
    kinds.push(`${f.kind}@${f.at}=${v}`);
  }
  return { bytes: out, label: `field(${kinds.join(',')})` };
}

function bitFlip(data: Buffer, rng: Rng): Mutated {
  if (data.length === 0) return { bytes: data, label: 'bitflip(empty)' };
  const out = Buffer.from(data);
  const n = rng.chance(0.6) ? 1 : rng.range(2, 32);
  for (let i = 0; i < n; i++) {
    const at = rng.int(out.length);
    out[at] = out[at]! ^ (1 << rng.int(8));
  }
  return { bytes: out, label: `bitflip(${n})` };
}

function byteSet(data: Buffer, rng: Rng): Mutated {
  if (data.length === 0) return { bytes: rng.bytes(rng.int(64)), label: 'bytes(empty)' };
  const out = Buffer.from(data);
  const n = rng.range(1, 16);
  for (let i = 0; i < n; i++) out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick([0, 0xff, 0x7f, 0x80, 0x0a, 0x0d, 0x1b, 0x20]) : rng.int(256);
  return { bytes: out, label: `byteset(${n})` };
}

function truncateAtBoundary(data: Buffer, rng: Rng): Mutated {
  const layout = scanLayout(data);
  const b = layout.boundaries;
  const at = rng.pick(b);
  const delta = rng.weighted<number>([[4, 0], [2, -1], [2, 1], [2, rng.range(2, 24)], [1, -rng.range(2, 8)]]);
  const cut = Math.max(0, Math.min(data.length, at + delta));
  return { bytes: data.subarray(0, cut), label: `truncate(boundary ${at}${delta >= 0 ? '+' : ''}${delta})` };
}

function truncateRandom(data: Buffer, rng: Rng): Mutated {
  const cut = rng.int(data.length + 1);
  return { bytes: data.subarray(0, cut), label: `truncate(${cut})` };
}

function deleteRange(data: Buffer, rng: Rng): Mutated {
  if (data.length < 2) return truncateRandom(data, rng);
  const at = rng.int(data.length);
  const n = 1 + rng.logSize(Math.min(4096, data.length - at));
  return { bytes: Buffer.concat([data.subarray(0, at), data.subarray(at + n)]), label: `delete(${at},${n})` };
}

function insertBytes(data: Buffer, rng: Rng): Mutated {
  const at = rng.int(data.length + 1);
  const n = 1 + rng.logSize(512);
  const filler = rng.chance(0.5) ? rng.bytes(n) : Buffer.alloc(n, rng.pick([0, 0xff, 0x41]));
  return { bytes: Buffer.concat([data.subarray(0, at), filler, data.subarray(at)]), label: `insert(${at},${n})` };
}

function repeatRecord(data: Buffer, rng: Rng): Mutated {
  // A record (or any range) repeated many times: long inputs from small seeds, for the time budget.
  const layout = scanLayout(data);
  const b = layout.boundaries;
  let from: number, to: number;
  if (b.length > 2) {
    const i = 1 + rng.int(b.length - 2);
    from = b[i]!; to = b[i + 1]!;
  } else {
    from = rng.int(data.length + 1); to = Math.min(data.length, from + 1 + rng.logSize(256));
  }
  const times = rng.range(2, rng.chance(0.1) ? 3000 : 50);
  const piece = data.subarray(from, to);
  const parts: Buffer[] = [data.subarray(0, to)];
  for (let i = 0; i < times; i++) parts.push(piece);
  parts.push(data.subarray(to));
  return { bytes: Buffer.concat(parts), label: `repeat(${from}-${to}x${times})` };
}

function splice(data: Buffer, rng: Rng, other: () => Buffer): Mutated {
  const o = other();
  const a = rng.int(data.length + 1), b = rng.int(o.length + 1);
  return { bytes: Buffer.concat([data.subarray(0, a), o.subarray(b)]), label: `splice(${a},${b})` };
}

function randomFile(_data: Buffer, rng: Rng): Mutated {
  const n = rng.logSize(65536);
  const heads: Array<[string, Buffer]> = [
    ['none', Buffer.alloc(0)],
    ['pcap', Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex')],
    ['pcap-be', Buffer.from('a1b2c3d4000200040000000000000000', 'hex')],
    ['pcapng', Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex')],
    ['gzip', Buffer.from('1f8b0800000000000003', 'hex')],
    ['text', Buffer.from('12:00:00.000000 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [')],
  ];
  const [name, head] = rng.pick(heads);
  return { bytes: Buffer.concat([head, rng.bytes(n)]), label: `random(${name}+${n})` };
}

function empty(): Mutated {
  return { bytes: Buffer.alloc(0), label: 'empty' };
}

// ---- text ------------------------------------------------------------------------------------

const TOKENS = [': Flags [', ', seq ', ', ack ', ', win ', ', options [', ', length ', 'IP6 ', 'IP ', ' > ', '[|tcp]', 'truncated-ip',
  ']', '[', ':', '.', ',', ' ', 'sack 3 {', '{', '}', 'TS val ', ' ecr ', 'mss ', 'wscale ', 'nop,', 'sackOK', 'proto TCP (6)', '(', ')',
  'S.', 'F.', 'R.', 'P.', 'none', 'ew', 'urg ', 'cksum 0x', ' (incorrect -> 0x1234)', 'In ', 'Out ', 'eth0 ', 'ethertype IPv4 (0x0800), ',
  '[bad hdr length 4 - too short, < 20]', 'reading from file', 'tcpdump: ', ': ICMP ', ' packet', '2024-02-30 ', '99:99:99.999999 ',
  '-', '::', 'ffff:', '4294967295', '4294967296', '18446744073709551616', '1e9', 'NaN', '-1'];
const NUMBERS = ['0', '1', '-1', '65535', '65536', '4294967295', '4294967296', '99999999999999999999999999', '00000000000000000001',
  '1.5', '', '9007199254740993', '2147483648', '1e308', '0x10'];
export const HOSTILE_NAMES = ['ev\x1b[2Jil', 'bell\x07host', '<script>alert(1)</script>', 'a&b', 'q"uo\'te', ']]>', 'x\x9b31m',
  'nul\x00l', 'del\x7f', 'tab\there', 'cr\rlf', '\u202eevil', '\xff\xfe', '%s%n', '{{7*7}}', '`id`', '&amp;', '<![CDATA[x]]>', '--><!--'];

function lines(data: Buffer): string[] {
  return data.toString('latin1').split('\n');
}

function joinLines(ls: string[]): Buffer {
  return Buffer.from(ls.join('\n'), 'latin1');
}

function textLineOp(data: Buffer, rng: Rng): Mutated {
  const ls = lines(data);
  const i = rng.int(ls.length);
  const op = rng.int(5);
  switch (op) {
    case 0: ls.splice(i, 1); return { bytes: joinLines(ls), label: `line-delete(${i + 1})` };
    case 1: ls.splice(i, 0, ls[i] ?? ''); return { bytes: joinLines(ls), label: `line-dup(${i + 1})` };
    case 2: { const j = rng.int(ls.length); [ls[i], ls[j]] = [ls[j]!, ls[i]!]; return { bytes: joinLines(ls), label: `line-swap(${i + 1},${j + 1})` }; }
    case 3: { const l = ls[i] ?? ''; const c = rng.int(l.length + 1); ls[i] = l.slice(0, c); return { bytes: joinLines(ls), label: `line-cut(${i + 1}:${c})` }; }
    default: {
      const l = ls[i] ?? '';
      const c = rng.int(l.length + 1);
      ls[i] = l.slice(0, c) + rng.pick(TOKENS) + l.slice(rng.chance(0.5) ? c : Math.min(l.length, c + rng.int(8)));
      return { bytes: joinLines(ls), label: `line-token(${i + 1}:${c})` };
    }
  }
}

function textGarbage(data: Buffer, rng: Rng): Mutated {
  const ls = lines(data);
  const i = rng.int(ls.length + 1);
  const n = rng.range(1, 5);
  const added: string[] = [];
  for (let k = 0; k < n; k++) {
    const kind = rng.int(4);
    if (kind === 0) added.push(rng.bytes(rng.logSize(200)).toString('latin1').replace(/\n/g, ' '));
    else if (kind === 1) added.push(Array.from({ length: rng.range(1, 12) }, () => rng.pick(TOKENS)).join(''));
    else if (kind === 2) added.push(Array.from({ length: rng.logSize(120) }, () => String.fromCharCode(rng.range(0x20, 0x7e))).join(''));
    else added.push((ls[rng.int(ls.length)] ?? '').split('').reverse().join(''));
  }
  ls.splice(i, 0, ...added);
  return { bytes: joinLines(ls), label: `garbage-lines(${i + 1},${n})` };
}

function textBinary(data: Buffer, rng: Rng): Mutated {
  const ls = lines(data);
  const i = rng.int(ls.length);
  const l = ls[i] ?? '';
  const c = rng.int(l.length + 1);
  const bin = rng.chance(0.5) ? rng.bytes(rng.range(1, 16)).toString('latin1').replace(/\n/g, '') : rng.pick(['\x00', '\x1b', '\x1b[2J', '\xff', '\x80', '\x9b', '\x7f', '\r', '\x0c', '\t', '\xef\xbb\xbf']);
  ls[i] = l.slice(0, c) + bin + l.slice(c);
  return { bytes: joinLines(ls), label: `binary-in-line(${i + 1}:${c})` };
}

function textEnormous(data: Buffer, rng: Rng): Mutated {
  const ls = lines(data);
  const i = rng.int(ls.length + 1);
  const size = rng.pick([65535, 65536, 65537, 70000, 131072, 200000, rng.range(1000, 300000)]);
  const base = ls[rng.int(ls.length)] ?? 'x';
  let long: string;
  switch (rng.int(4)) {
    case 0: long = 'A'.repeat(size); break;
    case 1: long = base + ' '.repeat(size); break; // a good line padded far past the limit
    case 2: long = (base.slice(0, base.indexOf('options [') + 9 || base.length) + 'nop,'.repeat(size / 4)); break;
    default: long = (base + ' ').repeat(Math.ceil(size / (base.length + 1))); break;
  }
  if (rng.chance(0.2)) return { bytes: Buffer.concat([data, Buffer.from(long, 'latin1')]), label: `enormous-tail(${long.length})` };
  ls.splice(i, 0, long);
  return { bytes: joinLines(ls), label: `enormous-line(${i + 1},${long.length})` };
}

function textCrlf(data: Buffer, rng: Rng): Mutated {
  const s = data.toString('latin1');
  const mode = rng.int(4);
  if (mode === 0) return { bytes: Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1'), label: 'crlf(all)' };
  if (mode === 1) return { bytes: Buffer.from(s.replace(/\n/g, () => (rng.chance(0.5) ? '\r\n' : '\n')), 'latin1'), label: 'crlf(some)' };
  if (mode === 2) return { bytes: Buffer.from(s.replace(/\n/g, '\r'), 'latin1'), label: 'cr-only' };
  return { bytes: Buffer.from(s.replace(/\n/g, '\n\r'), 'latin1'), label: 'lfcr' };
}

function textNumbers(data: Buffer, rng: Rng): Mutated {
  const s = data.toString('latin1');
  const runs: Array<[number, number]> = [];
  const re = /\d+/g;
  for (let m = re.exec(s); m && runs.length < 5000; m = re.exec(s)) runs.push([m.index, m.index + m[0].length]);
  if (runs.length === 0) return textGarbage(data, rng);
  let out = s;
  const n = rng.range(1, 4);
  const picks = Array.from({ length: n }, () => rng.pick(runs)).sort((a, b) => b[0] - a[0]);
  for (const [a, b] of picks) out = out.slice(0, a) + rng.pick(NUMBERS) + out.slice(b);
  return { bytes: Buffer.from(out, 'latin1'), label: `numbers(${n})` };
}

function textHostile(data: Buffer, rng: Rng): Mutated {
  // Replace addresses (a.b.c.d or IPv6) before a port with hostile host names.
  const s = data.toString('latin1');
  const name = rng.pick(HOSTILE_NAMES);
  let count = 0;
  // Bounded pieces only (at most 3 digits, 7 colon groups of at most 4 hex digits), and never from
  // inside a longer token: `[0-9a-f:]+:[0-9a-f:]+` backtracked for minutes on a long run of hex and
  // colons (seed 424242, case 713080, found by the soak).
  const out = s.replace(/(?<![0-9a-f:.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})\.(\d+)( >|:)/g, (m, _addr, port, tail) => {
    if (!rng.chance(0.5)) return m;
    count++;
    return `${name}.${port}${tail}`;
  });
  return { bytes: Buffer.from(out, 'latin1'), label: `hostile-names(${JSON.stringify(name)}x${count})` };
}

function textUtf8(data: Buffer, rng: Rng): Mutated {
  const bad = [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf0, 0x9f, 0x98, 0x80]),
    Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('é→✓', 'utf8')];
  const at = rng.chance(0.3) ? 0 : rng.int(data.length + 1);
  return { bytes: Buffer.concat([data.subarray(0, at), rng.pick(bad), data.subarray(at)]), label: `utf8(${at})` };
}

// ---- gzip ------------------------------------------------------------------------------------

export function gzipWrap(data: Buffer, rng: Rng): Mutated {
  const z = gzipSync(data, { level: rng.pick([1, 6, 9]) });
  switch (rng.int(6)) {
    case 0: return { bytes: z, label: 'gzip' };
    case 1: { const cut = rng.int(z.length); return { bytes: z.subarray(0, cut), label: `gzip-cut(${cut}/${z.length})` }; }
    case 2: { const cut = Math.max(0, z.length - rng.range(1, 8)); return { bytes: z.subarray(0, cut), label: `gzip-cut-trailer(${cut}/${z.length})` }; }
    case 3: { const o = Buffer.from(z); const at = 10 + rng.int(Math.max(1, o.length - 10)); if (at < o.length) o[at] = o[at]! ^ (1 << rng.int(8)); return { bytes: o, label: `gzip-flip(${at})` }; }
    case 4: return { bytes: Buffer.concat([z, rng.chance(0.5) ? gzipSync(data.subarray(0, rng.int(data.length + 1))) : rng.bytes(rng.range(1, 64))]), label: 'gzip-trailing' };
    default: return { bytes: gzipSync(z), label: 'gzip-twice' };
  }
}

// ---- choosing --------------------------------------------------------------------------------

const BINARY: ReadonlyArray<readonly [number, Mutator]> = [
  [8, (d, r) => corruptField(d, r, true)],
  [4, (d, r) => corruptField(d, r, false)],
  [5, bitFlip],
  [3, byteSet],
  [4, truncateAtBoundary],
  [2, truncateRandom],
  [2, deleteRange],
  [2, insertBytes],
  [1, repeatRecord],
  [1, splice],
];

const TEXT: ReadonlyArray<readonly [number, Mutator]> = [
  [5, textLineOp],
  [3, textGarbage],
  [3, textBinary],
  [1, textEnormous],
  [2, textCrlf],
  [4, textNumbers],
  [2, textHostile],
  [1, textUtf8],
  [2, bitFlip],
  [2, truncateRandom],
  [1, repeatRecord],
  [1, splice],
];

export function looksBinary(data: Buffer): boolean {
  return scanLayout(data).format !== 'other' || (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b);
}

/** One to a few stacked mutations of `data`; occasionally a random or empty file instead. */
export function mutate(data: Buffer, rng: Rng, other: () => Buffer): Mutated {
  const r = rng.float();
  if (r < 0.01) return empty();
  if (r < 0.04) return randomFile(data, rng);
  const steps = rng.weighted([[6, 1], [3, 2], [1, 3]] as const);
  let bytes = data;
  const labels: string[] = [];
  for (let i = 0; i < steps; i++) {
    const table = looksBinary(bytes) ? BINARY : TEXT;
    const m = rng.weighted(table)(bytes, rng, other);
    bytes = m.bytes;
    labels.push(m.label);
  }
  return { bytes, label: labels.join(' + ') };
}

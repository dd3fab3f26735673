// Tracking alone: decode a capture once into typed-array columns, then replay the segments into a
// fresh ConnectionTracker several times and print nanoseconds per segment (median and range) as one
// JSON line. Reading and decoding are out of the measured loop, so a change to src/tcp/ can be
// judged without the noise of I/O and the decode thread. Needs `npm run build` (it measures dist/).
//
//   node bench/track.mjs [--runs N] FILE
import { readSegments } from '../dist/src/capture/index.js';
import { AddressTable } from '../dist/src/segment/address-table.js';
import { IssueLog } from '../dist/src/segment/input-issues.js';
import { TcpSegment } from '../dist/src/segment/tcp-segment.js';
import { ConnectionTracker } from '../dist/src/tcp/connection-tracker.js';

const args = process.argv.slice(2);
let runs = 5;
const at = args.indexOf('--runs');
if (at >= 0) { runs = Number(args[at + 1]); args.splice(at, 2); }
const file = args[0];
if (!file || !(runs >= 1)) {
  console.error('usage: node bench/track.mjs [--runs N] FILE');
  process.exit(2);
}

// Every TcpSegment field the tracker reads, as columns (SACK edges too).
const NUMBERS = ['tsSec', 'tsNsec', 'src', 'dst', 'sport', 'dport', 'ipVersion', 'seq', 'ack', 'flags', 'window', 'urgent',
  'payloadLength', 'mss', 'windowScale', 'tsVal', 'tsEcr', 'sackCount', 'direction', 'interfaceId'];
const BOOLEANS = ['sackPermitted', 'hasTimestamps', 'checksumOk', 'truncated'];
let capacity = 1 << 20;
let cols = Object.fromEntries(NUMBERS.map((f) => [f, new Float64Array(capacity)]));
let flags = Object.fromEntries(BOOLEANS.map((f) => [f, new Uint8Array(capacity)]));
let sack = new Float64Array(capacity * 8);
let n = 0;
const grow = () => {
  capacity *= 2;
  const bigger = (a) => { const b = new a.constructor(a.length * 2); b.set(a); return b; };
  cols = Object.fromEntries(Object.entries(cols).map(([k, a]) => [k, bigger(a)]));
  flags = Object.fromEntries(Object.entries(flags).map(([k, a]) => [k, bigger(a)]));
  sack = bigger(sack);
};
const addresses = new AddressTable();
await readSegments([file], { addresses, issues: new IssueLog(), parallel: false }, (seg) => {
  if (n === capacity) grow();
  for (const f of NUMBERS) cols[f][n] = seg[f];
  for (const f of BOOLEANS) flags[f][n] = seg[f] ? 1 : 0;
  for (let i = 0; i < 2 * seg.sackCount && i < 8; i++) sack[n * 8 + i] = seg.sackEdges[i];
  n++;
});

const seg = new TcpSegment();
// Fill `seg` with segment i by straight-line stores generated from the column lists (a keyed loop
// would cost more than the tracking it feeds), as src/tcp/field-copier.ts does for the tracker.
const fill = new Function('seg', 'c', 'b', 'sack', 'i', [
  ...NUMBERS.map((f) => `seg.${f} = c.${f}[i];`),
  ...BOOLEANS.map((f) => `seg.${f} = b.${f}[i] === 1;`),
  'for (let k = 0; k < 2 * seg.sackCount && k < 8; k++) seg.sackEdges[k] = sack[i * 8 + k];',
].join('\n'));
const load = (i) => fill(seg, cols, flags, sack, i);

/** One pass; with `track` false only the loading, the floor under the tracked pass. */
function replay(track) {
  const tracker = new ConnectionTracker({ timeWait: 60, finTimeout: 60, keepSegments: false, maxConnections: 200_000 });
  let sink = 0;
  const t0 = process.hrtime.bigint();
  if (track) {
    for (let i = 0; i < n; i++) { load(i); tracker.add(seg); }
    tracker.finish();
  } else {
    for (let i = 0; i < n; i++) { load(i); sink += seg.flags; }
  }
  return { ns: Number(process.hrtime.bigint() - t0) + (sink < 0 ? 1 : 0), connections: tracker.opened };
}

const stats = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return { median: Math.round(s[(s.length - 1) >> 1]), min: Math.round(s[0]), max: Math.round(s[s.length - 1]) };
};
const tracked = [], loading = [];
let connections = 0;
for (let r = 0; r < runs; r++) {
  loading.push(replay(false).ns / n);
  const x = replay(true);
  tracked.push(x.ns / n);
  connections = x.connections;
}
console.log(JSON.stringify({
  file, segments: n, connections, runs,
  // per segment, the loading included; loadingNs is that loading alone
  nsPerSegment: stats(tracked), loadingNs: stats(loading),
}));

// What tracking the two halves of a capture on two threads would have to pay at the join (the
// design README "What is left" costs and does not build): how many connections span the middle
// segment, how many of the second half's segments they carry (each would be tracked again after the
// first half), and how long structured clone takes to bring half of the connections, and their
// flow records, from one thread to another. Prints one JSON line. Needs `npm run build`.
//
//   node bench/split-cost.mjs FILE
import { serialize, deserialize } from 'node:v8';
import { analyze } from '../dist/src/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/split-cost.mjs FILE');
  process.exit(2);
}

// Pass 1: the result (segment count, connections, flow records). Pass 2: per connection, its first
// segment, and how many of its segments come after the middle one.
const first = await analyze(file, { parallel: false });
const middle = Math.floor(first.segmentCount / 2);
const firstSegment = new Map();
const afterMiddle = new Map();
let index = 0;
await analyze(file, {
  parallel: false,
  onSegment: (_seg, id) => {
    if (!firstSegment.has(id)) firstSegment.set(id, index);
    if (index >= middle && firstSegment.get(id) < middle) afterMiddle.set(id, (afterMiddle.get(id) ?? 0) + 1);
    index++;
  },
});
let spanningSegments = 0;
for (const n of afterMiddle.values()) spanningSegments += n;

function timeClone(value, runs = 3) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const bytes = serialize(value);
    const t1 = performance.now();
    deserialize(bytes);
    const t2 = performance.now();
    out.push({ serializeMs: Math.round(t1 - t0), deserializeMs: Math.round(t2 - t1), mb: +(bytes.length / 1e6).toFixed(1) });
  }
  return out;
}
const half = first.connections.slice(Math.floor(first.connections.length / 2));
console.log(JSON.stringify({
  segments: first.segmentCount,
  connections: first.connections.length,
  spanningMiddle: afterMiddle.size,
  theirSegmentsAfterMiddle: spanningSegments,
  shareOfSecondHalf: +(spanningSegments / (first.segmentCount - middle)).toFixed(3),
  cloneHalfConnections: { count: half.length, runs: timeClone(half) },
  cloneHalfFlowRecords: { count: half.length, runs: timeClone(first.flows.slice(first.flows.length - half.length)) },
}));

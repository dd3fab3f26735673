#!/usr/bin/env node
// Bench stage: capture file(s) → every TCP segment read and decoded through the built library
// (dist/src/capture), printing nothing per packet; one JSON line of counts and timings at the end.
//
// usage: node bench/decode.mjs [--format pcap|pcapng|tcpdump] [--threads 1 | --inflate-only] FILE...
// --threads 1 reads and decodes on this thread only (readSegments' parallel: false): the "one core"
// figure issue 2 asks for. Without it, big files are decoded on worker threads as the CLI does.
// The counts (segments, payload bytes, SYN/FIN/RST) let the harness check that every format of the
// same traffic decodes to the same thing, so a fast but wrong reader cannot pass unnoticed.
const t0 = process.hrtime.bigint();
const dist = new URL('../dist/src/', import.meta.url);
let capture, segment, issuesMod;
try {
  capture = await import(new URL('capture/index.js', dist).href);
  segment = await import(new URL('segment/address-table.js', dist).href);
  issuesMod = await import(new URL('segment/input-issues.js', dist).href);
} catch (e) {
  process.stdout.write(JSON.stringify({ error: `library not built (npm run build): ${e.message.split('\n')[0]}` }) + '\n');
  process.exit(3);
}
if (typeof capture.readSegments !== 'function') {
  process.stdout.write(JSON.stringify({ error: 'dist/src/capture/index.js exports no readSegments' }) + '\n');
  process.exit(3);
}

const args = process.argv.slice(2);
let format;
let oneThread = false;
let inflateOnly = false;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--format') format = args[++i];
  else if (args[i] === '--threads') oneThread = args[++i] === '1';
  else if (args[i] === '--inflate-only') inflateOnly = true;
  else files.push(args[i]);
}
if (files.length === 0) {
  process.stderr.write('usage: node bench/decode.mjs [--format pcap|pcapng|tcpdump] [--threads 1 | --inflate-only] FILE...\n');
  process.exit(2);
}

// --inflate-only: the floor under the gzip rows, finscope's own inflater (gzipSource, on this
// thread) decompressing the file into one reused buffer, nothing decoded.
if (inflateOnly) {
  const { gzipSource } = await import(new URL('capture/gunzip.js', dist).href);
  const { FileByteSource } = await import(new URL('capture/byte-source.js', dist).href);
  const { open } = await import('node:fs/promises');
  const t1 = process.hrtime.bigint();
  let error = null;
  const source = gzipSource(new FileByteSource(await open(files[0], 'r')), Buffer.alloc(0), (e) => { error = e; });
  const into = Buffer.allocUnsafe(4 << 20);
  let bytes = 0;
  for (let n; (n = await source.read(into, 0, into.length)) > 0;) bytes += n;
  await source.close();
  const t2 = process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ bytes, error, loadSeconds: Number(t1 - t0) / 1e9, readSeconds: Number(t2 - t1) / 1e9 }) + '\n');
  process.exit(error === null ? 0 : 4);
}

const issues = new issuesMod.IssueLog();
const opts = { addresses: new segment.AddressTable(), issues };
if (format) opts.format = format;
if (oneThread) opts.parallel = false;
let segments = 0, payload = 0, syn = 0, fin = 0, rst = 0;
const t1 = process.hrtime.bigint();
let summary;
try {
  summary = await capture.readSegments(files, opts, (seg) => {
    segments++;
    payload += seg.payloadLength;
    const f = seg.flags;
    if (f & 0x02) syn++;
    if (f & 0x01) fin++;
    if (f & 0x04) rst++;
  });
} catch (e) {
  process.stdout.write(JSON.stringify({ error: `readSegments threw: ${e && e.message ? e.message : e}` }) + '\n');
  process.exit(4);
}
const t2 = process.hrtime.bigint();
const issueCounts = {};
for (const [code, n] of issues.counts) issueCounts[code] = n;
process.stdout.write(JSON.stringify({
  segments, payload, syn, fin, rst,
  records: summary?.records ?? null, bytes: summary?.bytes ?? null,
  issues: issueCounts,
  loadSeconds: Number(t1 - t0) / 1e9, readSeconds: Number(t2 - t1) / 1e9,
}) + '\n');

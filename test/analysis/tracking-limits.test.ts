// The bound on tracked connections (--max-connections, default DEFAULT_MAX_CONNECTIONS): a SYN
// flood is evicted into counters by Zeek conn_state, and the summary and a warning on stderr say
// how many. Counts are checked against the capture as it was built.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { analyze, DEFAULT_MAX_CONNECTIONS } from '../../src/analysis/analyze.js';
import { renderSummary } from '../../src/render/summary.js';
import { ethernetFrame, ipv4Packet, tcpBytes, writePcap, type PcapRecord } from '../capture/capture-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'finscope-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/finscope.js');
const built = existsSync(join(root, 'dist/src/cli/main.js')) ? false : 'dist/ not built (npm run build)';

const FLOOD = 300;
const BOUND = 50;

/** One complete conversation first (handshake, FIN close), then FLOOD SYNs from distinct 4-tuples. */
function floodCapture(): string {
  const records: PcapRecord[] = [];
  let t = 0;
  const push = (src: string, dst: string, sport: number, dport: number, flags: number, seq: number, ack = 0) => {
    t += 1000;
    records.push({ sec: 1_700_000_000 + Math.floor(t / 1e6), frac: t % 1e6,
      data: ethernetFrame(0x0800, ipv4Packet({ src, dst }, tcpBytes({ sport, dport, seq, ack, flags }))) });
  };
  push('10.0.0.1', '10.0.0.2', 40000, 80, 0x02, 100);
  push('10.0.0.2', '10.0.0.1', 80, 40000, 0x12, 500, 101);
  push('10.0.0.1', '10.0.0.2', 40000, 80, 0x10, 101, 501);
  push('10.0.0.1', '10.0.0.2', 40000, 80, 0x11, 101, 501);
  push('10.0.0.2', '10.0.0.1', 80, 40000, 0x11, 501, 102);
  push('10.0.0.1', '10.0.0.2', 40000, 80, 0x10, 102, 502);
  for (let i = 0; i < FLOOD; i++) push(`198.18.${i >> 8}.${i & 255}`, '172.16.9.9', 1024 + i, 80, 0x02, 7 * i);
  const path = join(dir, 'flood.pcap');
  writeFileSync(path, writePcap(records, { linkType: 1 }));
  return path;
}

describe('bounded tracking', () => {
  const file = floodCapture();

  it('evicts the oldest finished connections and unanswered SYNs into counters, by conn_state', async () => {
    const r = await analyze(file, { maxConnections: BOUND });
    assert.equal(r.flows.length, BOUND);
    assert.equal(r.limits.maxConnections, BOUND);
    assert.equal(r.limits.opened, FLOOD + 1);
    assert.equal(r.limits.evicted, FLOOD + 1 - BOUND);
    // the finished conversation went first (SF), then the oldest SYNs (S0)
    assert.deepEqual(r.limits.evictedByConnState, { SF: 1, S0: FLOOD - BOUND });
    assert.equal(r.limits.untrackedSegments, 0);
    // the newest SYNs are the ones kept
    assert.equal(r.flows[r.flows.length - 1]!.orig_h, `198.18.${(FLOOD - 1) >> 8}.${(FLOOD - 1) & 255}`);
    const text = renderSummary(r, { format: 'text' });
    assert.match(text, new RegExp(`bounded: ${FLOOD + 1 - BOUND} of ${FLOOD + 1} connections were evicted .*--max-connections ${BOUND};.*S0 ${FLOOD - BOUND}, SF 1`, 's'));
    const json = JSON.parse(renderSummary(r, { format: 'json' }));
    assert.equal(json.limits.evicted, FLOOD + 1 - BOUND);
  });

  it('says nothing when the bound was not reached; the default bound applies when none is given', async () => {
    const r = await analyze(file);
    assert.equal(r.limits.maxConnections, DEFAULT_MAX_CONNECTIONS);
    assert.equal(r.limits.evicted, 0);
    assert.equal(r.flows.length, FLOOD + 1);
    assert.doesNotMatch(renderSummary(r, { format: 'text' }), /bounded:/);
    const unbounded = await analyze(file, { maxConnections: Infinity });
    assert.equal(unbounded.limits.maxConnections, null);
    assert.equal(unbounded.flows.length, FLOOD + 1);
  });

  it('the CLI warns on stderr (not under --quiet), and flows still lists only what is held', { skip: built }, () => {
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const flows = run(['flows', '--format', 'ndjson', '--max-connections', String(BOUND), file]);
    assert.equal(flows.status, 0, flows.stderr);
    assert.equal(flows.stdout.trim().split('\n').length, BOUND);
    assert.match(flows.stderr, new RegExp(`^finscope: warning: bounded: ${FLOOD + 1 - BOUND} of ${FLOOD + 1} connections were evicted`, 'm'));
    const quiet = run(['summary', '--quiet', '--max-connections', String(BOUND), file]);
    assert.equal(quiet.status, 0);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /bounded: /);
  });
});

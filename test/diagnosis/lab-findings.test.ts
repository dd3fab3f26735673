// Findings on real captures from the kernel lab (issue 5), judged by the lab's truth.json (what `ss`
// said about every socket when the capture stopped). Captures come from samples/ (committed), else
// lab/out/ (a local lab run), else a fresh lab run when tcpdump and root are available; otherwise skip.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Truth, TruthConnection } from '../../lab/truth.js';
import type { AnalysisResult } from '../../src/analysis/analysis-result.js';
import type { FlowRecord } from '../../src/analysis/flow-record.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { analyze } from '../../src/index.js';
import { buildSummary } from '../../src/render/summary.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NEEDED = ['forking-server', 'blocked-workers', 'keepalive-idle', 'clean-close'] as const;
const OPTIONAL = ['forking-client', 'server-stopped', 'backlog-overflow', 'refused'] as const;
/** Distinct from the lab's default ports, so that a concurrent lab test does not collide. */
const BASE_PORT = 43100;

interface Case { pcap: string; truth: Truth }
const cases = new Map<string, Case>();
let skipReason: string | false = false;
let tmp: string | null = null;

async function load(pcap: string, truthFile: string): Promise<Case | null> {
  if (!existsSync(pcap) || !existsSync(truthFile)) return null;
  return { pcap, truth: JSON.parse(await readFile(truthFile, 'utf8')) as Truth };
}

async function locate(name: string): Promise<Case | null> {
  return (await load(join(REPO, 'samples', `${name}.pcap`), join(REPO, 'samples', `${name}.truth.json`)))
    ?? (await load(join(REPO, 'lab/out', name, 'capture.pcap'), join(REPO, 'lab/out', name, 'truth.json')))
    ?? (tmp ? await load(join(tmp, name, 'capture.pcap'), join(tmp, name, 'truth.json')) : null);
}

before(async () => {
  for (const n of [...NEEDED, ...OPTIONAL]) {
    const c = await locate(n);
    if (c) cases.set(n, c);
  }
  const missing = NEEDED.filter((n) => !cases.has(n));
  const want = [...NEEDED, ...OPTIONAL].filter((n) => !cases.has(n));
  if (want.length === 0) return;
  const why = await import('../../lab/lab.js').then((lab) => lab.labUnavailable(), (e: unknown) => `lab/ cannot be loaded (${String(e)})`);
  if (why) {
    if (missing.length > 0) skipReason = `no lab captures for ${missing.join(', ')} in samples/ or lab/out/, and the lab cannot run here: ${why}`;
    return;
  }
  const lab = await import('../../lab/lab.js');
  tmp = await mkdtemp(join(tmpdir(), 'finscope-diagnosis-lab-'));
  await lab.runLab({ out: tmp, scenarios: want, basePort: BASE_PORT, samples: null, log: () => undefined });
  for (const n of want) {
    const c = await locate(n);
    if (c) cases.set(n, c);
  }
  const still = NEEDED.filter((n) => !cases.has(n));
  if (still.length > 0) skipReason = `the lab run produced no capture for ${still.join(', ')}`;
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const results = new Map<string, AnalysisResult>();
async function analysed(name: string): Promise<{ result: AnalysisResult; truth: Truth } | null> {
  const c = cases.get(name);
  if (!c) return null;
  let result = results.get(name);
  if (!result) {
    result = await analyze([c.pcap], { timeWait: 60, finTimeout: 60 });
    results.set(name, result);
  }
  return { result, truth: c.truth };
}

function flowOf(result: AnalysisResult, c: TruthConnection): FlowRecord {
  const ep = (h: string, p: number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);
  const f = result.flows.find((x) => (ep(x.orig_h, x.orig_p) === c.orig.endpoint && ep(x.resp_h, x.resp_p) === c.resp.endpoint)
    || (ep(x.orig_h, x.orig_p) === c.resp.endpoint && ep(x.resp_h, x.resp_p) === c.orig.endpoint));
  assert.ok(f, `a flow for truth connection ${c.id} (${c.orig.endpoint} → ${c.resp.endpoint})`);
  return f;
}

function has(f: FlowRecord, code: string, endpoint: string): Finding | undefined {
  return f.findings.find((x) => x.code === code && x.endpoint === endpoint);
}

function need(name: string): boolean | string {
  return skipReason !== false ? skipReason : cases.has(name) ? false : `no capture for ${name}`;
}

describe('findings on the kernel lab captures', () => {
  test('forking server: fin-not-returned on the server for every connection, and the summary counts them', async (t) => {
    if (need('forking-server')) return t.skip(String(need('forking-server')));
    const { result, truth } = (await analysed('forking-server'))!;
    const leaking = truth.connections.filter((c) => c.resp.state === 'CLOSE_WAIT');
    assert.ok(leaking.length >= 2, 'the scenario leaves several server sockets in CLOSE_WAIT');
    assert.equal(leaking.length, truth.connections.length, 'every connection of the scenario leaks');
    for (const c of leaking) assert.ok(has(flowOf(result, c), 'fin-not-returned', c.resp.endpoint), `connection ${c.id}`);
    assert.equal(result.findings.filter((x) => x.code === 'fin-not-returned').length, leaking.length);
    const model = buildSummary(result);
    const server = leaking[0]!.resp.endpoint;
    const row = model.endpoints.find((r) => r.endpoint === server && r.role === 'server');
    assert.equal(row?.states.CLOSE_WAIT, leaking.length);
    assert.equal(model.endpoints[0]?.endpoint, server, 'the leaking endpoint comes first');
    const group = model.groups.find((g) => g.code === 'fin-not-returned' && g.endpoint === server);
    assert.equal(group?.count, leaking.length);
  });

  test("blocked workers: unanswered-request on the server, and peer-timeout within 5% of the client's timeout", async (t) => {
    if (need('blocked-workers')) return t.skip(String(need('blocked-workers')));
    const { result, truth } = (await analysed('blocked-workers'))!;
    const { READ_TIMEOUT_MS } = await import('../../lab/scenarios/blocked-workers.js');
    const timeout = READ_TIMEOUT_MS / 1000;
    const blocked = truth.connections.filter((c) => c.resp.state === 'CLOSE_WAIT' && (c.resp.unread_bytes ?? 0) > 0);
    assert.ok(blocked.length >= 3);
    for (const c of blocked) {
      const f = flowOf(result, c);
      const u = has(f, 'unanswered-request', c.resp.endpoint);
      assert.ok(u, `connection ${c.id}: unanswered-request on ${c.resp.endpoint}`);
      assert.equal(u.detail?.requestBytes, c.resp.unread_bytes, 'the unread bytes are the Recv-Q that ss reported');
      assert.ok(has(f, 'fin-not-returned', c.resp.endpoint));
    }
    const pt = result.findings.filter((x) => x.code === 'peer-timeout');
    assert.equal(pt.length, 1);
    assert.equal(pt[0]!.endpoint, blocked[0]!.resp.endpoint);
    assert.equal(pt[0]!.detail?.closer, 'orig');
    const seconds = pt[0]!.detail?.seconds as number;
    assert.ok(Math.abs(seconds - timeout) <= 0.05 * timeout, `measured ${seconds} s, the client's timeout is ${timeout} s`);
    assert.equal(pt[0]!.flows?.length, blocked.length);
  });

  test('keep-alive: client-side CLOSE_WAIT with idle-pool-close-wait, and the RST on reuse', async (t) => {
    if (need('keepalive-idle')) return t.skip(String(need('keepalive-idle')));
    const { result, truth } = (await analysed('keepalive-idle'))!;
    const held = truth.connections.filter((c) => c.orig.state === 'CLOSE_WAIT');
    assert.ok(held.length >= 1);
    for (const c of held) {
      const f = flowOf(result, c);
      assert.ok(has(f, 'fin-not-returned', c.orig.endpoint), `connection ${c.id}: fin-not-returned on the client`);
      assert.ok(has(f, 'idle-pool-close-wait', c.orig.endpoint), `connection ${c.id}: idle-pool-close-wait on the client`);
    }
    const reused = truth.connections.filter((c) => c.first_fin === 'resp' && c.first_rst === 'resp');
    assert.ok(reused.length >= 1, 'the scenario reuses one connection');
    for (const c of reused) {
      assert.ok(has(flowOf(result, c), 'reset-after-half-close', c.orig.endpoint), `connection ${c.id}: reset-after-half-close`);
    }
    assert.equal(result.findings.filter((x) => x.code === 'unanswered-request').length, 0, 'the requests were answered');
  });

  test('clean closes: no warning or error at all', async (t) => {
    if (need('clean-close')) return t.skip(String(need('clean-close')));
    const { result } = (await analysed('clean-close'))!;
    const loud = result.findings.filter((x) => x.severity !== 'info');
    assert.deepEqual(loud.map((x) => `${x.code} ${x.endpoint}`), []);
    assert.ok(result.flows.length >= 6);
  });

  test('forking client: duplicate-connection on the client that holds the old socket', async (t) => {
    if (need('forking-client')) return t.skip(String(need('forking-client')));
    const { result, truth } = (await analysed('forking-client'))!;
    const old = truth.connections.find((c) => c.orig.state === 'CLOSE_WAIT');
    const fresh = truth.connections.find((c) => c.orig.state === 'ESTABLISHED');
    assert.ok(old && fresh);
    const d = has(flowOf(result, old), 'duplicate-connection', old.orig.endpoint);
    assert.ok(d);
    assert.deepEqual(d.flows, [flowOf(result, old).id, flowOf(result, fresh).id]);
  });

  test('server stopped: the write after the server went away draws reset-after-half-close', async (t) => {
    if (need('server-stopped')) return t.skip(String(need('server-stopped')));
    const { result, truth } = (await analysed('server-stopped'))!;
    const reset = truth.connections.filter((c) => c.first_fin === 'resp' && c.first_rst === 'resp');
    assert.ok(reset.length >= 1);
    for (const c of reset) assert.ok(has(flowOf(result, c), 'reset-after-half-close', c.orig.endpoint));
    for (const c of truth.connections.filter((x) => x.orig.state === 'CLOSE_WAIT')) {
      assert.ok(has(flowOf(result, c), 'fin-not-returned', c.orig.endpoint));
    }
  });

  test('backlog overflow: the dropped SYNs are accept-backlog-overflow, not syn-unanswered', async (t) => {
    if (need('backlog-overflow')) return t.skip(String(need('backlog-overflow')));
    const { result, truth } = (await analysed('backlog-overflow'))!;
    const dropped = truth.connections.filter((c) => c.orig.state === 'SYN_SENT');
    assert.ok(dropped.length >= 1);
    for (const c of dropped) assert.ok(has(flowOf(result, c), 'accept-backlog-overflow', c.resp.endpoint));
    assert.equal(result.findings.filter((x) => x.code === 'syn-unanswered').length, 0);
  });

  test('refused: connection-refused on the closed port', async (t) => {
    if (need('refused')) return t.skip(String(need('refused')));
    const { result, truth } = (await analysed('refused'))!;
    for (const c of truth.connections) assert.ok(has(flowOf(result, c), 'connection-refused', c.resp.endpoint));
  });
});

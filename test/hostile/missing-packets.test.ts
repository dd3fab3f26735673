// Never lie: captures that lost packets around a close. A FIN that was acknowledged but never seen
// ("ACKed unseen") must not turn into an invented CLOSE_WAIT (and a false leak finding); the states
// it could change are UNKNOWN and say why. Controls with every segment present keep their exact
// states, so the rule cannot pass by making everything UNKNOWN.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analysis/analyze.js';
import type { AnalysisResult } from '../../src/analysis/analysis-result.js';
import { formatTable } from '../../src/render/flows.js';
import { renderSummary } from '../../src/render/summary.js';
import { frame, type Packet } from '../fuzz/captures.js';
import { Rng } from '../fuzz/rng.js';

const CLIENT = [10, 0, 0, 1], SERVER = [10, 0, 0, 2];
const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;
const T0 = 1_700_000_000;

type Step = [from: 'c' | 's', flags: number, seq: number, ack: number, len?: number, at?: number];

function pcapOf(steps: Step[]): Buffer {
  const rng = new Rng(1, 1);
  const parts: Buffer[] = [Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex')];
  let t = 0;
  for (const [from, flags, seq, ack, len, at] of steps) {
    t = at ?? t + 0.01;
    const c = from === 'c';
    const p: Packet = {
      sec: T0 + Math.floor(t), usec: Math.round((t % 1) * 1e6), v6: false, src: c ? CLIENT : SERVER, dst: c ? SERVER : CLIENT,
      sport: c ? 40000 : 8080, dport: c ? 8080 : 40000, flags, seq, ack, win: 1000, payload: len ?? 0, options: [],
    };
    const f = Buffer.from(frame(p, 'ethernet', rng));
    const h = Buffer.alloc(16);
    h.writeUInt32LE(p.sec, 0); h.writeUInt32LE(p.usec, 4); h.writeUInt32LE(f.length, 8); h.writeUInt32LE(f.length, 12);
    parts.push(h, f);
  }
  return Buffer.concat(parts);
}

function run(steps: Step[]): Promise<AnalysisResult> {
  return analyze('-', { stdin: Readable.from([pcapOf(steps)]), minAge: 0 });
}

// Handshake and one request/response; client ISN 100, server ISN 500.
const HANDSHAKE: Step[] = [
  ['c', F.SYN, 100, 0], ['s', F.SYN | F.ACK, 500, 101], ['c', F.ACK, 101, 501],
  ['c', F.PSH | F.ACK, 101, 501, 10], ['s', F.ACK, 501, 111], ['s', F.PSH | F.ACK, 501, 111, 20], ['c', F.ACK, 111, 521],
];
const C_FIN: Step = ['c', F.FIN | F.ACK, 111, 521];
const S_ACK_C_FIN: Step = ['s', F.ACK, 521, 112];
const S_FIN: Step = ['s', F.FIN | F.ACK, 521, 112];
const C_ACK_S_FIN: Step = ['c', F.ACK, 112, 522];
const LATER: Step = ['c', F.SYN, 9000, 0, 0, 30]; // another connection 30 s later: the capture goes on

function states(r: AnalysisResult, id = 1): [string, string] {
  const f = r.flows.find((x) => x.id === id)!;
  return [f.orig_state, f.resp_state];
}

function leakFindings(r: AnalysisResult): string[] {
  return r.findings.filter((f) => f.flow === 1 && (f.code === 'fin-not-returned' || f.code === 'idle-pool-close-wait')).map((f) => `${f.code} ${f.endpoint}`);
}

describe('captures that lost packets around a close', () => {
  it('control: every segment of an orderly close present gives TIME_WAIT and CLOSED, nothing unknown', async () => {
    const r = await run([...HANDSHAKE, C_FIN, S_ACK_C_FIN, S_FIN, C_ACK_S_FIN, LATER]);
    assert.deepEqual(states(r), ['TIME_WAIT', 'CLOSED']);
    assert.equal(r.flows[0]!.orig_acked_unseen, 0);
    assert.equal(r.flows[0]!.resp_acked_unseen, 0);
  });

  it('the client FIN is missing (the server ACKed it): no CLOSE_WAIT is invented for the client, both states UNKNOWN, and the table says why', async () => {
    const r = await run([...HANDSHAKE, S_ACK_C_FIN, S_FIN, C_ACK_S_FIN, LATER]);
    // Before: the server's FIN looked like the first close, the client was put in CLOSE_WAIT and
    // accused of a leak (fin-not-returned), when in truth it had closed first (TIME_WAIT).
    assert.deepEqual(states(r), ['UNKNOWN', 'UNKNOWN']);
    assert.equal(r.flows[0]!.orig_acked_unseen, 1, 'one byte of the client (its FIN) acknowledged but never seen');
    assert.deepEqual(leakFindings(r), []);
    const reasons = r.connections[0]!.changes.filter((c) => c.to === 'UNKNOWN').map((c) => `${c.endpoint} ${c.from} ${c.reason}`);
    assert.deepEqual(reasons.sort(), ['orig CLOSE_WAIT acked-unseen', 'resp FIN_WAIT_2 acked-unseen']);
    assert.match(formatTable(r.flows, false), /UNKNOWN \(lost\)\s+UNKNOWN \(lost\)/);
    assert.doesNotMatch(renderSummary(r, { format: 'text' }), /CLOSE_WAIT \d/);
  });

  it('the server FIN is missing (the client ACKed it): the server is not reported in CLOSE_WAIT', async () => {
    const r = await run([...HANDSHAKE, C_FIN, S_ACK_C_FIN, C_ACK_S_FIN, LATER]);
    const [orig, resp] = states(r);
    assert.notEqual(resp, 'CLOSE_WAIT');
    assert.equal(resp, 'UNKNOWN');
    assert.ok(orig === 'UNKNOWN' || orig === 'CLOSED', orig); // FIN_WAIT_2 would be a guess; fin-timeout may have ended it
    assert.equal(r.flows[0]!.resp_acked_unseen, 1);
    assert.deepEqual(leakFindings(r), []);
  });

  it('a real leak stays a leak: the server FIN acknowledged, the client never closes: CLOSE_WAIT and its finding', async () => {
    const r = await run([...HANDSHAKE, ['s', F.FIN | F.ACK, 521, 111], ['c', F.ACK, 111, 522], LATER]);
    assert.deepEqual(states(r), ['CLOSE_WAIT', 'FIN_WAIT_2']);
    assert.deepEqual(leakFindings(r), ['fin-not-returned 10.0.0.1:40000']);
  });

  it('the ACK of a FIN is missing but the peer FIN+ACK acknowledges it: the close is complete', async () => {
    const r = await run([...HANDSHAKE, C_FIN, S_FIN, C_ACK_S_FIN, LATER]);
    assert.deepEqual(states(r), ['TIME_WAIT', 'CLOSED']);
  });

  it('the last ACK is missing: the server stays LAST_ACK (its FIN unacknowledged), nothing is marked lost', async () => {
    const r = await run([...HANDSHAKE, C_FIN, S_ACK_C_FIN, S_FIN, LATER]);
    assert.equal(states(r)[1], 'LAST_ACK');
    assert.equal(r.flows[0]!.orig_acked_unseen, 0);
    assert.equal(r.flows[0]!.resp_acked_unseen, 0);
  });

  it('the handshake is missing (capture starts mid-flow): no SYN state is invented, states come from evidence', async () => {
    const r = await run([['c', F.PSH | F.ACK, 101, 501, 10], ['s', F.ACK, 501, 111], ['s', F.FIN | F.ACK, 501, 111], ['c', F.ACK, 111, 502], LATER]);
    const f = r.flows[0]!;
    assert.doesNotMatch(f.history, /S/);
    for (const c of r.connections[0]!.changes) assert.ok(!/SYN/.test(c.to), `${c.endpoint} -> ${c.to}`);
    assert.equal(f.orig_acked_unseen, 0);
    assert.equal(f.resp_acked_unseen, 0);
    assert.ok(f.orig_state === 'CLOSE_WAIT' || f.resp_state === 'CLOSE_WAIT', 'the side that ACKed the FIN is in CLOSE_WAIT: that is evidence');
  });

  it('data lost in the middle, followed by more data from the same side, changes no state', async () => {
    // The server's bytes 521..620 are never seen; its next segment (621) and its FIN (631) are.
    const r = await run([...HANDSHAKE, ['s', F.PSH | F.ACK, 621, 111, 10], ['c', F.ACK, 111, 631], ['s', F.FIN | F.ACK, 631, 111],
      ['c', F.ACK, 111, 632], LATER]);
    assert.equal(r.flows[0]!.resp_acked_unseen, 0);
    assert.equal(states(r)[0], 'CLOSE_WAIT');
  });
});

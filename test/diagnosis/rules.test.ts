// Rule unit tests: hand-made conversations run through the real TCP tracker, then diagnosed.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Wire, withCode, codes, T0 } from './wire.js';

describe('fin-not-returned', () => {
  const leak = (endAfterFin: number) => {
    const w = new Wire();
    const c = w.conversation('127.0.0.1', 55313, '127.0.0.1', 9000);
    c.handshake(0);
    c.exchange(0.1);
    const fin = c.fin('client', 0.2);
    const ack = c.ack('server', 0.25);
    return { ...w.diagnose({ end: 0.2 + endAfterFin }), fin, ack, c };
  };

  test('server in CLOSE_WAIT at capture end is reported on the server endpoint, with the FIN and its ACK as evidence', () => {
    const { findings, flows, fin, ack, c } = leak(30);
    const f = withCode(findings, 'fin-not-returned');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, c.serverEndpoint);
    assert.equal(f[0]!.endpoint, '127.0.0.1:9000');
    assert.deepEqual(f[0]!.evidence, [fin, ack]);
    assert.ok(Math.abs(f[0]!.since - (T0 + 0.2)) < 1e-6);
    assert.ok(Math.abs(f[0]!.age - 30) < 1e-3);
    assert.equal(f[0]!.flow, 1);
    assert.equal(flows[0]!.resp_state, 'CLOSE_WAIT');
    assert.ok(flows[0]!.findings.some((x) => x.code === 'fin-not-returned'), 'attached to the flow');
    assert.match(f[0]!.message, /CLOSE_WAIT/);
    assert.match(f[0]!.message, /ss -tanp state close-wait/);
  });

  test('severity grows with age: info below --min-age, warning, error from errorAge', () => {
    assert.equal(withCode(leak(1).findings, 'fin-not-returned')[0]!.severity, 'info');
    assert.equal(withCode(leak(10).findings, 'fin-not-returned')[0]!.severity, 'warning');
    assert.equal(withCode(leak(120).findings, 'fin-not-returned')[0]!.severity, 'error');
  });

  test('--min-age moves the info/warning line', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.1', 40000, '10.0.0.2', 80);
    c.handshake(0);
    c.fin('client', 1);
    c.ack('server', 1.001);
    const { findings } = w.diagnose({ end: 11, thresholds: { minAge: 20 } });
    assert.equal(withCode(findings, 'fin-not-returned')[0]!.severity, 'info');
  });

  test('the client side in CLOSE_WAIT is named by its own endpoint; IPv6 endpoints are bracketed', () => {
    const w = new Wire();
    const c = w.conversation('::1', 41000, '::1', 8080);
    c.handshake(0);
    c.exchange(0.1);
    c.fin('server', 1);
    c.ack('client', 1.001);
    const { findings } = w.diagnose({ end: 20 });
    const f = withCode(findings, 'fin-not-returned');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, '[::1]:41000');
  });

  test('orderly closes, from either side, leave nothing to report', () => {
    const w = new Wire();
    const a = w.conversation('10.0.0.1', 40001, '10.0.0.2', 80);
    a.handshake(0); a.exchange(0.1); a.close('client', 0.2);
    const b = w.conversation('10.0.0.1', 40002, '10.0.0.2', 80);
    b.handshake(1); b.exchange(1.1); b.close('server', 1.2);
    const { findings, flows } = w.diagnose({ end: 30 });
    assert.deepEqual(findings, []);
    assert.deepEqual(flows.map((f) => f.findings.length), [0, 0, 0]);
  });
});

describe('unanswered-request', () => {
  const blocked = (opts: { zero?: boolean; answerLate?: boolean } = {}) => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 50000, '10.0.0.5', 8080);
    c.handshake(0);
    const req = c.data('client', 0.1, 300);
    // the kernel ACKs the request; unread, it shrinks the window by exactly the request size
    const ack = c.ack('server', 0.1001, opts.zero ? 0 : 65408 - 300);
    const fin = c.fin('client', 2.1);
    c.ack('server', 2.1001);
    if (opts.answerLate) c.data('server', 3, 50);
    return { ...w.diagnose({ end: 10 }), req, ack, fin, c };
  };

  test('request ACKed, never answered, peer closed after its timeout: reported on the server with the window shrink', () => {
    const { findings, req, ack, fin, c } = blocked();
    const f = withCode(findings, 'unanswered-request');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, c.serverEndpoint);
    assert.equal(f[0]!.severity, 'warning');
    assert.deepEqual(f[0]!.evidence, [req, ack, fin]);
    assert.ok(Math.abs((f[0]!.detail!.idle as number) - 2.0) < 1e-6);
    // 65408 − 300 rounded up to the 128-byte scale unit: the wire shows 256 of the 300 unread bytes
    assert.equal(f[0]!.detail!.windowShrink, 256);
    assert.match(f[0]!.message, /shrank from 65408 to 65152 bytes, by the 300 bytes it received \(as far as the 128-byte window scale shows\)/);
    assert.match(f[0]!.message, /Recv-Q/);
    // the server also sits in CLOSE_WAIT
    assert.equal(withCode(findings, 'fin-not-returned').length, 1);
  });

  test('a zero window makes it an error', () => {
    const f = withCode(blocked({ zero: true }).findings, 'unanswered-request');
    assert.equal(f[0]!.severity, 'error');
    assert.match(f[0]!.message, /fell to zero/);
  });

  test('an answer after the peer gave up is still reported, as too slow', () => {
    const f = withCode(blocked({ answerLate: true }).findings, 'unanswered-request');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.detail!.answeredLate, true);
    assert.match(f[0]!.message, /too slow/);
  });

  test('a complete exchange followed by an idle close is not an unanswered request (on either side)', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 50001, '10.0.0.5', 8080);
    c.handshake(0);
    c.exchange(0.1);
    c.fin('server', 5.1);
    c.ack('client', 5.1001);
    const { findings } = w.diagnose({ end: 10 });
    assert.equal(withCode(findings, 'unanswered-request').length, 0);
  });

  test('a quick close after the request (shutdown-style) is not a timeout', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 50002, '10.0.0.5', 8080);
    c.handshake(0);
    c.data('client', 0.1, 100);
    c.fin('client', 0.2);
    c.ack('server', 0.2001);
    const { findings } = w.diagnose({ end: 1 });
    assert.equal(withCode(findings, 'unanswered-request').length, 0);
  });
});

describe('peer-timeout', () => {
  test('clients closing unanswered requests after the same 2.0 s: one warning with the value', () => {
    const w = new Wire();
    const idles = [2.0, 2.004, 1.998, 2.01, 2.002];
    idles.forEach((idle, i) => {
      const c = w.conversation('10.0.0.9', 51000 + i, '10.0.0.5', 8080);
      const t = i * 0.3;
      c.handshake(t);
      c.data('client', t + 0.1, 120);
      c.ack('server', t + 0.1001, 65408 - 120);
      c.fin('client', t + 0.1 + idle);
      c.ack('server', t + 0.1001 + idle);
    });
    const { findings, flows } = w.diagnose({ end: 20 });
    const f = withCode(findings, 'peer-timeout');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, '10.0.0.5:8080');
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.detail!.closer, 'orig');
    assert.equal(f[0]!.detail!.count, 5);
    assert.ok(Math.abs((f[0]!.detail!.seconds as number) - 2.002) < 0.003);
    assert.ok((f[0]!.detail!.spread as number) <= 0.01);
    assert.deepEqual(f[0]!.flows, [1, 2, 3, 4, 5]);
    assert.equal(f[0]!.flow, undefined);
    // each member flow carries a copy without the id list
    for (const fl of flows.slice(0, 5)) {
      const copy = fl.findings.find((x) => x.code === 'peer-timeout');
      assert.ok(copy);
      assert.equal(copy.flows, undefined);
    }
  });

  test('a server closing idle keep-alive connections after 5 s: info, and the hint names 5 s defaults', () => {
    const w = new Wire();
    for (let i = 0; i < 4; i++) {
      const c = w.conversation('10.0.0.9', 52000 + i, '10.0.0.5', 3000);
      const t = i * 0.5;
      c.handshake(t);
      const end = c.exchange(t + 0.1);
      c.fin('server', end + 5.0 + i * 0.001);
      c.ack('client', end + 5.0 + i * 0.001 + 0.0001);
    }
    const { findings } = w.diagnose({ end: 30 });
    const f = withCode(findings, 'peer-timeout');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'info');
    assert.equal(f[0]!.detail!.closer, 'resp');
    assert.ok((f[0]!.detail!.matches as string[]).some((m) => m.includes('keepAliveTimeout')));
    assert.match(f[0]!.message, /a hint, not a certainty/);
  });

  test('idle times all over the place are not a timer', () => {
    const w = new Wire();
    [1.5, 4, 9, 17, 33].forEach((idle, i) => {
      const c = w.conversation('10.0.0.9', 53000 + i, '10.0.0.5', 8080);
      c.handshake(i);
      c.exchange(i + 0.1);
      c.fin('client', i + 0.2 + idle);
      c.ack('server', i + 0.2001 + idle);
      c.fin('server', i + 0.2002 + idle);
      c.ack('client', i + 0.2003 + idle);
    });
    assert.equal(withCode(w.diagnose({ end: 60 }).findings, 'peer-timeout').length, 0);
  });
});

describe('idle-pool-close-wait and reset-after-half-close', () => {
  test('server closes an idle pooled connection; the client keeps it in CLOSE_WAIT', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 54000, '10.0.0.5', 8080);
    c.handshake(0);
    const end = c.exchange(0.1);
    const fin = c.fin('server', end + 5);
    c.ack('client', end + 5.0001);
    const { findings } = w.diagnose({ end: 40 });
    const f = withCode(findings, 'idle-pool-close-wait');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, c.clientEndpoint);
    assert.equal(f[0]!.severity, 'warning');
    assert.ok(f[0]!.evidence!.includes(fin));
    assert.deepEqual(codes(findings), ['fin-not-returned', 'idle-pool-close-wait']);
  });

  test('reusing it later draws an RST: reset-after-half-close (not aborted), pool finding stays as info', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 54001, '10.0.0.5', 8080);
    c.handshake(0);
    const end = c.exchange(0.1);
    const fin = c.fin('server', end + 5);
    c.ack('client', end + 5.0001);
    const write = c.data('client', end + 12, 80);
    const rst = c.rst('server', end + 12.0001, true);
    const { findings, flows } = w.diagnose({ end: 40 });
    const r = withCode(findings, 'reset-after-half-close');
    assert.equal(r.length, 1);
    assert.equal(r[0]!.endpoint, c.clientEndpoint);
    assert.deepEqual(r[0]!.evidence, [fin, write, rst]);
    assert.ok(Math.abs(r[0]!.age - 7) < 1e-3);
    assert.equal(withCode(findings, 'aborted').length, 0, 'superseded');
    const p = withCode(findings, 'idle-pool-close-wait');
    assert.equal(p.length, 1);
    assert.equal(p[0]!.severity, 'info');
    assert.equal(flows[0]!.orig_state, 'CLOSED');
  });

  test('a client that closes right after the server does is fine', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 54002, '10.0.0.5', 8080);
    c.handshake(0);
    const end = c.exchange(0.1);
    c.close('server', end + 5);
    assert.deepEqual(w.diagnose({ end: 20 }).findings, []);
  });
});

describe('duplicate-connection', () => {
  const forked = (reconnectAfter: number) => {
    const w = new Wire();
    const old = w.conversation('10.0.0.9', 55000, '10.0.0.5', 2181);
    old.handshake(0);
    const end = old.exchange(0.1);
    old.fin('server', end + 0.2);
    old.ack('client', end + 0.2001);
    const fresh = w.conversation('10.0.0.9', 55001, '10.0.0.5', 2181);
    fresh.handshake(end + 0.2 + reconnectAfter);
    fresh.exchange(end + 0.3 + reconnectAfter);
    return { ...w.diagnose({ end: end + 30 + reconnectAfter }), old };
  };

  test('a CLOSE_WAIT beside a new ESTABLISHED connection opened right after the close', () => {
    const { findings, old } = forked(0.01);
    const f = withCode(findings, 'duplicate-connection');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, old.clientEndpoint);
    assert.equal(f[0]!.flow, 1);
    assert.deepEqual(f[0]!.flows, [1, 2]);
    assert.match(f[0]!.message, /fork/);
  });

  test('a new connection much later is not the same story', () => {
    assert.equal(withCode(forked(120).findings, 'duplicate-connection').length, 0);
  });
});

describe('time-wait-pile-up', () => {
  test('many client-side TIME_WAIT towards one service (threshold lowered for the test)', () => {
    const w = new Wire();
    for (let i = 0; i < 6; i++) {
      const c = w.conversation('10.0.0.9', 56000 + i, '10.0.0.5', 80);
      c.handshake(i * 0.1);
      c.exchange(i * 0.1 + 0.01);
      c.close('client', i * 0.1 + 0.05);
    }
    const { findings } = w.diagnose({ end: 2, thresholds: { timeWaitInfo: 5 } });
    const f = withCode(findings, 'time-wait-pile-up');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'info');
    assert.equal(f[0]!.endpoint, '10.0.0.5:80');
    assert.equal(f[0]!.detail!.host, '10.0.0.9');
    assert.equal(f[0]!.flows!.length, 6);
    // with the default threshold (500) six are nothing
    const w2 = new Wire();
    const c = w2.conversation('10.0.0.9', 56100, '10.0.0.5', 80);
    c.handshake(0); c.close('client', 0.1);
    assert.equal(withCode(w2.diagnose({ end: 2 }).findings, 'time-wait-pile-up').length, 0);
  });
});

describe('handshake failures', () => {
  test('syn-unanswered: retransmitted SYNs to a port that answers nobody', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 57000, '10.0.0.77', 5432);
    c.synOnly(0, 3, 1);
    const { findings } = w.diagnose({ end: 5 });
    const f = withCode(findings, 'syn-unanswered');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, '10.0.0.77:5432');
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.detail!.syns, 3);
  });

  test('a single SYN in flight when the capture stopped is not reported', () => {
    const w = new Wire();
    w.conversation('10.0.0.9', 57001, '10.0.0.77', 5432).synOnly(0.8);
    assert.deepEqual(w.diagnose({ end: 1 }).findings, []);
  });

  test('accept-backlog-overflow: SYN retransmissions to a port that answers others (and no syn-unanswered)', () => {
    const w = new Wire();
    for (let i = 0; i < 2; i++) w.conversation('10.0.0.9', 58000 + i, '10.0.0.5', 8000).handshake(i * 0.1);
    const slow = w.conversation('10.0.0.9', 58010, '10.0.0.5', 8000);
    slow.handshake(1, { synCopies: 3 });
    const dropped = w.conversation('10.0.0.9', 58011, '10.0.0.5', 8000);
    dropped.synOnly(1.5, 3, 1);
    const synAck = w.conversation('10.0.0.9', 58012, '10.0.0.5', 8000);
    synAck.handshake(2, { synAckCopies: 2 });
    const { findings } = w.diagnose({ end: 10 });
    const f = withCode(findings, 'accept-backlog-overflow');
    assert.deepEqual(f.map((x) => x.flow), [3, 4, 5]);
    assert.ok(f.every((x) => x.endpoint === '10.0.0.5:8000' && x.severity === 'warning'));
    assert.equal(withCode(findings, 'syn-unanswered').length, 0);
  });

  test('connection-refused: SYN answered by RST; warning once several attempts were refused', () => {
    const w = new Wire();
    w.conversation('10.0.0.9', 59000, '10.0.0.5', 6379).refuse(0);
    let f = withCode(w.diagnose({ end: 1 }).findings, 'connection-refused');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, '10.0.0.5:6379');
    assert.equal(f[0]!.severity, 'info');
    assert.equal(withCode(w.diagnose().findings, 'aborted').length, 0);
    const w2 = new Wire();
    for (let i = 0; i < 3; i++) w2.conversation('10.0.0.9', 59010 + i, '10.0.0.5', 6379).refuse(i);
    f = withCode(w2.diagnose({ end: 5 }).findings, 'connection-refused');
    assert.equal(f.length, 3);
    assert.ok(f.every((x) => x.severity === 'warning'));
  });
});

describe('aborted and zero-window', () => {
  test('RST after data is reported on the sender; with the peer\'s data unanswered it is a warning', () => {
    const w = new Wire();
    const a = w.conversation('10.0.0.9', 60000, '10.0.0.5', 8080);
    a.handshake(0); a.exchange(0.1);
    const r = a.rst('client', 0.5);
    const b = w.conversation('10.0.0.9', 60001, '10.0.0.5', 8080);
    b.handshake(1); b.data('client', 1.1, 500); b.ack('server', 1.1001);
    b.rst('server', 1.5);
    const { findings } = w.diagnose({ end: 2 });
    const f = withCode(findings, 'aborted');
    assert.equal(f.length, 2);
    assert.equal(f[0]!.endpoint, a.clientEndpoint);
    assert.equal(f[0]!.severity, 'info');
    assert.ok(f[0]!.evidence!.includes(r));
    assert.equal(f[1]!.endpoint, b.serverEndpoint);
    assert.equal(f[1]!.severity, 'warning');
    assert.match(f[1]!.message, /unread/);
  });

  test('a zero window held for seconds is a warning, dated at its first advertisement', () => {
    const w = new Wire();
    const c = w.conversation('10.0.0.9', 61000, '10.0.0.5', 9092);
    c.handshake(0);
    c.data('client', 0.1, 1000);
    const zero = c.ack('server', 0.2, 0);
    c.ack('server', 2.5, 65408);
    const { findings } = w.diagnose({ end: 5 });
    const f = withCode(findings, 'zero-window');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.endpoint, c.serverEndpoint);
    assert.deepEqual(f[0]!.evidence, [zero]);
    assert.ok(Math.abs(f[0]!.since - (T0 + 0.2)) < 1e-6);
  });
});

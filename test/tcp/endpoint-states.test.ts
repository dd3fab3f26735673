// Unit tests of the per-endpoint state machine, grouped per state (smoltcp style): each group starts
// from a fixture that the previous group built and drives one more transition.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLIENT_ISN, SERVER_ISN, Scenario, closeWait, closedByFin, established, exchanged, finWait1, lastAck, synReceived,
  synSent,
} from './builders.js';
import { E_FIN_ACKED, E_RECV_FIN, E_SEND_FIN, S_CLOSE_WAIT, S_ESTABLISHED, S_FIN_WAIT_1, S_FIN_WAIT_2, S_LAST_ACK, nextState } from '../../src/tcp/endpoint-state.js';

describe('transition table', () => {
  test('is pure and answers -1 for events a state does not expect', () => {
    assert.equal(nextState(S_ESTABLISHED, E_RECV_FIN), S_CLOSE_WAIT);
    assert.equal(nextState(S_CLOSE_WAIT, E_SEND_FIN), S_LAST_ACK);
    assert.equal(nextState(S_FIN_WAIT_1, E_FIN_ACKED), S_FIN_WAIT_2);
    assert.equal(nextState(S_ESTABLISHED, E_FIN_ACKED), -1);
  });
});

describe('SYN_SENT', () => {
  test('a SYN moves the client from CLOSED to SYN_SENT; the silent server stays CLOSED', () => {
    const sc = synSent();
    assert.deepEqual(sc.changes(), ['orig:CLOSED>SYN_SENT@0']);
    assert.deepEqual(sc.end(), ['SYN_SENT', 'CLOSED']);
    assert.equal(sc.conn().connState, 'S0');
    assert.equal(sc.conn().history, 'S');
  });

  test('a retransmitted SYN (same ISN) is not a new event and stays in the same connection', () => {
    const sc = synSent();
    const id = sc.send({ from: 'c', flags: 'S', seq: CLIENT_ISN, at: 1 });
    const id2 = sc.send({ from: 'c', flags: 'S', seq: CLIENT_ISN, at: 3 });
    assert.equal(id, 1);
    assert.equal(id2, 1);
    assert.deepEqual(sc.changes(), ['orig:CLOSED>SYN_SENT@0']);
    assert.equal(sc.conn().orig.synRetransmissions, 2);
    assert.equal(sc.conn().history, 'S');
  });

  test('connection refused: RST+ACK acknowledging the SYN closes the client (REJ)', () => {
    const sc = synSent();
    sc.send({ from: 's', flags: 'R.', seq: 0, ack: CLIENT_ISN + 1 });
    assert.deepEqual(sc.end(), ['CLOSED', 'CLOSED']);
    assert.equal(sc.conn().connState, 'REJ');
    assert.equal(sc.conn().history, 'Sr');
  });

  test('an RST that does not acknowledge the SYN is ignored in SYN_SENT (RFC 9293)', () => {
    const sc = synSent();
    sc.send({ from: 's', flags: 'R.', seq: 0, ack: CLIENT_ISN + 77 });
    assert.deepEqual(sc.end(), ['SYN_SENT', 'CLOSED']);
    assert.equal(sc.conn().resp.rstOutOfWindow, 1);
  });
});

describe('SYN_RECEIVED', () => {
  test('the SYN+ACK moves the server to SYN_RECEIVED and the client to ESTABLISHED', () => {
    const sc = synReceived();
    assert.deepEqual(sc.changes(), ['orig:CLOSED>SYN_SENT@0', 'resp:CLOSED>SYN_RECEIVED@1', 'orig:SYN_SENT>ESTABLISHED@1']);
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'SYN_RECEIVED']);
  });

  test('a retransmitted SYN+ACK is not a new event', () => {
    const sc = synReceived();
    sc.send({ from: 's', flags: 'S.', seq: SERVER_ISN, ack: CLIENT_ISN + 1, at: 1 });
    assert.equal(sc.conn().resp.synRetransmissions, 1);
    assert.equal(sc.conn().changes.length, 3);
    assert.equal(sc.conn().history, 'Sh');
  });

  test('accept queue full: a SYN+ACK re-sent after the handshake ACK keeps the server in SYN_RECEIVED', () => {
    const sc = established();
    assert.deepEqual(sc.states(), ['ESTABLISHED', 'ESTABLISHED']);
    sc.send({ from: 's', flags: 'S.', seq: SERVER_ISN, ack: CLIENT_ISN + 1, at: 1 });
    assert.deepEqual(sc.states(), ['ESTABLISHED', 'SYN_RECEIVED']);
    sc.send({ from: 'c', flags: '.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, at: 1.001 }); // dropped again
    sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, len: 10, at: 1.002 });
    assert.deepEqual(sc.states(), ['ESTABLISHED', 'SYN_RECEIVED']);
    sc.send({ from: 's', flags: '.', seq: SERVER_ISN + 1, ack: CLIENT_ISN + 11, at: 3 }); // accepted at last
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'ESTABLISHED']);
    assert.ok(!sc.changes().includes('resp:SYN_RECEIVED>ESTABLISHED@2'));
  });

  test('a SYN+ACK that does not acknowledge our SYN does not establish the client', () => {
    const sc = synSent();
    sc.send({ from: 's', flags: 'S.', seq: SERVER_ISN, ack: 12345 });
    assert.deepEqual(sc.states(), ['SYN_SENT', 'SYN_RECEIVED']);
  });
});

describe('ESTABLISHED', () => {
  test('the handshake ACK establishes the server; both ESTABLISHED (S1)', () => {
    const sc = established();
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'ESTABLISHED']);
    assert.equal(sc.changes().at(-1), 'resp:SYN_RECEIVED>ESTABLISHED@2');
    assert.equal(sc.conn().connState, 'S1');
    assert.equal(sc.conn().history, 'ShA');
  });

  test('data across the 2^32 sequence wrap is counted once per byte, retransmissions apart', () => {
    const sc = exchanged();
    const c = sc.conn();
    assert.equal(c.orig.uniqueBytes, 100);
    assert.equal(c.resp.uniqueBytes, 300);
    // retransmit the client's request (its sequence range crosses 2^32)
    sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: sc.sNxt, len: 100 });
    assert.equal(c.orig.retransmissions, 1);
    assert.equal(c.orig.payloadBytes, 200);
    assert.equal(c.orig.uniqueBytes, 100);
    assert.equal(c.orig.z.size(), 100); // Zeek's orig_bytes from sequence numbers
    assert.equal(c.history, 'ShADadT');
  });
});

describe('FIN_WAIT_1', () => {
  test('the first FIN moves the client to FIN_WAIT_1 and the server to CLOSE_WAIT', () => {
    const sc = finWait1();
    assert.deepEqual(sc.end(), ['FIN_WAIT_1', 'CLOSE_WAIT']);
    assert.equal(sc.conn().firstFin, 'orig');
    assert.equal(sc.conn().connState, 'S2');
  });

  test('a retransmitted FIN is not a new event', () => {
    const sc = finWait1();
    const fin = (sc.cNxt - 1) >>> 0;
    const before = sc.changes().length;
    sc.send({ from: 'c', flags: 'F.', seq: fin, ack: sc.sNxt, at: 1 });
    sc.send({ from: 'c', flags: 'F.', seq: fin, ack: sc.sNxt, at: 2 });
    assert.equal(sc.changes().length, before);
    assert.equal(sc.conn().orig.finRetransmissions, 2);
    assert.deepEqual(sc.end(), ['FIN_WAIT_1', 'CLOSE_WAIT']);
  });

  test('an ACK that stops short of the FIN (ack = FIN seq) does not reach FIN_WAIT_2', () => {
    const sc = finWait1();
    sc.send({ from: 's', flags: '.', seq: sc.sNxt, ack: (sc.cNxt - 1) >>> 0 });
    assert.deepEqual(sc.end(), ['FIN_WAIT_1', 'CLOSE_WAIT']);
  });

  test('FIN with data: the FIN sequence number is after the payload', () => {
    const sc = exchanged();
    sc.c('FP.', { len: 50 });
    const c = sc.conn();
    assert.equal(c.orig.finSeq >>> 0, (CLIENT_ISN + 1 + 100 + 50) >>> 0);
    sc.send({ from: 's', flags: '.', seq: sc.sNxt, ack: (sc.cNxt - 1) >>> 0 }); // acks the data only
    assert.deepEqual(sc.states(), ['FIN_WAIT_1', 'CLOSE_WAIT']);
    sc.s('.'); // acks the FIN too
    assert.deepEqual(sc.states(), ['FIN_WAIT_2', 'CLOSE_WAIT']);
  });
});

describe('FIN_WAIT_2 and CLOSE_WAIT', () => {
  test('an ACK covering the FIN: client FIN_WAIT_2, server CLOSE_WAIT (the leak shape)', () => {
    const sc = closeWait();
    assert.deepEqual(sc.end(), ['FIN_WAIT_2', 'CLOSE_WAIT']);
    const c = sc.conn();
    assert.ok(c.orig.finAcked);
    assert.equal(c.orig.finAckedSegment, 8); // SYN, SYN+ACK, ACK, request, ACK, response, ACK, FIN, ACK
    assert.deepEqual(c.changesOf('resp').map((x) => x.to), ['SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT']);
  });

  test('fin-timeout: an orphaned FIN_WAIT_2 disappears after finTimeout, the peer stays in CLOSE_WAIT', () => {
    const sc = closeWait({ finTimeout: 30 });
    sc.send({ from: 's', flags: 'P.', seq: sc.sNxt, ack: sc.cNxt, len: 0, at: 40 }); // a keep-alive-ish ACK 40 s later
    const c = sc.conn();
    assert.deepEqual(sc.states(), ['CLOSED', 'CLOSE_WAIT']);
    const timer = c.changes.find((x) => x.reason === 'fin-timeout')!;
    assert.equal(timer.segment, -1);
    assert.equal(timer.from, 'FIN_WAIT_2');
    const enteredAt = c.changes.find((x) => x.to === 'FIN_WAIT_2')!;
    assert.equal(timer.tsSec - enteredAt.tsSec, 30);
  });

  test('fin-timeout at capture end, and stateAt on both sides of it', () => {
    const sc = closeWait();
    sc.send({ from: 's', flags: '.', seq: sc.sNxt, ack: sc.cNxt, at: 100 });
    sc.end();
    const c = sc.conn();
    const fw2 = c.changes.find((x) => x.to === 'FIN_WAIT_2')!;
    assert.equal(sc.tracker.stateAt(c, 'orig', fw2.tsSec + 59, fw2.tsNsec), 'FIN_WAIT_2');
    assert.equal(sc.tracker.stateAt(c, 'orig', fw2.tsSec + 60, fw2.tsNsec), 'CLOSED');
    assert.equal(sc.tracker.stateAt(c, 'resp', fw2.tsSec + 60, fw2.tsNsec), 'CLOSE_WAIT');
    const est = c.changes.find((x) => x.endpoint === 'orig' && x.to === 'ESTABLISHED')!;
    assert.equal(sc.tracker.stateAt(c, 'orig', est.tsSec, est.tsNsec), 'ESTABLISHED');
    assert.equal(sc.tracker.stateAt(c, 'orig', est.tsSec - 1, 0), 'CLOSED'); // before the SYN: no socket yet
  });

  test('stateAt beyond the capture end applies a pending timer', () => {
    const sc = closeWait();
    sc.end();
    const c = sc.conn();
    assert.equal(c.orig.stateName, 'FIN_WAIT_2');
    assert.equal(sc.tracker.stateAt(c, 'orig', c.lastTsSec + 61, 0), 'CLOSED');
  });

  test('a half-closed client that keeps accepting data is not orphaned: no fin-timeout', () => {
    const sc = closeWait();
    sc.s('P.', { len: 10, at: 5 });
    sc.c('.', { at: 5.001 }); // the client ACKs data after its FIN: shutdown(SHUT_WR), not close()
    sc.s('.', { at: 200 });
    assert.deepEqual(sc.end(), ['FIN_WAIT_2', 'CLOSE_WAIT']);
  });
});

describe('LAST_ACK', () => {
  test('the server FIN from CLOSE_WAIT: server LAST_ACK, client TIME_WAIT', () => {
    const sc = lastAck();
    assert.deepEqual(sc.end(), ['TIME_WAIT', 'LAST_ACK']);
    assert.equal(sc.conn().connState, 'SF');
  });

  test('the final ACK closes the server', () => {
    const sc = closedByFin();
    assert.deepEqual(sc.end(), ['TIME_WAIT', 'CLOSED']);
    assert.equal(sc.conn().history, 'ShADadFf');
  });
});

describe('TIME_WAIT', () => {
  test('TIME_WAIT lasts timeWait seconds, then CLOSED (kernel timer, no segment)', () => {
    const sc = closedByFin({ timeWait: 60 });
    sc.send({ from: 's', flags: 'R', seq: 7, at: 200 }); // anything later on the 4-tuple
    const c = sc.conn(1);
    const tw = c.changes.find((x) => x.to === 'TIME_WAIT')!;
    const closed = c.changes.find((x) => x.reason === 'time-wait-expired')!;
    assert.equal(closed.segment, -1);
    assert.equal(closed.tsSec - tw.tsSec, 60);
  });

  test('a capture that ends within TIME_WAIT reports TIME_WAIT', () => {
    const sc = closedByFin();
    sc.send({ from: 's', flags: '.', seq: sc.sNxt, ack: sc.cNxt, at: 30 });
    assert.deepEqual(sc.end(), ['TIME_WAIT', 'CLOSED']);
  });

  test('a retransmitted FIN received in TIME_WAIT re-arms the 2MSL timer', () => {
    const sc = closedByFin({ timeWait: 10 });
    sc.send({ from: 's', flags: 'F.', seq: (sc.sNxt - 1) >>> 0, ack: sc.cNxt, at: 8 });
    sc.send({ from: 'c', flags: '.', seq: sc.cNxt, ack: sc.sNxt, at: 15 });
    assert.deepEqual(sc.states(), ['TIME_WAIT', 'CLOSED']);
    sc.send({ from: 'c', flags: '.', seq: sc.cNxt, ack: sc.sNxt, at: 18.5 });
    assert.deepEqual(sc.states(1), ['CLOSED', 'CLOSED']);
  });

  test('port reuse: a SYN with a new ISN on a TIME_WAIT 4-tuple starts connection 2', () => {
    const sc = closedByFin();
    const id = sc.send({ from: 'c', flags: 'S', seq: 123456, at: 5 });
    assert.equal(id, 2);
    assert.deepEqual(sc.end(1), ['TIME_WAIT', 'CLOSED']);
    assert.deepEqual(sc.states(2), ['SYN_SENT', 'CLOSED']);
    assert.equal(sc.conn(2).history, 'S');
  });
});

describe('CLOSING (simultaneous close)', () => {
  test('FINs that cross go through CLOSING to TIME_WAIT on both sides', () => {
    const sc = exchanged();
    const cFin = sc.cNxt, sFin = sc.sNxt;
    sc.send({ from: 'c', flags: 'F.', seq: cFin, ack: sFin });
    sc.send({ from: 's', flags: 'F.', seq: sFin, ack: cFin }); // does not ack the client's FIN: crossed
    sc.send({ from: 'c', flags: '.', seq: cFin + 1, ack: sFin + 1 });
    sc.send({ from: 's', flags: '.', seq: sFin + 1, ack: cFin + 1 });
    const c = sc.conn();
    assert.deepEqual(c.changesOf('orig').map((x) => x.to).slice(-3), ['FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    assert.deepEqual(c.changesOf('resp').map((x) => x.to).slice(-3), ['FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    assert.ok(!c.changes.some((x) => x.to === 'CLOSE_WAIT'));
    assert.deepEqual(sc.end(), ['TIME_WAIT', 'TIME_WAIT']);
  });

  test('an unacknowledged crossing FIN is reported as LAST_ACK (the peer never ACKs it)', () => {
    const sc = exchanged();
    const cFin = sc.cNxt, sFin = sc.sNxt;
    sc.send({ from: 'c', flags: 'F.', seq: cFin, ack: sFin });
    sc.send({ from: 's', flags: 'FP.', seq: sFin, ack: cFin, len: 31 });
    sc.send({ from: 's', flags: '.', seq: sFin + 32, ack: cFin + 1 });
    sc.send({ from: 's', flags: 'FP.', seq: sFin, ack: cFin + 1, len: 31, at: 5 });
    assert.deepEqual(sc.end(), ['TIME_WAIT', 'LAST_ACK']);
  });
});

describe('CLOSED by RST', () => {
  test('an in-window RST closes both endpoints (RSTO)', () => {
    const sc = exchanged();
    sc.c('R.');
    assert.deepEqual(sc.end(), ['CLOSED', 'CLOSED']);
    assert.equal(sc.conn().connState, 'RSTO');
    assert.equal(sc.conn().orig.rstSegment, 7);
  });

  test('an RST out of the receiver\'s window changes nothing (RFC 5961)', () => {
    const sc = exchanged();
    sc.send({ from: 'c', flags: 'R', seq: CLIENT_ISN + 500000 });
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'ESTABLISHED']);
    assert.equal(sc.conn().orig.rstOutOfWindow, 1);
  });

  test('RST after a half-close: the server writes into CLOSE_WAIT, the closed client answers RST', () => {
    const sc = closeWait();
    sc.s('P.', { len: 20 });
    sc.send({ from: 'c', flags: 'R', seq: sc.cNxt });
    assert.deepEqual(sc.end(), ['CLOSED', 'CLOSED']);
    assert.equal(sc.conn().connState, 'RSTO');
  });

  test('FIN+RST in one segment is an abort, not a close', () => {
    const sc = exchanged();
    sc.c('FR.');
    assert.deepEqual(sc.end(), ['CLOSED', 'CLOSED']);
    assert.equal(sc.conn().firstFin, null);
    assert.match(sc.conn().history, /I$/);
  });

  test('a SYN after an RST starts a new connection even with the same ISN', () => {
    const sc = synSent();
    sc.send({ from: 's', flags: 'R.', seq: 0, ack: CLIENT_ISN + 1 });
    const id = sc.send({ from: 'c', flags: 'S', seq: CLIENT_ISN, at: 0.5 });
    assert.equal(id, 2);
    assert.equal(sc.tracker.count, 2);
  });

  test('a stray segment long after both sides closed starts a new (mid-flow) connection', () => {
    const sc = synReceived();
    sc.c('R');
    const late = sc.send({ from: 'c', flags: '.', seq: sc.cNxt, ack: sc.sNxt, len: 10, at: 20 });
    const soon = new Scenario();
    soon.c('S'); soon.s('S.'); soon.c('R');
    const inFlight = soon.send({ from: 'c', flags: '.', seq: soon.cNxt, ack: soon.sNxt, len: 10, at: 2 });
    assert.equal(late, 2);
    assert.equal(inFlight, 1);
  });
});

describe('UNKNOWN (capture started mid-flow)', () => {
  test('ACK-bearing segments both ways establish both endpoints (OTH)', () => {
    const sc = new Scenario();
    sc.send({ from: 'c', flags: 'P.', seq: 5000, ack: 9000, len: 10 });
    assert.deepEqual(sc.states(), ['ESTABLISHED', 'UNKNOWN']);
    sc.send({ from: 's', flags: '.', seq: 9000, ack: 5010 });
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'ESTABLISHED']);
    assert.equal(sc.conn().connState, 'OTH');
    assert.equal(sc.conn().history, 'Da');
  });

  test('a FIN seen mid-flow: sender FIN_WAIT_1, receiver CLOSE_WAIT', () => {
    const sc = new Scenario();
    sc.send({ from: 's', flags: 'F.', seq: 9000, ack: 5000 });
    assert.deepEqual(sc.states(), ['CLOSE_WAIT', 'FIN_WAIT_1']);
    sc.send({ from: 'c', flags: '.', seq: 5000, ack: 9001 });
    assert.deepEqual(sc.end(), ['CLOSE_WAIT', 'FIN_WAIT_2']);
  });

  test('a SYN+ACK seen without its SYN: responder SYN_RECEIVED, initiator ESTABLISHED; Zeek flips late (^h)', () => {
    const sc = new Scenario();
    sc.send({ from: 's', flags: 'S.', seq: SERVER_ISN, ack: CLIENT_ISN + 1 });
    sc.send({ from: 'c', flags: '.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1 });
    const c = sc.conn();
    assert.equal(c.orig.port, 40000); // the SYN+ACK's receiver is the originator
    assert.equal(c.history, '^hA');
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'ESTABLISHED']);
  });

  test('a first segment from a likely server port flips the roles at once (^)', () => {
    const sc = new Scenario();
    const seg = { from: 's' as const, flags: 'P.', seq: 9000, ack: 5000, len: 10 };
    // SERVER_PORT 9000 is not a Zeek server port: no flip
    sc.send(seg);
    assert.equal(sc.conn().orig.port, 9000);
    assert.equal(sc.conn().history, 'D');
  });
});

describe('simultaneous open', () => {
  test('two SYNs cross: both SYN_RECEIVED, then ESTABLISHED, one connection', () => {
    const sc = new Scenario();
    sc.send({ from: 'c', flags: 'S', seq: CLIENT_ISN });
    const id = sc.send({ from: 's', flags: 'S', seq: SERVER_ISN });
    assert.equal(id, 1);
    assert.deepEqual(sc.states(), ['SYN_RECEIVED', 'SYN_SENT']);
    sc.send({ from: 'c', flags: 'S.', seq: CLIENT_ISN, ack: SERVER_ISN + 1 });
    sc.send({ from: 's', flags: 'S.', seq: SERVER_ISN, ack: CLIENT_ISN + 1 });
    assert.deepEqual(sc.end(), ['ESTABLISHED', 'ESTABLISHED']);
  });
});

describe('idle time', () => {
  test('a long idle gap never splits a connection (the 300 s proxy timeout stays one row)', () => {
    const sc = exchanged();
    const id = sc.c('F.', { at: 400 });
    assert.equal(id, 1);
    assert.equal(sc.tracker.count, 1);
    assert.deepEqual(sc.end(), ['FIN_WAIT_1', 'CLOSE_WAIT']);
  });
});

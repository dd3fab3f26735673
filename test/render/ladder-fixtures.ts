// Hand-built ladder models for the render tests: a forking echo server that never closes (CLOSE_WAIT).

import { ACK, FIN, PSH, SYN } from '../../src/segment/tcp-segment.js';
import type { LadderModel, LadderSegment, LadderStateChange, Side, TcpState } from '../../src/render/svg/ladder-model.js';

const T0 = 1_714_564_800; // 2024-05-01 12:00:00 UTC

function seg(fromOrig: boolean, ms: number, flags: number, seq: number, ack: number, len: number, win = 512): LadderSegment {
  const ns = Math.round(ms * 1e6);
  return {
    conn: 0, fromOrig, tsSec: T0 + Math.floor(ns / 1e9), tsNsec: ns % 1e9, flags, seq, ack,
    payloadLength: len, window: win, marks: 0, index: -1,
  };
}

function change(side: Side, from: TcpState, to: TcpState, s: LadderSegment, segment: number): LadderStateChange {
  return { conn: 0, side, from, to, tsSec: s.tsSec, tsNsec: s.tsNsec, segment };
}

/** Handshake, request, echo, client FIN, server ACK; the server never sends FIN. */
export function forkingServerModel(client = '127.0.0.1:41234', server = '127.0.0.1:9000'): LadderModel {
  const segments = [
    seg(true, 0, SYN, 0, 0, 0, 65495),
    seg(false, 0.021, SYN | ACK, 0, 1, 0, 65483),
    seg(true, 0.035, ACK, 1, 1, 0),
    seg(true, 1.2, PSH | ACK, 1, 1, 6),
    seg(false, 1.25, ACK, 1, 7, 0),
    seg(false, 1.6, PSH | ACK, 1, 7, 6),
    seg(true, 1.62, ACK, 7, 7, 0),
    seg(true, 2003.1, FIN | ACK, 7, 7, 0),
    seg(false, 2043.2, ACK, 7, 8, 0),
  ];
  segments.forEach((s, i) => { s.index = i; });
  const s = segments;
  const stateChanges = [
    change('orig', 'CLOSED', 'SYN_SENT', s[0]!, 0),
    change('resp', 'CLOSED', 'SYN_RECEIVED', s[0]!, 0),
    change('orig', 'SYN_SENT', 'ESTABLISHED', s[1]!, 1),
    change('resp', 'SYN_RECEIVED', 'ESTABLISHED', s[2]!, 2),
    change('orig', 'ESTABLISHED', 'FIN_WAIT_1', s[7]!, 7),
    change('resp', 'ESTABLISHED', 'CLOSE_WAIT', s[7]!, 7),
    change('orig', 'FIN_WAIT_1', 'FIN_WAIT_2', s[8]!, 8),
  ];
  return {
    title: `forking-server: ${client} → ${server}`,
    lanes: [
      { label: client, role: 'client' },
      { label: server, role: 'server' },
    ],
    connections: [{
      id: 1, origLane: 0, respLane: 1, origLabel: client, respLabel: server,
      origInitial: 'CLOSED', respInitial: 'CLOSED', origFinal: 'FIN_WAIT_2', respFinal: 'CLOSE_WAIT',
    }],
    segments,
    stateChanges,
    findings: [{
      code: 'fin-not-returned', severity: 'warning',
      message: `${server} received the peer's FIN 410 s before capture end and never sent its own (CLOSE_WAIT)`,
      conn: 0, side: 'resp', since: T0 + 2.0031, evidence: [7, 8],
    }],
    captureEndSec: T0 + 412,
    captureEndNsec: 5_000_000,
  };
}

/**
 * One long bulk transfer: handshake, `count` segments alternating 1448-byte data (server → client)
 * and ACKs every second segment, 100 µs apart, then a FIN each way. With `marksEvery` > 0 every
 * n-th data segment is marked a retransmission (so elision cannot hide them).
 */
export function bulkModel(count: number, marksEvery = 0): LadderModel {
  const segments: LadderSegment[] = [];
  const push = (fromOrig: boolean, us: number, flags: number, seq: number, ack: number, len: number, marks = 0) => {
    const ns = Math.round(us * 1e3);
    segments.push({ conn: 0, fromOrig, tsSec: T0 + Math.floor(ns / 1e9), tsNsec: ns % 1e9, flags, seq, ack, payloadLength: len, window: 1024, marks, index: segments.length });
  };
  push(true, 0, SYN, 0, 0, 0);
  push(false, 50, SYN | ACK, 0, 1, 0);
  push(true, 100, ACK, 1, 1, 0);
  let seq = 1, t = 200;
  for (let k = 0; segments.length < count - 2; k++) {
    const mark = marksEvery > 0 && k % marksEvery === marksEvery - 1 ? 1 : 0;
    push(false, t, ACK, seq, 1, 1448, mark);
    seq += 1448;
    t += 100;
    if (k % 2 === 1 && segments.length < count - 2) { push(true, t, ACK, 1, seq, 0); t += 100; }
  }
  push(false, t, FIN | ACK, seq, 1, 0);
  push(true, t + 100, FIN | ACK, 1, seq + 1, 0);
  return {
    title: `bulk transfer of ${count} segments`,
    lanes: [{ label: '10.0.0.1:50000', role: 'client' }, { label: '10.0.0.2:443', role: 'server' }],
    connections: [{
      id: 7, origLane: 0, respLane: 1, origLabel: '10.0.0.1:50000', respLabel: '10.0.0.2:443',
      origInitial: 'CLOSED', respInitial: 'CLOSED', origFinal: 'LAST_ACK', respFinal: 'FIN_WAIT_1',
    }],
    segments,
    stateChanges: [],
    findings: [],
    captureEndSec: segments[segments.length - 1]!.tsSec,
    captureEndNsec: segments[segments.length - 1]!.tsNsec,
  };
}

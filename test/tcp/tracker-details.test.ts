// Unit tests of everything around the state machine: Zeek's roles and letters, per-side counters,
// the connection table, the segment store, the flow record and sequence arithmetic.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressTable } from '../../src/segment/address-table.js';
import { ACK, PSH, SYN, TcpSegment } from '../../src/segment/tcp-segment.js';
import { ConnectionTable } from '../../src/tcp/connection-table.js';
import { ConnectionTracker } from '../../src/tcp/connection-tracker.js';
import { toFlowRecord } from '../../src/tcp/flow-record.js';
import { BYTES_PER_SEGMENT, PAGE_SIZE, SegmentStore } from '../../src/tcp/segment-store.js';
import { seqAdd, seqBetween, seqDiff, seqGt, seqLt } from '../../src/tcp/sequence-number.js';
import { CLIENT_ISN, SERVER_ISN, Scenario, closeWait, established, exchanged } from './builders.js';

describe('sequence numbers', () => {
  test('compare and subtract modulo 2^32', () => {
    assert.equal(seqDiff(5, 0xfffffffb), 10);
    assert.ok(seqLt(0xfffffff0, 3));
    assert.ok(seqGt(3, 0xfffffff0));
    assert.equal(seqAdd(0xffffffff, 2), 1);
    assert.ok(seqBetween(2, 0xfffffff0, 10));
    assert.ok(!seqBetween(11, 0xfffffff0, 10));
    assert.equal(seqDiff(-5, 0xfffffffb), 0); // int32 and uint32 spellings of one number
  });
});

describe('Zeek roles and history', () => {
  function raw(tracker: ConnectionTracker, src: number, sport: number, dst: number, dport: number, flags: number,
    seq: number, ack: number, len = 0): number {
    const s = new TcpSegment();
    s.src = src; s.sport = sport; s.dst = dst; s.dport = dport; s.flags = flags; s.seq = seq; s.ack = ack;
    s.payloadLength = len; s.window = 1000; s.tsSec = 1_700_000_000; s.tsNsec = tracker.segmentCount * 1000;
    return tracker.add(s);
  }

  test('a first data segment from port 80 to an ephemeral port flips the roles at once', () => {
    const t = new ConnectionTracker();
    raw(t, 2, 80, 1, 51000, PSH | ACK, 9000, 5000, 100);
    raw(t, 1, 51000, 2, 80, ACK, 5000, 9100);
    const c = t.get(1)!;
    assert.equal(c.orig.port, 51000);
    assert.equal(c.history, '^dA');
    assert.equal(c.connState, 'OTH');
  });

  test('two likely server ports: the lower one is the server (no flip for SYN+ACK)', () => {
    const t = new ConnectionTracker();
    raw(t, 2, 443, 1, 8080, ACK, 1, 1, 10); // 443 < 8080: flip, 8080 becomes the originator
    assert.equal(t.get(1)!.orig.port, 8080);
    const u = new ConnectionTracker();
    raw(u, 2, 443, 1, 8080, SYN | ACK, 1, 1); // SYN+ACK: not flipped at once
    assert.equal(u.get(1)!.orig.port, 443);
  });

  test('the late flip does not happen once anything else is in the history', () => {
    const t = new ConnectionTracker();
    raw(t, 2, 1433, 1, 2745, SYN | ACK, 100, 50);
    raw(t, 2, 1433, 1, 2745, SYN | ACK, 100, 50); // a retransmission adds no letter
    raw(t, 2, 1433, 1, 2745, ACK, 101, 53);
    assert.equal(t.get(1)!.history, '^ha');
    assert.equal(t.get(1)!.orig.port, 2745);
    assert.equal(t.get(1)!.orig.packets, 0);
    assert.equal(t.get(1)!.resp.packets, 3);
  });

  test('logarithmic letters: the 1st, 10th and 100th retransmission each add a T', () => {
    const sc = exchanged();
    for (let i = 0; i < 100; i++) sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: sc.sNxt, len: 100, at: 2 + i * 0.5 });
    assert.equal(sc.conn().history, 'ShADadTTT');
    assert.equal(sc.conn().orig.retransmissions, 100);
  });

  test('a zero window adds W; S3 when only the responder closes', () => {
    const sc = exchanged();
    sc.s('.', { win: 0 });
    sc.s('F.');
    sc.end();
    assert.equal(sc.conn().history, 'ShADadwf');
    assert.equal(sc.conn().connState, 'S3');
    assert.equal(sc.conn().resp.zeroWindows, 1);
  });
});

describe('counters', () => {
  test('the same segment captured twice is a duplicate, not a retransmission, but Zeek counts it', () => {
    const sc = established();
    sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, len: 10, at: 1 });
    sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, len: 10, at: 1.00001 });
    const c = sc.conn();
    assert.equal(c.orig.duplicates, 1);
    assert.equal(c.orig.retransmissions, 0);
    assert.equal(c.orig.packets, 4);
    assert.equal(c.history, 'ShADT'); // Zeek sees a retransmission
  });

  test('copies told apart by link-layer direction (-i any: Out then In) are duplicates; same direction is not', () => {
    const sc = established();
    sc.send({ from: 'c', flags: '.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, at: 1, direction: 4, interfaceId: 1 });
    sc.send({ from: 'c', flags: '.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, at: 1.000002, direction: 0, interfaceId: 1 });
    sc.send({ from: 'c', flags: '.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, at: 1.000004, direction: 0, interfaceId: 1 });
    assert.equal(sc.conn().orig.duplicates, 1);
  });

  test('a repeat 2 s later is a retransmission, not a duplicate', () => {
    const sc = established();
    sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, len: 10, at: 1 });
    sc.send({ from: 'c', flags: 'P.', seq: CLIENT_ISN + 1, ack: SERVER_ISN + 1, len: 10, at: 3 });
    assert.equal(sc.conn().orig.duplicates, 0);
    assert.equal(sc.conn().orig.retransmissions, 1);
  });

  test('keep-alive probes (seq = sndNxt - 1, 0 or 1 byte) are counted as keep-alives', () => {
    const sc = exchanged();
    sc.send({ from: 'c', flags: '.', seq: (sc.cNxt - 1) >>> 0, ack: sc.sNxt, at: 75 });
    sc.s('.', { at: 75.001 });
    sc.send({ from: 'c', flags: '.', seq: (sc.cNxt - 1) >>> 0, ack: sc.sNxt, len: 1, at: 150 });
    const c = sc.conn();
    assert.equal(c.orig.keepAlives, 2);
    assert.equal(c.orig.retransmissions, 0);
  });

  test('windows are scaled by the negotiated shift (both SYNs offered it)', () => {
    const sc = established(); // both offered wscale 7
    sc.s('.', { win: 100 });
    const c = sc.conn();
    assert.equal(c.resp.wscale, 7);
    assert.equal(c.resp.windowLast, 12800);
    const sc2 = new Scenario();
    sc2.c('S', { wscale: 7 });
    sc2.s('S.'); // no wscale: scaling not in use
    sc2.c('.', { win: 100 });
    assert.equal(sc2.conn().orig.windowLast, 100);
  });

  test('unanswered request evidence: the receiver ACKed data, then the peer closed after an idle wait', () => {
    const sc = established();
    sc.c('P.', { len: 200, at: 1 });
    sc.s('.', { at: 1.001, win: 800 }); // the server kernel ACKs; the app never answers
    sc.c('F.', { at: 301 });
    sc.s('.', { at: 301.001 });
    const c = sc.conn();
    assert.equal(c.resp.lastAckAdvanceTsSec - c.orig.lastDataTsSec, 0);
    assert.equal(c.resp.lastDataSegment, -1);
    assert.equal(c.orig.finTsSec - c.resp.lastAckAdvanceTsSec, 300);
    assert.equal(c.resp.windowAtPeerFin, 800 * 128);
    assert.deepEqual(sc.end(), ['FIN_WAIT_2', 'CLOSE_WAIT']);
  });
});

describe('connection table', () => {
  test('finds both directions and grows past its initial size', () => {
    const t = new ConnectionTable(16);
    for (let i = 1; i <= 5000; i++) t.set(i, 1000 + (i % 60000), 99999, 80, i);
    for (let i = 1; i <= 5000; i++) {
      assert.equal(t.get(i, 1000 + (i % 60000), 99999, 80), i);
      assert.equal(t.get(99999, 80, i, 1000 + (i % 60000)), i);
    }
    assert.equal(t.get(1, 1, 1, 1), 0);
    t.set(99999, 80, 7, 1007, 42); // replace (port reuse)
    assert.equal(t.get(7, 1007, 99999, 80), 42);
    assert.equal(t.size, 5000);
  });

  test('deletion keeps every other key reachable (randomised against a Map)', () => {
    const t = new ConnectionTable(16);
    const ref = new Map<string, number>();
    let x = 12345;
    const rnd = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
    for (let step = 0; step < 20000; step++) {
      const a = rnd(50), b = rnd(50), p = rnd(40), q = rnd(3);
      const key = a < b || (a === b && p <= q) ? `${a}:${p}|${b}:${q}` : `${b}:${q}|${a}:${p}`;
      if (rnd(3) === 0 && ref.has(key)) {
        assert.ok(t.delete(a, p, b, q, ref.get(key)!));
        ref.delete(key);
      } else {
        t.set(a, p, b, q, step + 1);
        ref.set(key, step + 1);
      }
    }
    for (const [key, id] of ref) {
      const [l, r] = key.split('|') as [string, string];
      const [a, p] = l.split(':').map(Number) as [number, number];
      const [b, q] = r.split(':').map(Number) as [number, number];
      assert.equal(t.get(b, q, a, p), id);
    }
    assert.equal(t.size, ref.size);
  });

  test('maxConnections: with only live connections held, a new 4-tuple is not tracked', () => {
    const sc = established({ maxConnections: 1 });
    const s = new TcpSegment();
    s.src = 7; s.dst = 8; s.sport = 1; s.dport = 2; s.flags = SYN;
    assert.equal(sc.tracker.add(s), 0);
    assert.equal(sc.tracker.untrackedSegments, 1);
    assert.equal(sc.tracker.evicted, 0);
  });

  test('maxConnections: a SYN flood evicts the oldest unanswered attempts into counters', () => {
    const evictedIds: number[] = [];
    const t = new ConnectionTracker({ timeWait: 60, finTimeout: 60, maxConnections: 100, onEvict: (c) => evictedIds.push(c.id) });
    const s = new TcpSegment();
    s.flags = SYN; s.dst = 1; s.dport = 80; s.tsSec = 1_700_000_000;
    for (let i = 0; i < 1000; i++) {
      s.src = 2 + (i % 7); s.sport = 1024 + i; s.seq = i;
      assert.equal(t.add(s), i + 1);
    }
    assert.equal(t.count, 100);
    assert.equal(t.opened, 1000);
    assert.equal(t.evicted, 900);
    assert.equal(t.evictedByConnState.get('S0'), 900);
    assert.deepEqual(evictedIds.slice(0, 3), [1, 2, 3]);
    assert.equal(t.connections.length, 100);
    assert.equal(t.connections[0]!.id, 901);
    assert.equal(t.get(5), undefined);
    // the evicted 4-tuple is gone from the table: its next segment opens a new connection
    s.src = 2; s.sport = 1024; s.seq = 0;
    assert.equal(t.add(s), 1001);
  });

  test('a recycled connection object starts as fresh as a new one', () => {
    const feed = (t: ConnectionTracker, base: number) => {
      const s = new TcpSegment();
      const send = (fromA: boolean, flags: number, seq: number, ack: number, len = 0) => {
        s.src = fromA ? base : base + 1; s.dst = fromA ? base + 1 : base; s.sport = fromA ? 1000 : 80; s.dport = fromA ? 80 : 1000;
        s.flags = flags; s.seq = seq; s.ack = ack; s.payloadLength = len; s.window = 500; s.tsSec = 1_700_000_000; s.tsNsec += 1000;
        return t.add(s);
      };
      send(true, SYN, 100, 0); send(false, SYN | ACK, 900, 101); send(true, ACK, 101, 901);
      send(true, PSH | ACK, 101, 901, 50); send(false, ACK, 901, 151);
      send(true, 0x11, 151, 901); send(false, 0x11, 901, 152); return send(true, ACK, 152, 902);
    };
    const t = new ConnectionTracker({ timeWait: 60, finTimeout: 60, maxConnections: 1 });
    feed(t, 10);                // connection 1: a clean close, evictable (TIME_WAIT / CLOSED)
    const id = feed(t, 20);     // connection 2 reuses connection 1's objects
    assert.equal(id, 2);
    assert.equal(t.evicted, 1);
    const fresh = new ConnectionTracker({ timeWait: 60, finTimeout: 60 });
    feed(fresh, 20);
    const addresses = new AddressTable();
    for (let i = 0; i < 30; i++) addresses.internV4(i);
    const a = toFlowRecord(t.get(2)!, addresses), b = toFlowRecord(fresh.get(1)!, addresses);
    assert.deepEqual({ ...a, id: 0, ts: 0 }, { ...b, id: 0, ts: 0 });
    // identical except segment indices, which are capture-wide (8 segments earlier in `t`), and
    // change bookmarks, which are records of each tracker's change log: compared by what they say
    const strip = (tracker: ConnectionTracker, c: ReturnType<ConnectionTracker['get']>, shift: number) => {
      const change = (r: number) => {
        if (r < 0) return r;
        const x = tracker.changeLog.toObject(r);
        return `${x.endpoint}${x.from}>${x.to}@${x.segment - shift}`;
      };
      return JSON.stringify([c!.orig, c!.resp].map((e) =>
        Object.fromEntries(Object.entries({ ...e, z: undefined }).map(([k, v]) =>
          [k, k.endsWith('Segment') && typeof v === 'number' && v >= 0 ? v - shift
            : (k === 'lastChange' || k === 'closeWaitChange' || k === 'crossedFinChange') ? change(v as number) : v]))));
    };
    assert.equal(strip(t, t.get(2), 8), strip(fresh, fresh.get(1), 0));
    assert.deepEqual(t.get(2)!.changes.map((x) => `${x.endpoint}${x.to}${x.segment - 8}`), fresh.get(1)!.changes.map((x) => `${x.endpoint}${x.to}${x.segment}`));
  });

  test('maxConnections: finished connections are evicted before live ones', () => {
    const sc = closeWait({ maxConnections: 2 }); // connection 1 is live (FIN_WAIT_2 / CLOSE_WAIT)
    const t = sc.tracker;
    const s = new TcpSegment();
    s.src = 50; s.dst = 51; s.sport = 1; s.dport = 2; s.tsSec = 1_700_000_001;
    s.flags = SYN; s.seq = 1; t.add(s);
    s.src = 51; s.dst = 50; s.sport = 2; s.dport = 1; s.flags = 0x14; s.seq = 0; s.ack = 2; t.add(s); // RST+ACK: refused, finished
    s.src = 60; s.dst = 61; s.sport = 1; s.dport = 2; s.flags = SYN; s.seq = 1;
    assert.equal(t.add(s), 3);
    assert.equal(t.evicted, 1);
    assert.equal(t.evictedByConnState.get('REJ'), 1);
    assert.deepEqual(t.connections.map((c) => c.id), [1, 3]);
  });
});

describe('segment store', () => {
  test('keeps every segment in typed columns, chained per connection', () => {
    const sc = closeWait({ keepSegments: true });
    sc.send({ from: 'c', flags: 'S', seq: 77, at: 9 }); // a SYN with a new ISN after the FIN: connection 2
    const store = sc.tracker.segments!;
    assert.equal(store.count, 10);
    assert.deepEqual(sc.tracker.segmentIndices(sc.conn(1)), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(sc.tracker.segmentIndices(sc.conn(2)), [9]);
    assert.equal(store.seq(0), CLIENT_ISN);
    assert.equal(store.fromFirst(1), false);
    assert.equal(store.conn(9), 2);
  });

  test('reads back every column across page boundaries, and holds only the pages its segments need', () => {
    const store = new SegmentStore();
    const n = PAGE_SIZE * 2 + 3;
    // two interleaved connections, so each chain crosses pages from the middle of one to the next
    const last = [-1, -1];
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const at = store.push(1_700_000_000 + i, (i * 7919) % 1e9, c + 1, i % 3 === 0, i & 0x1ff, (i * 2654435761) >>> 0,
        0xffffffff - i, i & 0xffff, i * 3);
      assert.equal(at, i);
      if (last[c]! >= 0) store.link(last[c]!, at);
      last[c] = at;
    }
    assert.equal(store.count, n);
    for (const i of [0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE, n - 1]) {
      assert.equal(store.tsSec(i), 1_700_000_000 + i);
      assert.equal(store.tsNsec(i), (i * 7919) % 1e9);
      assert.equal(store.conn(i), (i % 2) + 1);
      assert.equal(store.fromFirst(i), i % 3 === 0);
      assert.equal(store.flags(i), i & 0x1ff);
      assert.equal(store.seq(i), (i * 2654435761) >>> 0);
      assert.equal(store.ack(i), 0xffffffff - i);
      assert.equal(store.window(i), i & 0xffff);
      assert.equal(store.payloadLength(i), i * 3);
      assert.equal(store.next(i), i + 2 < n ? i + 2 : -1);
    }
    const chain = [...store.indicesFrom(1)];
    assert.equal(chain.length, (n - 1) / 2);
    assert.ok(chain.every((v, k) => v === 1 + 2 * k));
    assert.equal(store.bytes, 3 * PAGE_SIZE * BYTES_PER_SEGMENT);
  });
});

describe('flow record', () => {
  test('has the contract keys and Zeek\'s byte counts', () => {
    const addresses = new AddressTable();
    const a = addresses.internV4(0x0a000001), b = addresses.internV6Words(0x20010db8, 0, 0, 1);
    const t = new ConnectionTracker();
    const s = new TcpSegment();
    s.src = a; s.dst = b; s.sport = 5555; s.dport = 80; s.flags = SYN; s.seq = 10; s.tsSec = 1_700_000_000;
    t.add(s);
    t.finish();
    const f = toFlowRecord(t.get(1)!, addresses);
    // The contract's keys, plus orig/resp_acked_unseen (issue 10: states a capture loss could change say so).
    assert.deepEqual(Object.keys(f).sort(), ['conn_state', 'duration', 'findings', 'first_fin', 'history', 'id', 'orig_bytes',
      'orig_h', 'orig_p', 'orig_pkts', 'orig_state', 'resp_bytes', 'resp_h', 'resp_p', 'resp_pkts', 'resp_state', 'ts',
      'orig_acked_unseen', 'resp_acked_unseen'].sort());
    assert.equal(f.orig_h, '10.0.0.1');
    assert.equal(f.resp_h, '2001:db8::1');
    assert.equal(f.conn_state, 'S0');
    assert.equal(f.orig_state, 'SYN_SENT');
    assert.equal(f.resp_state, 'CLOSED');
    assert.equal(f.ts, 1_700_000_000);
  });
});

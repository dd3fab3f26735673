// Ladder layout: positions, labels, idle compression, elision and pagination as plain numbers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACK, FIN, PSH, SYN } from '../../src/segment/tcp-segment.js';
import { MAX_RENDERABLE_HEIGHT, layoutLadder, type ArrowItem } from '../../src/render/svg/ladder-layout.js';
import { MARK_RETRANSMISSION, markSegments, type LadderModel, type LadderSegment } from '../../src/render/svg/ladder-model.js';
import { bulkModel, forkingServerModel } from './ladder-fixtures.js';

const segArrows = (arrows: ArrowItem[]) => arrows.filter((a) => a.cls.startsWith('seg'));

describe('forking-server ladder (handshake, echo, client FIN, no server FIN)', () => {
  const model = forkingServerModel();
  const layout = layoutLadder(model);
  const page = layout.pages[0]!;

  it('is one page with a lane per endpoint, client left of server', () => {
    assert.equal(layout.pages.length, 1);
    assert.deepEqual(page.lanes.map((l) => [l.label, l.role]), [['127.0.0.1:41234', 'client'], ['127.0.0.1:9000', 'server']]);
    assert.ok(page.lanes[0]!.x < page.lanes[1]!.x);
    assert.ok(page.height <= MAX_RENDERABLE_HEIGHT);
  });

  it('draws one arrow per segment, in time order, slanted downwards, in the right direction', () => {
    const arrows = segArrows(page.arrows);
    assert.equal(arrows.length, model.segments.length);
    for (let k = 0; k < arrows.length; k++) {
      const a = arrows[k]!, s = model.segments[k]!;
      assert.ok(a.y2 > a.y1, `arrow ${k} slants down`);
      if (k > 0) assert.ok(a.y1 > arrows[k - 1]!.y1, `arrow ${k} is below arrow ${k - 1}`);
      assert.equal(a.x2 > a.x1, s.fromOrig, `arrow ${k} points away from its sender`);
    }
  });

  it('labels arrows with flags, relative seq/ack and length, as tcpdump prints them', () => {
    const labels = segArrows(page.arrows).map((a) => a.label);
    assert.deepEqual(labels, [
      '[S] seq=0 len=0',
      '[S.] seq=0 ack=1 len=0',
      '[.] seq=1 ack=1 len=0',
      '[P.] seq=1:7 ack=1 len=6',
      '[.] seq=1 ack=7 len=0',
      '[P.] seq=1:7 ack=7 len=6',
      '[.] seq=7 ack=7 len=0',
      '[F.] seq=7 ack=7 len=0',
      '[.] seq=7 ack=8 len=0',
    ]);
    const details = segArrows(page.arrows).map((a) => a.detail);
    assert.match(details[1]!, /^win=65483 · \+21 µs$/);
    assert.match(details[7]!, /evidence/); // the finding cites segments 7 and 8
  });

  it('compresses idle gaps into markers with their real length', () => {
    const idle = page.breaks.filter((b) => b.kind === 'idle');
    // 1.62 ms → 2003.1 ms, and 2043.2 ms → capture end at 412.005 s
    assert.deepEqual(idle.map((b) => b.lines[0]), [
      `${((2003.1 - 1.62) / 1000).toFixed(3)} s idle`,
      `${(412.005 - 2.0432).toFixed(1)} s idle until capture end`,
    ]);
    const arrows = segArrows(page.arrows);
    assert.ok(arrows[7]!.y1 - arrows[6]!.y1 < 150, 'a 2 s gap costs a marker, not 400 px');
  });

  it('draws the missing FIN as a ghost arrow from the CLOSE_WAIT side with its age', () => {
    const ghosts = page.arrows.filter((a) => a.cls === 'ghost');
    assert.equal(ghosts.length, 1);
    const g = ghosts[0]!;
    assert.equal(g.label, `no FIN: CLOSE_WAIT for ${Math.round(412.005 - 2.0031)} s at capture end`);
    assert.ok(g.x1 > g.x2, 'from the server lane towards the client');
    const end = page.breaks.find((b) => b.kind === 'end')!;
    assert.ok(g.y2 < end.y, 'above the capture-end line');
  });

  it('shows each state change where it happens and the states at capture end', () => {
    const arrows = segArrows(page.arrows);
    const fin = arrows[7]!;
    const changes = page.badges.filter((b) => b.kind === 'change');
    const cw = changes.find((b) => b.text === 'CLOSE_WAIT')!;
    assert.ok(cw.x > page.lanes[1]!.x, 'beside the server lane');
    assert.ok(Math.abs(cw.y - 4 - fin.y2) < 16, 'where the FIN arrives');
    const fw1 = changes.find((b) => b.text === 'FIN_WAIT_1')!;
    assert.ok(fw1.x < page.lanes[0]!.x && Math.abs(fw1.y - 4 - fin.y1) < 16, 'where the FIN leaves the client');
    assert.deepEqual(changes.map((b) => b.text), ['SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSE_WAIT', 'FIN_WAIT_2']);
    const finals = page.badges.filter((b) => b.kind === 'final').map((b) => [b.text, b.x]);
    assert.deepEqual(finals, [['FIN_WAIT_2', page.lanes[0]!.x], ['CLOSE_WAIT', page.lanes[1]!.x]]);
    // The CLOSE_WAIT band runs from the FIN to the capture-end line.
    const end = page.breaks.find((b) => b.kind === 'end')!;
    const band = page.bars.find((b) => b.state === 'CLOSE_WAIT')!;
    assert.ok(Math.abs(band.y1 - fin.y2) < 1 && band.y2 === end.y);
    // States are repeated beside idle markers so a long stretch still says what it is.
    assert.ok(page.badges.some((b) => b.kind === 'repeat' && b.text === 'CLOSE_WAIT'));
  });

  it('lists the findings under the diagram', () => {
    assert.ok(page.texts.some((t) => t.cls.includes('finding') && t.text.startsWith('WARNING fin-not-returned:')));
  });
});

describe('long connections', () => {
  it('elides the middle of a bulk transfer, keeping handshake and close, with a count', () => {
    const model = bulkModel(10_000);
    const layout = layoutLadder(model);
    assert.equal(layout.pages.length, 1);
    assert.equal(layout.stats.drawn + layout.stats.elided, 10_000);
    const elided = layout.pages[0]!.breaks.filter((b) => b.kind === 'elided');
    assert.equal(elided.length, 1);
    assert.equal(elided[0]!.lines[0], `${layout.stats.elided.toLocaleString('en-US')} segments elided`);
    const labels = segArrows(layout.pages[0]!.arrows).map((a) => a.label);
    assert.ok(labels.includes('[S] seq=0 len=0') && labels.includes('[S.] seq=0 ack=1 len=0'));
    assert.equal(labels.filter((l) => l.startsWith('[F.]')).length, 2);
  });

  it('never elides marked segments (retransmissions)', () => {
    const model = bulkModel(10_000, 97);
    const marked = model.segments.filter((s) => s.marks & MARK_RETRANSMISSION).length;
    const layout = layoutLadder(model);
    const drawnMarked = layout.pages.flatMap((p) => p.arrows).filter((a) => a.cls.includes('retransmit')).length;
    assert.ok(marked > 50);
    assert.equal(drawnMarked, marked);
    assert.ok(layout.stats.elided > 5000, 'the runs between them are still elided');
  });

  it('splits into pages of bounded height and row count when nothing may be elided', () => {
    const model = bulkModel(20_000);
    for (const opts of [{ elide: false }, { elide: false, maxPageHeight: 5000 }, { elide: false, maxPageHeight: 99_999 }]) {
      const layout = layoutLadder(model, opts);
      const limit = Math.min(opts.maxPageHeight ?? 30_000, MAX_RENDERABLE_HEIGHT);
      assert.ok(layout.pages.length > 1);
      let arrows = 0;
      layout.pages.forEach((p, k) => {
        assert.ok(p.height <= limit, `page ${k + 1} is ${p.height} px (limit ${limit})`);
        const seg = segArrows(p.arrows);
        assert.ok(seg.length <= 400);
        for (const a of seg) assert.ok(a.y1 >= 0 && a.y2 <= p.height);
        if (k > 0) assert.ok(p.texts.some((t) => t.text === `continued from page ${k}`));
        arrows += seg.length;
      });
      assert.equal(arrows, 20_000);
    }
  });

  it('gives real time some room but caps it below the idle threshold', () => {
    const model = bulkModel(10);
    model.segments.forEach((s, k) => { s.tsSec = 1_714_564_800; s.tsNsec = k * 90_000_000; }); // 90 ms apart
    const slow = segArrows(layoutLadder(model, { elide: false }).pages[0]!.arrows);
    model.segments.forEach((s, k) => { s.tsNsec = k * 1000; }); // 1 µs apart
    const fast = segArrows(layoutLadder(model, { elide: false }).pages[0]!.arrows);
    const d = (a: ArrowItem[]) => a[5]!.y1 - a[4]!.y1;
    assert.ok(d(slow) > d(fast), 'longer real gaps are drawn taller');
    assert.ok(d(slow) - d(fast) <= 60, 'but by at most maxExtraPx');
  });
});

describe('several connections', () => {
  function proxyModel(): LadderModel {
    const t = 1_714_564_800;
    const s = (conn: number, fromOrig: boolean, ms: number, flags: number, seq: number, ack: number, len: number): LadderSegment => ({
      conn, fromOrig, tsSec: t, tsNsec: ms * 1e6, flags, seq, ack, payloadLength: len, window: 100, marks: 0, index: -1,
    });
    return {
      lanes: [{ label: '10.0.0.1:40000', role: 'client' }, { label: '10.0.0.2', sublabel: 'ports 8080, 50000', role: 'proxy' }, { label: '10.0.0.3:80', role: 'server' }],
      connections: [
        { id: 1, origLane: 0, respLane: 1, origLabel: '10.0.0.1:40000', respLabel: '10.0.0.2:8080', origInitial: 'ESTABLISHED', respInitial: 'ESTABLISHED', origFinal: 'ESTABLISHED', respFinal: 'ESTABLISHED' },
        { id: 2, origLane: 1, respLane: 2, origLabel: '10.0.0.2:50000', respLabel: '10.0.0.3:80', origInitial: 'ESTABLISHED', respInitial: 'ESTABLISHED', origFinal: 'ESTABLISHED', respFinal: 'ESTABLISHED' },
      ],
      segments: [
        s(0, true, 1, PSH | ACK, 1, 1, 10),
        s(1, true, 2, PSH | ACK, 1, 1, 10),
        s(1, false, 3, PSH | ACK, 1, 11, 20),
        s(0, false, 4, PSH | ACK, 1, 11, 20),
      ],
      stateChanges: [],
      findings: [],
      captureEndSec: t,
      captureEndNsec: 5e6,
    };
  }

  it('shares the proxy lane between both connections and prefixes labels with the id', () => {
    const page = layoutLadder(proxyModel()).pages[0]!;
    const x = page.lanes.map((l) => l.x);
    const arrows = segArrows(page.arrows);
    const near = (a: number, b: number) => Math.abs(a - b) < 30;
    assert.ok(near(arrows[0]!.x1, x[0]!) && near(arrows[0]!.x2, x[1]!));
    assert.ok(near(arrows[1]!.x1, x[1]!) && near(arrows[1]!.x2, x[2]!));
    assert.ok(near(arrows[3]!.x1, x[1]!) && near(arrows[3]!.x2, x[0]!));
    assert.ok(arrows[0]!.label.startsWith('#1 ') && arrows[1]!.label.startsWith('#2 '));
    // Two sockets on the proxy lane: two state bands side by side.
    const bandsOnProxy = new Set(page.bars.filter((b) => Math.abs(b.x - x[1]!) < 20).map((b) => b.x));
    assert.equal(bandsOnProxy.size, 2);
  });

  it('draws a timer-driven change (TIME_WAIT expiry) at its time, without a segment', () => {
    const m = forkingServerModel();
    m.connections[0]!.origFinal = 'CLOSED';
    m.stateChanges.push({ conn: 0, side: 'orig', from: 'FIN_WAIT_2', to: 'CLOSED', tsSec: m.segments[8]!.tsSec + 60, tsNsec: m.segments[8]!.tsNsec, segment: -1 });
    const page = layoutLadder(m).pages[0]!;
    const timer = page.badges.filter((b) => b.kind === 'timer');
    assert.deepEqual(timer.map((b) => b.text), ['CLOSED']);
    assert.equal(page.breaks.filter((b) => b.kind === 'idle').length, 3, 'idle before and after the timer');
  });

  it('survives an empty model and a connection to itself', () => {
    const empty: LadderModel = { lanes: [], connections: [], segments: [], stateChanges: [], findings: [], captureEndSec: 0, captureEndNsec: 0 };
    assert.equal(layoutLadder(empty).pages.length, 1);
    const self = forkingServerModel();
    self.lanes = [self.lanes[0]!];
    self.connections[0]!.respLane = 0;
    const page = layoutLadder(self).pages[0]!;
    assert.equal(segArrows(page.arrows).length, self.segments.length);
  });
});

describe('markSegments', () => {
  it('marks retransmissions, keep-alives, zero windows and duplicate ACKs the way Wireshark defines them', () => {
    const t = 1_714_564_800;
    const s = (fromOrig: boolean, flags: number, seq: number, ack: number, len: number, window = 100): LadderSegment => ({
      conn: 0, fromOrig, tsSec: t, tsNsec: 0, flags, seq, ack, payloadLength: len, window, marks: 0, index: -1,
    });
    const segments = [
      s(true, SYN, 0, 0, 0), s(false, SYN | ACK, 0, 1, 0), s(true, ACK, 1, 1, 0),
      s(true, PSH | ACK, 1, 1, 100), // 3: data
      s(true, PSH | ACK, 1, 1, 100), // 4: retransmission
      s(false, ACK, 1, 101, 0, 0), // 5: zero window
      s(true, ACK, 100, 1, 0), // 6: keep-alive (seq = next - 1)
      s(true, PSH | ACK, 101, 1, 50), // 7: new data
      s(false, ACK, 1, 101, 0, 0), // 8: same ack, same window, data outstanding: duplicate ACK (and zero window)
      s(false, FIN | ACK, 1, 151, 0), // 9: plain FIN
    ];
    markSegments({ segments, connections: [{}] });
    assert.deepEqual(segments.map((x) => x.marks), [0, 0, 0, 0, 1, 4, 2, 0, 8 | 4, 0]);
  });
});

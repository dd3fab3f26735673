// Timeline: state counts over time (the CLOSE_WAIT pile-up and when it began), row choice, valid SVG.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutTimeline, renderTimeline, renderTimelineSvg } from '../../src/render/svg/timeline-svg.js';
import { HOSTILE, assertRenderableSvg } from './render-helpers.js';
import { TL_T0, pileUpModel } from './timeline-fixtures.js';

describe('timeline', () => {
  const COUNT = 120, LEAK_FROM = 60;
  const model = pileUpModel(COUNT, LEAK_FROM);
  const layout = layoutTimeline(model, { maxRows: 30 });

  it('counts endpoints per state: every leaked socket is still in CLOSE_WAIT at the end', () => {
    const cw = layout.series.find((s) => s.state === 'CLOSE_WAIT')!;
    assert.equal(cw.atEnd, COUNT - LEAK_FROM);
    assert.equal(cw.peak, COUNT - LEAK_FROM);
    // Clean closes: TIME_WAIT lasts 60 s and one starts every 2 s, so 30 at a time.
    assert.equal(layout.series.find((s) => s.state === 'TIME_WAIT')!.peak, 30);
    // Their clients sit in FIN_WAIT_2 for 60 s (the fixture's fin timeout), then are gone.
    assert.equal(layout.series.find((s) => s.state === 'FIN_WAIT_2')!.peak, 30);
    // CLOSE_WAIT is drawn last (on top) and rises to the right: y shrinks as the count grows.
    const pts = cw.points;
    assert.ok(pts[pts.length - 1]![1] < pts[0]![1]);
  });

  it('counts at capture end only the states still held then, not those left by the last segment', () => {
    const m = pileUpModel(2, 1);
    const c = m.connections[1]!; // leaking: client FIN_WAIT_2 until the end, server CLOSE_WAIT until the end
    const end = m.captureEnd;
    // The last segment moves the client from FIN_WAIT_1 to FIN_WAIT_2 exactly at capture end.
    c.orig = [{ from: c.start, to: end, state: 'FIN_WAIT_1', open: false }, { from: end, to: end, state: 'FIN_WAIT_2', open: true }];
    const l = layoutTimeline(m);
    const atEnd = (s: string) => l.series.find((x) => x.state === s)?.atEnd;
    assert.equal(atEnd('FIN_WAIT_1'), 0);
    assert.equal(atEnd('FIN_WAIT_2'), 1);
    assert.equal(atEnd('CLOSE_WAIT'), 1);
  });

  it('marks the moment the pile-up began (the first lasting CLOSE_WAIT), not brief passive closes', () => {
    const began = TL_T0 + LEAK_FROM * 2 + 1.5; // the first leaking connection's FIN
    const span = model.captureEnd - model.captureStart;
    const x = layout.plotLeft + ((began - model.captureStart) / span) * (layout.plotRight - layout.plotLeft);
    assert.ok(layout.onset);
    assert.ok(Math.abs(layout.onset.x - x) < 0.01);
    assert.match(layout.onset.label, /^lasting CLOSE_WAIT from \+121\.5 s /);
    assert.match(layout.peak!.label, /^peak 60 in CLOSE_WAIT$/);
  });

  it('picks rows with findings first when there are too many, and says so', () => {
    assert.equal(layout.rows.length, 30);
    assert.deepEqual(layout.rows.map((r) => r.id), Array.from({ length: 30 }, (_, k) => LEAK_FROM + 1 + k));
    assert.ok(layout.rows.every((r) => r.severity === 'warning' && r.codes === 'fin-not-returned'));
    assert.match(layout.note, /^showing 30 of 120 connections/);
    // Each row: originator spans on top, responder spans below, inside the plot.
    for (const r of layout.rects) assert.ok(r.x >= layout.plotLeft - 0.01 && r.x + r.w <= layout.plotRight + 1.01);
  });

  it('is well-formed, deterministic and renders to PNG', () => {
    const svg = renderTimeline(model, { maxRows: 30 });
    assertRenderableSvg(svg, 'timeline');
    assert.equal(svg, renderTimelineSvg(layoutTimeline(pileUpModel(COUNT, LEAK_FROM), { maxRows: 30 })));
    assert.match(svg, /<path class="series st-close-wait"/);
  });

  it('escapes hostile labels and survives empty and zero-length captures', () => {
    for (const evil of HOSTILE) {
      const m = pileUpModel(6, 3, evil);
      m.title = evil;
      assertRenderableSvg(renderTimeline(m), `hostile ${JSON.stringify(evil)}`);
    }
    assertRenderableSvg(renderTimeline({ captureStart: TL_T0, captureEnd: TL_T0, connections: [] }), 'empty');
    const one = pileUpModel(1, 0);
    one.captureEnd = one.captureStart;
    assertRenderableSvg(renderTimeline(one), 'zero-length');
  });
});

// Timeline (`diagram --timeline`): TimelineModel → one SVG with a bar per connection coloured by
// each endpoint's state, and a chart of how many endpoints are in each state over time.
//
// layoutTimeline computes plain numbers (pure); renderTimelineSvg writes them with template strings.

import type { TcpState } from '../../analysis/flow-record.js';
import { escapeXml } from '../escape.js';
import { clip, formatCount, formatDuration, formatEpoch, formatTick, niceStep, px, textLength } from './format.js';
import { MONO_FONT_STACK, STATE_COLOR, TCP_STATES, stateClass, stateCss } from './state-style.js';
import type { TimelineConnection, TimelineModel } from './timeline-model.js';

export interface TimelineOptions {
  /** Width of the plot area in px (labels come on top of it). */
  plotWidth: number;
  /** At most this many connection rows; the rest are counted in the chart only. */
  maxRows: number;
  rowHeight: number;
  chartHeight: number;
  fontSize: number;
  charWidth: number;
  /** A CLOSE_WAIT counts as the start of a pile-up when it lasts at least this long (seconds)
   *  or is still there at capture end; brief ones are normal passive closes. */
  onsetMinSeconds: number;
}

export const DEFAULT_TIMELINE_OPTIONS: TimelineOptions = {
  plotWidth: 900,
  maxRows: 60,
  rowHeight: 18,
  chartHeight: 220,
  fontSize: 12,
  charWidth: 7.4,
  onsetMinSeconds: 5,
};

export interface TimelineRect { x: number; y: number; w: number; h: number; state: TcpState }
export interface TimelineRow { y: number; label: string; id: number; severity: 'error' | 'warning' | 'info' | 'none'; codes: string }
export interface TimelineSeries { state: TcpState; points: [number, number][]; peak: number; atEnd: number }
export interface TimelineTick { x: number; text: string }

export interface TimelineLayout {
  width: number;
  height: number;
  fontSize: number;
  charWidth: number;
  title: string;
  subtitle: string;
  note: string;
  plotLeft: number;
  plotRight: number;
  barsTop: number;
  barsBottom: number;
  rows: TimelineRow[];
  rects: TimelineRect[];
  chartTop: number;
  chartBottom: number;
  chartMax: number;
  yTicks: { y: number; text: string }[];
  xTicks: TimelineTick[];
  axisLabel: string;
  series: TimelineSeries[];
  /** The first moment any endpoint was in CLOSE_WAIT (x, label), if ever. */
  onset?: { x: number; label: string };
  peak?: { x: number; y: number; label: string };
  legend: { x: number; y: number; state: TcpState; text: string }[];
}

const MARGIN = 16;
const MAX_CODE_CHARS = 48;
const SEVERITY_ORDER = { error: 3, warning: 2, info: 1, none: 0 } as const;

function worstSeverity(c: TimelineConnection): 'error' | 'warning' | 'info' | 'none' {
  let s: 'error' | 'warning' | 'info' | 'none' = 'none';
  for (const f of c.findings) if (SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[s]) s = f.severity;
  return s;
}

function openAtEnd(c: TimelineConnection, end: number): boolean {
  const last = (spans: TimelineConnection['orig']) => spans.length > 0 && spans[spans.length - 1]!.to >= end;
  return last(c.orig) || last(c.resp);
}

/** Which connections get a row: worst finding first, then still open at capture end, then earliest. */
export function pickTimelineRows(model: TimelineModel, maxRows: number): TimelineConnection[] {
  if (model.connections.length <= maxRows) return model.connections;
  const scored = model.connections.map((c, k) => ({
    c, k, sev: SEVERITY_ORDER[worstSeverity(c)], open: openAtEnd(c, model.captureEnd) ? 1 : 0,
  }));
  scored.sort((a, b) => b.sev - a.sev || b.open - a.open || a.k - b.k);
  return scored.slice(0, maxRows).sort((a, b) => a.k - b.k).map((x) => x.c);
}

export function layoutTimeline(model: TimelineModel, options: Partial<TimelineOptions> = {}): TimelineLayout {
  const o: TimelineOptions = { ...DEFAULT_TIMELINE_OPTIONS, ...options };
  const cw = o.charWidth;
  const start = model.captureStart;
  const end = Math.max(model.captureEnd, start);
  const span = end - start;
  const shown = pickTimelineRows(model, o.maxRows);
  const labels = shown.map((c) => clip(`#${c.id} ${c.label}`, 56));
  const labelChars = Math.max(20, ...labels.map(textLength));
  const plotLeft = MARGIN + labelChars * cw + 12;
  const plotRight = plotLeft + o.plotWidth;
  const xOf = (t: number) => (span > 0 ? plotLeft + ((t - start) / span) * o.plotWidth : plotLeft);
  const codeChars = Math.min(MAX_CODE_CHARS, Math.max(16, ...shown.map((c) => textLength([...new Set(c.findings.map((f) => f.code))].join(', ')))));
  const width = Math.ceil(plotRight + 6 + codeChars * cw + MARGIN);

  const title = model.title ?? 'Connections over time';
  const subtitle = `${formatCount(model.connections.length)} connections · ${formatEpoch(start)} → +${formatDuration(span)}`;
  const note = shown.length < model.connections.length
    ? `showing ${formatCount(shown.length)} of ${formatCount(model.connections.length)} connections (findings and still-open ones first); the chart counts all`
    : 'top half of each bar: originator (client) state; bottom half: responder (server) state';

  // ---- bars ------------------------------------------------------------------------------
  const barsTop = MARGIN + 3 * 18 + 20;
  const rows: TimelineRow[] = [];
  const rects: TimelineRect[] = [];
  const half = (o.rowHeight - 4) / 2;
  shown.forEach((c, k) => {
    const y = barsTop + k * o.rowHeight;
    const sev = worstSeverity(c);
    rows.push({ y, label: labels[k]!, id: c.id, severity: sev, codes: [...new Set(c.findings.map((f) => f.code))].join(', ') });
    for (const [spans, dy] of [[c.orig, 0], [c.resp, half]] as const) {
      for (const s of spans) {
        const x1 = xOf(s.from), x2 = Math.max(xOf(s.to), x1 + 1); // at least 1 px so short states show
        rects.push({ x: x1, y: y + 2 + dy, w: x2 - x1, h: half, state: s.state });
      }
    }
  });
  const barsBottom = barsTop + Math.max(1, shown.length) * o.rowHeight;

  // ---- state counts over time (every connection, sampled per 2 px) ---------------------------
  const samples = Math.max(2, Math.floor(o.plotWidth / 2) + 1);
  const starts = new Map<TcpState, number[]>();
  const ends = new Map<TcpState, number[]>();
  const openAtEnd = new Map<TcpState, number>();
  for (const c of model.connections) {
    for (const s of c.orig.concat(c.resp)) {
      if (s.state === 'CLOSED') continue;
      let a = starts.get(s.state), b = ends.get(s.state);
      if (!a || !b) { a = []; b = []; starts.set(s.state, a); ends.set(s.state, b); }
      a.push(s.from);
      b.push(s.to);
      if (s.open ?? s.to >= end) openAtEnd.set(s.state, (openAtEnd.get(s.state) ?? 0) + 1);
    }
  }
  const series: TimelineSeries[] = [];
  let chartMax = 1;
  for (const state of TCP_STATES) {
    const a = starts.get(state), b = ends.get(state);
    if (!a || !b) continue;
    const sa = Float64Array.from(a).sort(), sb = Float64Array.from(b).sort();
    const points: [number, number][] = [];
    let peak = 0;
    for (let k = 0; k < samples; k++) {
      const t = span > 0 ? start + (span * k) / (samples - 1) : start;
      // In the state at t: started at or before t and not yet ended; at capture end, the open spans.
      const count = k === samples - 1 ? openAtEnd.get(state) ?? 0 : upperBound(sa, t) - upperBound(sb, t);
      if (count > peak) peak = count;
      points.push([t, count]);
    }
    if (peak === 0) continue;
    chartMax = Math.max(chartMax, peak);
    series.push({ state, points: [], peak, atEnd: points[points.length - 1]![1] });
    series[series.length - 1]!.points = points.map(([t, n]) => [xOf(t), n]);
  }
  const chartTop = barsBottom + 56;
  const chartBottom = chartTop + o.chartHeight;
  const yStep = Math.max(1, Math.ceil(niceStep(chartMax, 5)));
  const chartMaxNice = Math.ceil(chartMax / yStep) * yStep;
  const yOf = (n: number) => chartBottom - (n / chartMaxNice) * o.chartHeight;
  for (const s of series) s.points = s.points.map(([x, n]) => [x, yOf(n)]);
  const yTicks: { y: number; text: string }[] = [];
  for (let v = 0; v <= chartMaxNice; v += yStep) yTicks.push({ y: yOf(v), text: String(v) });
  const xStep = niceStep(span, 8);
  const xTicks: TimelineTick[] = [];
  if (span > 0) for (let v = 0; v <= span * (1 + 1e-9) && xTicks.length < 50; v += xStep) xTicks.push({ x: xOf(start + v), text: formatTick(v, xStep) });
  else xTicks.push({ x: plotLeft, text: '0' });

  // ---- the moment CLOSE_WAIT began, and its peak ------------------------------------------
  let onset: TimelineLayout['onset'];
  let peak: TimelineLayout['peak'];
  let first = Infinity;
  for (const c of model.connections) {
    for (const sp of c.orig.concat(c.resp)) {
      if (sp.state === 'CLOSE_WAIT' && (sp.to - sp.from >= o.onsetMinSeconds || sp.to >= end) && sp.from < first) first = sp.from;
    }
  }
  if (first !== Infinity) {
    onset = { x: xOf(first), label: `lasting CLOSE_WAIT from +${formatDuration(first - start)} (${formatEpoch(first, 3)})` };
    const s = series.find((x) => x.state === 'CLOSE_WAIT');
    if (s) {
      let best = 0;
      s.points.forEach(([, y], k) => { if (y < s.points[best]![1]) best = k; });
      const [x, y] = s.points[best]!;
      peak = { x, y, label: `peak ${formatCount(s.peak)} in CLOSE_WAIT` };
    }
  }

  const legend: TimelineLayout['legend'] = [];
  {
    let lx = plotLeft, ly = chartBottom + 44;
    for (const s of series) {
      const text = `${s.state} peak ${formatCount(s.peak)}, ${formatCount(s.atEnd)} at end`;
      const w = 18 + textLength(text) * cw + 18;
      if (lx + w > plotRight + 8 * cw && lx > plotLeft) { lx = plotLeft; ly += 18; }
      legend.push({ x: lx, y: ly, state: s.state, text });
      lx += w;
    }
  }
  const height = Math.ceil((legend.length > 0 ? legend[legend.length - 1]!.y : chartBottom + 44) + MARGIN + 8);
  return {
    width, height, fontSize: o.fontSize, charWidth: cw, title, subtitle, note, plotLeft, plotRight, barsTop, barsBottom,
    rows, rects, chartTop, chartBottom, chartMax: chartMaxNice, yTicks, xTicks,
    axisLabel: `seconds since ${formatEpoch(start)}`, series, onset, peak, legend,
  };
}

function upperBound(a: Float64Array, t: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m]! <= t) lo = m + 1; else hi = m; }
  return lo;
}


const ROOT = '.fs-timeline';

function timelineCss(fontSize: number): string {
  return `${ROOT} text{font-family:${MONO_FONT_STACK};font-size:${fontSize}px;fill:#1b1b1b}
${ROOT} .bg{fill:#fff}
${ROOT} .title{font-size:${fontSize + 3}px;font-weight:bold}
${ROOT} .sub,${ROOT} .note,${ROOT} .tick,${ROOT} .axis-label{fill:#555;font-size:${fontSize - 1}px}
${ROOT} .row-label{font-size:${fontSize - 1}px}
${ROOT} .sev-error{fill:#c00;font-weight:bold}
${ROOT} .sev-warning{fill:#b35806;font-weight:bold}
${ROOT} .grid{stroke:#e3e3e3;stroke-width:1}
${ROOT} .axis{stroke:#777;stroke-width:1}
${ROOT} .row-bg{fill:#f6f6f6}
${ROOT} path.series{fill:none;stroke-width:1.6;stroke-linejoin:round}
${ROOT} path.series.st-close-wait{stroke-width:3}
${ROOT} .onset{stroke:#c00;stroke-width:1.2;stroke-dasharray:6 4}
${ROOT} .onset-label,${ROOT} .peak-label{fill:#c00;font-weight:bold;font-size:${fontSize - 1}px;paint-order:stroke;stroke:#fff;stroke-width:3px}
${ROOT} .chart-title{font-weight:bold}
${stateCss(ROOT)}
${TCP_STATES.map((s) => `${ROOT} .series.${stateClass(s)}{stroke:${STATE_COLOR[s]}}`).join('\n')}`;
}

export function renderTimelineSvg(layout: TimelineLayout): string {
  const L = layout;
  const w = px(L.width), h = px(L.height);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="fs-timeline" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="monospace" font-size="${L.fontSize}">`,
    `<style>\n${timelineCss(L.fontSize)}\n</style>`,
    `<rect class="bg" x="0" y="0" width="${w}" height="${h}"/>`,
    `<text class="title" x="${MARGIN}" y="${MARGIN + 12}">${escapeXml(L.title)}</text>`,
    `<text class="sub" x="${MARGIN}" y="${MARGIN + 30}">${escapeXml(L.subtitle)}</text>`,
    `<text class="note" x="${MARGIN}" y="${MARGIN + 48}">${escapeXml(L.note)}</text>`,
  ];
  // vertical grid through bars and chart
  for (const t of L.xTicks) {
    out.push(`<line class="grid" x1="${px(t.x)}" y1="${px(L.barsTop)}" x2="${px(t.x)}" y2="${px(L.barsBottom)}"/>`);
    out.push(`<line class="grid" x1="${px(t.x)}" y1="${px(L.chartTop)}" x2="${px(t.x)}" y2="${px(L.chartBottom)}"/>`);
  }
  L.rows.forEach((r, k) => {
    if (k % 2 === 1) out.push(`<rect class="row-bg" x="${px(L.plotLeft)}" y="${px(r.y)}" width="${px(L.plotRight - L.plotLeft)}" height="${px(L.rows[1] ? L.rows[1].y - L.rows[0]!.y : 18)}"/>`);
  });
  for (const r of L.rects) {
    out.push(`<rect class="${stateClass(r.state)}" x="${px(r.x)}" y="${px(r.y)}" width="${px(r.w)}" height="${px(r.h)}"><title>${r.state}</title></rect>`);
  }
  for (const r of L.rows) {
    const cls = r.severity === 'error' || r.severity === 'warning' ? ` sev-${r.severity}` : '';
    out.push(`<text class="row-label${cls}" x="${px(L.plotLeft - 8)}" y="${px(r.y + 13)}" text-anchor="end">${escapeXml(r.label)}${r.codes ? `<title>${escapeXml(r.codes)}</title>` : ''}</text>`);
    if (r.codes) out.push(`<text class="row-label${cls}" x="${px(L.plotRight + 6)}" y="${px(r.y + 13)}">${escapeXml(clip(r.codes, MAX_CODE_CHARS))}</text>`);
  }
  // axes
  const axisY = L.barsBottom + 4;
  out.push(`<line class="axis" x1="${px(L.plotLeft)}" y1="${px(axisY)}" x2="${px(L.plotRight)}" y2="${px(axisY)}"/>`);
  for (const t of L.xTicks) {
    out.push(`<text class="tick" x="${px(t.x)}" y="${px(axisY + 14)}" text-anchor="middle">${escapeXml(t.text)}</text>`);
  }
  out.push(`<text class="axis-label" x="${px(L.plotLeft)}" y="${px(axisY + 30)}">${escapeXml(L.axisLabel)}</text>`);
  // chart
  out.push(`<text class="chart-title" x="${MARGIN}" y="${px(L.chartTop - 8)}">endpoints (sockets) per state</text>`);
  for (const t of L.yTicks) {
    out.push(`<line class="grid" x1="${px(L.plotLeft)}" y1="${px(t.y)}" x2="${px(L.plotRight)}" y2="${px(t.y)}"/>`);
    out.push(`<text class="tick" x="${px(L.plotLeft - 6)}" y="${px(t.y + 4)}" text-anchor="end">${escapeXml(t.text)}</text>`);
  }
  out.push(`<line class="axis" x1="${px(L.plotLeft)}" y1="${px(L.chartBottom)}" x2="${px(L.plotRight)}" y2="${px(L.chartBottom)}"/>`);
  out.push(`<line class="axis" x1="${px(L.plotLeft)}" y1="${px(L.chartTop)}" x2="${px(L.plotLeft)}" y2="${px(L.chartBottom)}"/>`);
  for (const t of L.xTicks) {
    out.push(`<text class="tick" x="${px(t.x)}" y="${px(L.chartBottom + 14)}" text-anchor="middle">${escapeXml(t.text)}</text>`);
  }
  out.push(`<text class="axis-label" x="${px(L.plotLeft)}" y="${px(L.chartBottom + 28)}">${escapeXml(L.axisLabel)}</text>`);
  // CLOSE_WAIT last so it is drawn on top
  const ordered = [...L.series].sort((a, b) => (a.state === 'CLOSE_WAIT' ? 1 : 0) - (b.state === 'CLOSE_WAIT' ? 1 : 0));
  for (const s of ordered) {
    out.push(`<path class="series ${stateClass(s.state)}" d="${stepPath(s.points)}"><title>${s.state}</title></path>`);
  }
  if (L.onset) {
    out.push(`<line class="onset" x1="${px(L.onset.x)}" y1="${px(L.barsTop - 4)}" x2="${px(L.onset.x)}" y2="${px(L.chartBottom)}"/>`);
    const right = L.onset.x + textLength(L.onset.label) * L.charWidth + 8 < L.plotRight;
    out.push(`<text class="onset-label" x="${px(L.onset.x + (right ? 4 : -4))}" y="${px(L.chartTop + 14)}"${right ? '' : ' text-anchor="end"'}>${escapeXml(L.onset.label)}</text>`);
  }
  if (L.peak) {
    const right = L.peak.x + textLength(L.peak.label) * L.charWidth + 8 < L.plotRight;
    out.push(`<text class="peak-label" x="${px(L.peak.x + (right ? 4 : -4))}" y="${px(Math.max(L.chartTop + 30, L.peak.y - 6))}"${right ? '' : ' text-anchor="end"'}>${escapeXml(L.peak.label)}</text>`);
  }
  for (const g of L.legend) {
    out.push(`<rect class="${stateClass(g.state)}" x="${px(g.x)}" y="${px(g.y - 10)}" width="12" height="12"/>`);
    out.push(`<text x="${px(g.x + 18)}" y="${px(g.y)}">${escapeXml(g.text)}</text>`);
  }
  out.push('</svg>\n');
  return out.join('\n');
}

/** A step line through (x, y) samples: horizontal, then vertical at each change. Points that do
 *  not change y are skipped, so a flat stretch costs nothing. */
function stepPath(points: [number, number][]): string {
  if (points.length === 0) return 'M0 0';
  let d = `M${px(points[0]![0])} ${px(points[0]![1])}`;
  let lastY = points[0]![1];
  for (let k = 1; k < points.length; k++) {
    const [x, y] = points[k]!;
    if (y !== lastY) {
      d += `H${px(x)}V${px(y)}`;
      lastY = y;
    }
  }
  d += `H${px(points[points.length - 1]![0])}`;
  return d;
}

/** Model → SVG in one call. */
export function renderTimeline(model: TimelineModel, options: Partial<TimelineOptions> = {}): string {
  return renderTimelineSvg(layoutTimeline(model, options));
}

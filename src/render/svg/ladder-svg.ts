// Ladder SVG writer: LadderLayout pages → standalone SVG strings (template strings, no DOM).
//
// Deterministic: output depends only on the layout (fixed number formatting, no dates, no ids from
// counters shared between calls). Every text from the capture passes through escapeXml.

import { escapeXml } from '../escape.js';
import { textLength } from './format.js';
import { px } from './format.js';
import type { LadderLayout, LadderPage, TextAnchor } from './ladder-layout.js';
import { MONO_FONT_STACK, stateClass, stateCss } from './state-style.js';

const ROOT = '.fs-ladder';

/** The embedded stylesheet: styling is by class only, so the data decides the look (caseyshields/ladder). */
export function ladderCss(fontSize: number): string {
  return `${ROOT}{background:#fff}
${ROOT} text{font-family:${MONO_FONT_STACK};font-size:${fontSize}px;fill:#1b1b1b}
${ROOT} .bg{fill:#fff}
${ROOT} .title{font-size:${fontSize + 3}px;font-weight:bold}
${ROOT} .subtitle,${ROOT} .gutter,${ROOT} .gutter-head,${ROOT} .cont,${ROOT} .lane-role{fill:#555;font-size:${fontSize - 1}px}
${ROOT} .lane-label{font-weight:bold}
${ROOT} .lane-sub{fill:#333;font-size:${fontSize - 1}px}
${ROOT} .lane{stroke:#8a8a8a;stroke-width:1}
${ROOT} .lane.idle{stroke-dasharray:3 4}
${ROOT} .bar{fill-opacity:0.9}
${ROOT} .badge rect{fill-opacity:0.22;stroke-width:1}
${ROOT} .badge text{font-size:${fontSize - 1}px;font-weight:bold}
${ROOT} .badge.repeat text{font-weight:normal;fill:#444}
${ROOT} .badge.final rect{fill-opacity:0.35}
${ROOT} .brk rect{fill:#fff;stroke:#bbb;stroke-dasharray:2 3}
${ROOT} .brk text{fill:#444;font-style:italic}
${ROOT} .end-line{stroke:#444;stroke-width:1.2;stroke-dasharray:8 4}
${ROOT} .seg line{stroke:#333;stroke-width:1.4}
${ROOT} .seg .head{fill:#333}
${ROOT} .label,${ROOT} .detail{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
${ROOT} .detail{font-size:${fontSize - 1}px;fill:#555}
${ROOT} .ack line{stroke:#777;stroke-width:1}
${ROOT} .ack .head{fill:#777}
${ROOT} .syn line{stroke:#1f5fa8;stroke-width:1.8}
${ROOT} .syn .head,${ROOT} .syn .label{fill:#1f5fa8}
${ROOT} .fin line{stroke:#b35806;stroke-width:2}
${ROOT} .fin .head,${ROOT} .fin .label{fill:#b35806}
${ROOT} .rst line{stroke:#c00;stroke-width:2.4}
${ROOT} .rst .head,${ROOT} .rst .label{fill:#c00}
${ROOT} .retransmit line{stroke:#8c510a;stroke-dasharray:6 3}
${ROOT} .retransmit .detail{fill:#8c510a}
${ROOT} .keepalive line{stroke:#01665e;stroke-dasharray:2 3}
${ROOT} .keepalive .detail{fill:#01665e}
${ROOT} .zero-window line,${ROOT} .window-probe line{stroke:#762a83;stroke-width:2}
${ROOT} .zero-window .detail,${ROOT} .window-probe .detail{fill:#762a83}
${ROOT} .dup-ack line{stroke:#a6611a;stroke-dasharray:1 2}
${ROOT} .evidence .label{font-weight:bold}
${ROOT} .ghost line{stroke:#c00;stroke-width:1.6;stroke-dasharray:7 5}
${ROOT} .ghost .head{fill:#fff;stroke:#c00;stroke-width:1.4}
${ROOT} .ghost .label{fill:#c00;font-weight:bold}
${ROOT} .ghost .detail{fill:#c00}
${ROOT} .finding{font-size:${fontSize - 1}px}
${ROOT} .sev-error{fill:#c00;font-weight:bold}
${ROOT} .sev-warning{fill:#b35806;font-weight:bold}
${ROOT} .sev-info{fill:#333}
${stateCss(ROOT)}`;
}

/** One SVG document per page. */
export function renderLadderSvg(layout: LadderLayout): string[] {
  const css = ladderCss(layout.fontSize);
  return layout.pages.map((p) => renderPage(layout, p, css));
}

/** One page as an SVG document (for callers that lay out page by page: layoutLadderPages). */
export function renderLadderPage(meta: { fontSize: number; charWidth: number }, page: LadderPage): string {
  return renderPage(meta, page, ladderCss(meta.fontSize));
}

function anchorAttr(a: TextAnchor): string {
  return a === 'start' ? '' : ` text-anchor="${a}"`;
}

function renderPage(layout: { fontSize: number; charWidth: number }, page: LadderPage, css: string): string {
  const cw = layout.charWidth;
  const fs = layout.fontSize;
  const out: string[] = [];
  const w = px(page.width), h = px(page.height);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="fs-ladder" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="monospace" font-size="${fs}">`,
    `<style>\n${css}\n</style>`,
    `<rect class="bg" x="0" y="0" width="${w}" height="${h}"/>`,
  );
  for (const l of page.laneLines) {
    out.push(`<line class="lane${l.dashed ? ' idle' : ''}" x1="${px(l.x)}" y1="${px(l.y1)}" x2="${px(l.x)}" y2="${px(l.y2)}"/>`);
  }
  for (const b of page.bars) {
    out.push(`<rect class="bar ${stateClass(b.state)}" x="${px(b.x - b.width / 2)}" y="${px(b.y1)}" width="${px(b.width)}" height="${px(b.y2 - b.y1)}"/>`);
  }
  for (const b of page.breaks) {
    if (b.kind === 'end') {
      out.push(`<line class="end-line" x1="${px(b.x1)}" y1="${px(b.y)}" x2="${px(b.x2)}" y2="${px(b.y)}"/>`);
      continue;
    }
    const chars = Math.max(...b.lines.map(textLength));
    const bw = chars * cw + 16, bh = b.lines.length * 15 + 8;
    const top = b.y + (b.height - bh) / 2;
    out.push(`<g class="brk ${b.kind}"><rect x="${px(b.tx - bw / 2)}" y="${px(top)}" width="${px(bw)}" height="${px(bh)}" rx="4"/>`);
    b.lines.forEach((line, k) => {
      out.push(`<text x="${px(b.tx)}" y="${px(top + 15 + k * 15)}" text-anchor="middle">${escapeXml(line)}</text>`);
    });
    out.push('</g>');
  }
  for (const a of page.arrows) {
    const hd = a.head;
    out.push(
      `<g class="${escapeXml(a.cls)}"><title>${escapeXml(a.title)}</title>` +
        `<line x1="${px(a.x1)}" y1="${px(a.y1)}" x2="${px(a.x2)}" y2="${px(a.y2)}"/>` +
        `<path class="head" d="M${px(hd[0])} ${px(hd[1])}L${px(hd[2])} ${px(hd[3])}L${px(hd[4])} ${px(hd[5])}Z"/>` +
        `<text class="label" x="${px(a.lx)}" y="${px(a.ly1)}" text-anchor="middle">${escapeXml(a.label)}</text>` +
        (a.detail ? `<text class="detail" x="${px(a.lx)}" y="${px(a.ly2)}" text-anchor="middle">${escapeXml(a.detail)}</text>` : '') +
        `</g>`,
    );
  }
  for (const b of page.badges) {
    const bw = textLength(b.text) * (cw - 0.6) + 8;
    const x0 = b.anchor === 'start' ? b.x - 3 : b.anchor === 'end' ? b.x - bw + 3 : b.x - bw / 2;
    const sc = stateClass(b.state);
    out.push(
      `<g class="badge ${b.kind}"><rect class="${sc}" x="${px(x0)}" y="${px(b.y - 12)}" width="${px(bw)}" height="16" rx="3"/>` +
        `<text x="${px(b.anchor === 'middle' ? b.x : b.anchor === 'start' ? b.x + 1 : b.x - 1)}" y="${px(b.y)}"${anchorAttr(b.anchor)}>${escapeXml(b.text)}</text></g>`,
    );
  }
  for (const t of page.texts) {
    out.push(`<text class="${escapeXml(t.cls)}" x="${px(t.x)}" y="${px(t.y)}"${anchorAttr(t.anchor)}>${escapeXml(t.text)}</text>`);
  }
  out.push('</svg>\n');
  return out.join('\n');
}

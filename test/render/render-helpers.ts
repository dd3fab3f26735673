// Test helpers for rendered output: PNG header reading and the hostile strings every writer must survive.

import assert from 'node:assert/strict';
import { svgToPng } from '../../src/render/svg/png.js';
import { xmlProblems, xmllintProblems } from './xml-check.js';

/** Host names an attacker could put in /etc/hosts or a hand-edited tcpdump text file. */
export const HOSTILE = [
  `<script>alert("x")</script>`,
  `a&b&amp;c`,
  `"quoted" and 'single'`,
  `]]><!-- -->`,
  `ctl\u0001\u0007\u001b[31m\u007f\u0085end`,
  `lone\ud800surrogate\ufffe\uffff`,
];

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
export function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The SVG is well-formed XML (own checker, and xmllint when installed) and resvg draws it at its size. */
export function assertRenderableSvg(svg: string, what: string): void {
  assert.deepEqual(xmlProblems(svg), [], `${what}: not well-formed`);
  const lint = xmllintProblems(svg);
  if (lint !== undefined) assert.equal(lint, '', `${what}: xmllint`);
  const m = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  assert.ok(m, `${what}: svg width/height`);
  const size = pngSize(svgToPng(svg));
  assert.equal(size.width, Math.ceil(Number(m[1])));
  assert.equal(size.height, Math.ceil(Number(m[2])));
}

/** Every `<svg …>…</svg>` inside a larger document (HTML report). */
export function extractSvgs(doc: string): string[] {
  const out: string[] = [];
  for (let i = doc.indexOf('<svg '); i >= 0; i = doc.indexOf('<svg ', i + 1)) {
    const end = doc.indexOf('</svg>', i);
    if (end < 0) break;
    out.push(doc.slice(i, end + 6));
    i = end;
  }
  return out;
}

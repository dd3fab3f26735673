// HTML and Markdown reports from a real analysis of a tcpdump text capture with hostile host names.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../../src/analysis/analyze.js';
import { renderHtmlReport, renderMarkdownReport, escapeMarkdown, type ReportResult } from '../../src/render/report/index.js';
import { xmlProblems } from './xml-check.js';
import { assertRenderableSvg, extractSvgs } from './render-helpers.js';
import { EVIL_CLIENT, writeHostileCapture } from './report-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'finscope-report-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function analyzeHostile(): Promise<ReportResult> {
  return (await analyze(writeHostileCapture(work), { keepSegments: true, date: '2024-05-01' })) as ReportResult;
}

describe('HTML report', () => {
  let result: ReportResult;
  let html = '';
  before(async () => {
    result = await analyzeHostile();
    html = renderHtmlReport(result, { generator: 'finscope test' });
  });

  it('is well-formed markup (XML after the doctype) with every capture text escaped', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>\n'));
    assert.deepEqual(xmlProblems(html.slice('<!DOCTYPE html>\n'.length)), []);
    assert.ok(html.includes('evil&lt;b&gt;&amp;&quot;x&#39;.example'), 'client host escaped');
    assert.ok(html.includes('srv&amp;amp;&lt;i&gt;'), 'server host escaped (its literal &amp; too)');
    assert.ok(!html.includes(EVIL_CLIENT) && !/<b>|<i>/.test(html), 'no markup from the capture');
    assert.ok(!/[\u0080-\u009f]/.test(html), 'C1 control characters shown as \\xNN');
  });

  it('needs nothing from the network', () => {
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.ok(!/<(script|link|img|iframe|object|embed)\b/i.test(html));
    assert.ok(!/\b(src|href)="(?!#)/i.test(html), 'only in-page links');
    assert.ok(!/url\(|@import/i.test(html));
    const urls = html.match(/https?:\/\/[^"'\s<)]+/g) ?? [];
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace name');
  });

  it('shows the summary, the finding with its evidence, the timeline, a ladder and the connection table', () => {
    const f = result.findings.find((x) => x.code === 'fin-not-returned');
    assert.ok(f && f.flow === 1, 'the analysis finds the half-close');
    for (const id of ['summary', 'findings', 'finding-1', 'timeline', 'ladders', 'ladder-1', 'connections', 'flow-1', 'flow-2']) {
      assert.ok(html.includes(`id="${id}"`), `section ${id}`);
    }
    assert.ok(html.includes('<code>fin-not-returned</code>'));
    // Evidence rows are the segments the finding cites (1-based numbers, as messages write them).
    for (const i of f.evidence ?? []) assert.ok(html.includes(`<td class="num">#${i + 1}</td>`), `evidence segment #${i + 1}`);
    // The ladder of connection 1 has the ghost FIN.
    assert.ok(/<g class="ghost">.*no FIN: CLOSE_WAIT for 410 s at capture end/s.test(html));
  });

  it('embeds SVGs that are each well-formed and render', () => {
    const svgs = extractSvgs(html);
    assert.equal(svgs.length, 2, 'timeline + one ladder page');
    svgs.forEach((svg, k) => assertRenderableSvg(svg, `embedded svg ${k}`));
  });

  it('keeps the line breaks of a text summary but escapes everything else in it', () => {
    const h = renderHtmlReport(result, { summaryText: 'line 1\nline\t2 <x>&\u0007' });
    assert.ok(h.includes('<pre>line 1\nline\t2 &lt;x&gt;&amp;\\x07</pre>'));
  });

  it('gives the same bytes for the same capture', async () => {
    assert.equal(renderHtmlReport(await analyzeHostile(), { generator: 'finscope test' }), html);
  });
});

describe('Markdown report', () => {
  it('links SVG files written beside it and escapes capture text', async () => {
    const result = await analyzeHostile();
    const md = renderMarkdownReport(result, { assetDir: 'postmortem-svg/' });
    assert.deepEqual(md.files.map((f) => f.path), ['postmortem-svg/timeline.svg', 'postmortem-svg/ladder-1.svg']);
    for (const f of md.files) {
      assert.ok(md.markdown.includes(`](${f.path})`), `${f.path} linked`);
      assertRenderableSvg(f.content, f.path);
    }
    assert.ok(md.markdown.includes('evil\\<b\\>\\&"x\'.example'));
    // Outside code spans (where `<i>` is literal text) no markup survives.
    const prose = md.markdown.replace(/`[^`\n]*`/g, '');
    assert.ok(!prose.includes('<b>') && !prose.includes('<i>'));
    assert.match(md.markdown, /^### 1\. ERROR `fin-not-returned` `srv&amp;<i>/m);
    assert.equal(renderMarkdownReport(await analyzeHostile(), { assetDir: 'postmortem-svg' }).markdown, md.markdown);
  });

  it('escapes table pipes, emphasis and a leading list marker', () => {
    assert.equal(escapeMarkdown('a|b_c*d`e'), 'a\\|b\\_c\\*d\\`e');
    assert.equal(escapeMarkdown('- x'), '\\- x');
    assert.equal(escapeMarkdown('12. x'), '12\\. x');
    assert.equal(escapeMarkdown('[a](http://x)'), '\\[a\\](http://x)');
  });
});

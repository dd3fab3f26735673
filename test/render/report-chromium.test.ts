// The HTML report in a real browser (Debian's headless Chromium) with the network made unreachable:
// the findings, the ladder and the timeline must all be there, and host names must stay text.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyze } from '../../src/analysis/analyze.js';
import { renderHtmlReport, type ReportResult } from '../../src/render/report/index.js';
import { pngSize } from './render-helpers.js';
import { writeHostileCapture } from './report-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install chromium) — browser check skipped`;
const work = mkdtempSync(join(tmpdir(), 'finscope-chromium-'));
after(() => rmSync(work, { recursive: true, force: true }));

function chromium(args: string[]): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${join(work, 'profile')}`,
    // No network at all: every proxy connection and every name lookup fails.
    '--proxy-server=http://127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND',
    ...args,
  ], { encoding: 'utf8', timeout: 90_000, maxBuffer: 1 << 26 });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

describe('HTML report in headless Chromium', { skip }, () => {
  it('shows the findings, the ladder and the timeline with no network', { timeout: 180_000 }, async () => {
    const result = (await analyze(writeHostileCapture(work), { keepSegments: true, date: '2024-05-01' })) as ReportResult;
    const file = join(work, 'report.html');
    writeFileSync(file, renderHtmlReport(result));
    const url = pathToFileURL(file).href;

    const dom = chromium(['--dump-dom', url]);
    assert.equal(dom.status, 0, dom.stderr.slice(-2000));
    const d = dom.stdout;
    // The browser parsed the sections and the finding into elements.
    assert.match(d, /<section class="finding error" id="finding-1">/);
    assert.match(d, /<code>fin-not-returned<\/code>/);
    assert.match(d, /<h2 id="timeline">Timeline<\/h2>/);
    assert.match(d, /<svg [^>]*class="fs-ladder"/);
    assert.match(d, /<svg [^>]*class="fs-timeline"/);
    assert.match(d, /no FIN: CLOSE_WAIT for 410 s at capture end/);
    // Host names stayed text: the DOM re-escapes them, and no <b>/<i> element came from them.
    assert.ok(d.includes('evil&lt;b&gt;&amp;"x\'.example'), 'client host name is text');
    assert.ok(!/<b>|<i>/.test(d), 'no element injected by a host name');

    const shot = join(work, 'report.png');
    const s = chromium(['--window-size=1280,2000', `--screenshot=${shot}`, url]);
    assert.equal(s.status, 0, s.stderr.slice(-2000));
    const png = readFileSync(shot);
    assert.deepEqual(pngSize(png), { width: 1280, height: 2000 });
  });
});

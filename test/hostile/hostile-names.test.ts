// Hostile names: tcpdump text (without -n) whose host names carry terminal escape sequences, BEL,
// C1 controls, markup and quotes, run through the real binary. The terminal formats (summary,
// flows table, packets, warnings on stderr) must show them escaped, never raw; SVG and HTML must
// stay well-formed and inert; JSON must keep the exact names; file names in messages are quoted.

import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { xmlProblems } from '../render/xml-check.js';
import { assertNoCrash, assertTerminalSafe, run, tmpDir } from './cli-run.js';

/** Raw names as the bytes of a tcpdump text line carry them (read as Latin-1 by the text reader). */
const NAMES = ['ev\x1b[2Jil', 'bell\x07host', '<script>alert(1)</script>', 'a&b', `q"uo'te`, 'x]]>y', 'csi\xc2\x9b31m', 'raw\x9b2J'];
const GARBAGE_LINE = 'garbage \x1b]0;owned\x07 line <b>&amp; \x9b2J';

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(6).padStart(9, '0')}`;
}

/** Clean lines first (format detection reads the first 512 bytes), then one half-closed connection
 *  per hostile name (the client keeps CLOSE_WAIT: a finding that names it), then a garbage line. */
function hostileCapture(): { bytes: Buffer; garbageLine: number } {
  const lines: string[] = [];
  let t = 43200;
  const ts = () => clock((t += 0.25));
  for (let i = 0; i < 6; i++) lines.push(`${ts()} IP 10.0.0.1.${50000 + i} > 10.0.0.2.443: Flags [S], seq ${1000 + i}, win 65535, options [mss 1460], length 0`);
  NAMES.forEach((name, i) => {
    const c = `${name}.${41000 + i}`, s = `${NAMES[(i + 2) % NAMES.length]}.80`;
    lines.push(`${ts()} IP ${c} > ${s}: Flags [S], seq 100, win 65535, length 0`);
    lines.push(`${ts()} IP ${s} > ${c}: Flags [S.], seq 500, ack 101, win 65535, length 0`);
    lines.push(`${ts()} IP ${c} > ${s}: Flags [.], ack 501, win 65535, length 0`);
    lines.push(`${ts()} IP ${c} > ${s}: Flags [P.], seq 101:111, ack 501, win 65535, length 10`);
    lines.push(`${ts()} IP ${s} > ${c}: Flags [F.], seq 501, ack 111, win 65535, length 0`);
    lines.push(`${ts()} IP ${c} > ${s}: Flags [.], ack 502, win 65535, length 0`);
  });
  lines.push(GARBAGE_LINE);
  const garbageLine = lines.length;
  t += 60;
  lines.push(`${ts()} IP 10.0.0.1.50000 > 10.0.0.2.443: Flags [S], seq 1000, win 65535, options [mss 1460], length 0`);
  return { bytes: Buffer.from(lines.join('\n') + '\n', 'latin1'), garbageLine };
}

/** How a name looks once escaped for a terminal (what escapeTerminal makes of it). */
function shown(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const dir = tmpDir('finscope-hostile-');
const { bytes, garbageLine } = hostileCapture();
const capture = join(dir, 'hostile.txt');
writeFileSync(capture, bytes);
const common = ['--date', '2024-01-01'];

function checkTerminalRun(what: string, args: string[]): string {
  const r = run(args);
  assertNoCrash(what, r);
  assert.equal(r.code, 0, `${what}: ${r.err}`);
  assertTerminalSafe(`${what} stdout`, r.out);
  assertTerminalSafe(`${what} stderr`, r.err);
  return r.out;
}

describe('hostile host names from tcpdump text', () => {
  it('the capture really carries the raw bytes (the test would prove nothing otherwise)', () => {
    assert.ok(bytes.includes(Buffer.from('ev\x1b[2Jil', 'latin1')));
    assert.ok(bytes.includes(Buffer.from([0x9b])));
    assert.ok(bytes.includes(Buffer.from([0x07])));
  });

  it('summary (text and markdown): names escaped, nothing raw', () => {
    const out = checkTerminalRun('summary', ['summary', capture, ...common]);
    for (const name of ['ev\x1b[2Jil', 'bell\x07host', '<script>alert(1)</script>', 'a&b', `q"uo'te`, 'x]]>y']) {
      assert.ok(out.includes(shown(name)), `summary shows ${JSON.stringify(shown(name))}`);
    }
    assert.match(out, /fin-not-returned/);
    checkTerminalRun('summary md', ['summary', capture, ...common, '--format', 'md']);
  });

  it('flows table, csv and zeek: names escaped', () => {
    const table = checkTerminalRun('flows table', ['flows', capture, ...common, '--format', 'table']);
    assert.ok(table.includes(`${shown('ev\x1b[2Jil')}:41000`));
    assert.ok(table.includes(`${shown('raw\x9b2J')}:41007`));
    const csv = checkTerminalRun('flows csv', ['flows', capture, ...common, '--format', 'csv']);
    assert.equal(csv.trimEnd().split('\n').length, 1 + 14, 'one csv line per connection');
    // conn.log separates with tabs (its format); everything else is escaped as \xNN, as Zeek does.
    const r = run(['flows', capture, ...common, '--format', 'zeek']);
    assert.equal(r.code, 0, r.err);
    assertTerminalSafe('flows zeek', r.out.replace(/\t/g, ' '));
    const rows = r.out.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(rows.length, 14);
    for (const l of rows) {
      const f = l.split('\t');
      assert.equal(f.length, 21, l);
      assert.match(f[1]!, /^C[0-9A-Za-z]{17}$/, 'uid');
    }
    assert.ok(rows.some((l) => l.includes('\tev\\x1b[2Jil\t41000\t')), 'zeek escapes as \\xNN');
  });

  it('flows ndjson and summary json keep the exact names, with every control character escaped', () => {
    const nd = checkTerminalRun('flows ndjson', ['flows', capture, ...common, '--format', 'ndjson']);
    const hosts = new Set(nd.trimEnd().split('\n').flatMap((l) => { const f = JSON.parse(l) as { orig_h: string; resp_h: string }; return [f.orig_h, f.resp_h]; }));
    for (const name of NAMES) assert.ok(hosts.has(name), `ndjson keeps ${JSON.stringify(name)}`);
    const json = checkTerminalRun('summary json', ['summary', capture, ...common, '--format', 'json']);
    assert.ok(JSON.stringify(JSON.parse(json)).includes(JSON.stringify('ev\x1b[2Jil').slice(1, -1)));
  });

  it('packets (text and ndjson): names escaped', () => {
    const text = checkTerminalRun('packets', ['packets', capture, ...common]);
    assert.ok(text.includes(`IP ${shown('bell\x07host')}.41001 > `));
    const nd = checkTerminalRun('packets ndjson', ['packets', capture, ...common, '--format', 'ndjson']);
    assert.ok(nd.trimEnd().split('\n').some((l) => (JSON.parse(l) as { src: string }).src === 'raw\x9b2J'));
  });

  it('warnings on stderr: the garbage line is named by number, its bytes escaped, and counted', () => {
    const r = run(['summary', capture, ...common]);
    assertTerminalSafe('stderr', r.err);
    assert.match(r.err, new RegExp(`"[^"]*hostile\\.txt": line ${garbageLine}, byte offset \\d+: unparsable-line: `));
    assert.match(r.err, /finscope: 1 input warning: 1 unparsable-line\n/);
  });

  it('SVG ladder and timeline: well-formed, names as text, no markup from the capture', () => {
    for (const [what, args] of [['ladder', ['--flow', '7', '--flow', '9']], ['timeline', ['--timeline']]] as const) {
      const r = run(['diagram', capture, ...common, ...args]);
      assertNoCrash(what, r);
      assert.equal(r.code, 0, r.err);
      const svg = r.out;
      assert.deepEqual(xmlProblems(svg), [], `${what}: well-formed`);
      assert.doesNotMatch(svg, /<script/i, `${what}: no script element`);
      assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, `${what}: the name as text`);
      assert.doesNotMatch(svg, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/, `${what}: no control characters`);
    }
  });

  it('HTML report: well-formed, inert, names escaped', () => {
    const out = join(dir, 'report.html');
    const r = run(['report', capture, ...common, '-o', out]);
    assertNoCrash('report', r);
    assert.equal(r.code, 0, r.err);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.startsWith('<!DOCTYPE html>\n'));
    assert.deepEqual(xmlProblems(html.slice('<!DOCTYPE html>\n'.length)), []);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /a&amp;b/);
    assert.match(html, /x\]\]&gt;y/);
    assert.match(html, /q&quot;uo&#39;te/);
    assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    assert.ok(html.includes(shown('ev\x1b[2Jil')));
  });

  it('file names in messages are quoted and escaped (C0, DEL and C1)', () => {
    const hostileName = join(dir, 'cap\x1b[2J\u009b31m\x07\x7f"q.txt');
    copyFileSync(capture, hostileName);
    const ok = run(['summary', hostileName, ...common]);
    assert.equal(ok.code, 0, ok.err);
    assertTerminalSafe('summary of a hostile file name', ok.out);
    assertTerminalSafe('warnings about a hostile file name', ok.err);
    assert.match(ok.err, /"[^"\n]*cap\\u001b\[2J\\(u009b|x9b)31m\\u0007\\(u007f|x7f)\\"q\.txt": line \d+/);
    const missing = run(['summary', join(dir, 'gone\u009b2J\x1b[31m.pcap')]);
    assert.equal(missing.code, 65);
    assertTerminalSafe('error about a missing hostile file name', missing.err);
    assert.match(missing.err, /^finscope: "[^\n]*gone\\u009b2J\\u001b\[31m\.pcap": cannot open: no such file\n$/);
  });
});

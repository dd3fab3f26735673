// The real binary (bin/finscope.js over dist/, built by `npm test` first): exit codes, error style
// and output shapes fixed by the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/finscope.js');
const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const halfClosed = join(corpus, 'other/suricata-verify/bug-814/input.pcap');
const haveCorpus = existsSync(halfClosed);
const noCorpus = haveCorpus ? false : 'corpus not found at ../shared/corpus (skipped)';
const tmp = mkdtempSync(join(tmpdir(), 'finscope-cli-'));

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'buffer', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

test('--help lists the commands and exits 0', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0, r.err);
  for (const c of ['summary', 'flows', 'packets', 'diagram', 'report', 'tui']) assert.match(r.out, new RegExp(`finscope ${c}`));
});

test('--version, and a command\'s --help, answer and run nothing (yargs parses; the command runs after it)', () => {
  const v = run(['--version']);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /^\d+\.\d+\.\d+\n$/);
  // a capture that does not exist: reading it would exit 65
  const h = run(['summary', '/nonexistent/x.pcap', '--help']);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /finscope summary <capture\.\.>/);
  assert.equal(h.err, '');
});

test('a command run lays out no help text, and the bundle makes no Intl.Segmenter nor emoji tables (~45 ms of every run)', () => {
  // Help text is laid out by cliui, which measures every string with an Intl.Segmenter: count the
  // segmenters made and their calls while main() runs. `--help` is the control showing that the
  // probe sees help being laid out.
  const sample = join(root, 'samples/clean-close.pcap');
  const probe = (main: string, args: string[]) => {
    const script = `let made = 0, calls = 0; const Real = Intl.Segmenter;
      Intl.Segmenter = class extends Real { constructor(...a) { super(...a); made++; } segment(s) { calls++; return super.segment(s); } };
      const { main } = await import(${JSON.stringify(main)});
      const code = await main(${JSON.stringify(args)});
      process.stderr.write(JSON.stringify({ made, calls, code }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stderr) as { made: number; calls: number; code: number };
  };
  const bundle = join(root, 'dist/bundle/main.js');
  for (const main of [join(root, 'dist/src/cli/main.js'), bundle]) {
    const help = probe(main, ['summary', '--help']);
    assert.ok(help.made > 0 && help.calls > 0, `${main}: the probe sees help being laid out`);
    for (const command of ['summary', 'flows', 'packets']) {
      const r = probe(main, [command, sample, '--quiet']);
      assert.equal(r.code, 0);
      assert.equal(r.calls, 0, `${main} ${command}: help text laid out during a run`);
      // tsc's output loads yargs' own modules, which make their segmenters as they load
      if (main === bundle) assert.equal(r.made, 0, `${command}: the bundle made an Intl.Segmenter`);
    }
  }
  // string-width 8 builds this regular expression as it loads (~14 ms); the bundle has 7.2 only
  assert.doesNotMatch(readFileSync(bundle, 'utf8'), /RGI_Emoji/);
});

test('help is in English whatever the locale (no yargs words in another language mixed in)', () => {
  // The bundle (bin) and tsc's output run directly: the latter still finds yargs' locale files,
  // so only the CLI's own choice of English keeps German out of it.
  const unbundled = `const { main } = await import(${JSON.stringify(join(root, 'dist/src/cli/main.js'))}); process.exitCode = await main(['summary', '--help']);`;
  for (const LANG of ['de_DE.UTF-8', 'fr_FR.UTF-8']) {
    for (const args of [[bin, 'summary', '--help'], ['--input-type=module', '-e', unbundled]]) {
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, LANG, LC_ALL: LANG, NO_COLOR: '1' } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Show help/, `${LANG} ${args[0]}`);
      assert.match(r.stdout, /\[default: 60\]/);
    }
  }
});

test('usage errors exit 2 with a message', () => {
  const unknown = run(['flows', 'x.pcap', '--no-such-option']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /Unknown argument|no-such-option/i);
  const badNumber = run(['flows', 'x.pcap', '--time-wait', 'abc']);
  assert.equal(badNumber.code, 2);
  assert.match(badNumber.err, /--time-wait must be a non-negative number/);
  const badChoice = run(['flows', 'x.pcap', '--format', 'xml']);
  assert.equal(badChoice.code, 2);
  const badDate = run(['flows', 'x.pcap', '--date', '21/11/2026']);
  assert.equal(badDate.code, 2);
  const badFilter = run(['flows', 'x.pcap', '--filter', 'state OPEN']);
  assert.equal(badFilter.code, 2);
  assert.match(badFilter.err, /unknown state/);
});

test('a file that is not a capture exits 65 and shows its first bytes', () => {
  const zip = join(tmp, 'not-a-capture.zip');
  writeFileSync(zip, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x01]));
  const r = run(['flows', zip]);
  assert.equal(r.code, 65, r.err);
  assert.match(r.err, /50 4b 03 04/);
  assert.doesNotMatch(r.err, /at .*\.js:\d+/, 'no stack trace');
});

test('an empty file and a missing file exit 65', () => {
  const empty = join(tmp, 'empty.pcap');
  writeFileSync(empty, '');
  const e = run(['flows', empty]);
  assert.equal(e.code, 65, e.err);
  assert.match(e.err, /empty/i);
  const missing = run(['flows', join(tmp, 'does-not-exist.pcap')]);
  assert.equal(missing.code, 65, missing.err);
});

test('packets --format ndjson has exactly the contract keys', { skip: noCorpus }, () => {
  const r = run(['packets', halfClosed, '--format', 'ndjson']);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(rows.length > 0);
  for (const row of rows) {
    assert.deepEqual(Object.keys(row).sort(), ['ack', 'dport', 'dst', 'flags', 'flow', 'len', 'seq', 'sport', 'src', 'ts', 'win']);
    assert.equal(row.flow, 1);
  }
});

test('flows ndjson carries every contract key; json is the same objects; csv flattens', { skip: noCorpus }, () => {
  const keys = ['id', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'ts', 'duration', 'orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes', 'conn_state', 'history', 'orig_state', 'resp_state', 'first_fin', 'findings'];
  const nd = run(['flows', halfClosed, '--format', 'ndjson']);
  assert.equal(nd.code, 0, nd.err);
  const rows = nd.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const k of keys) assert.ok(k in rows[0]!, `missing ${k}`);
  const js = run(['flows', halfClosed, '--format', 'json']);
  assert.deepEqual(JSON.parse(js.out), rows);
  const csv = run(['flows', halfClosed, '--format', 'csv']);
  assert.equal(csv.out.split('\n')[0], keys.join(','));
});

test('flows --format zeek writes conn.log headers in the standard column order', { skip: noCorpus }, () => {
  const r = run(['flows', halfClosed, '--format', 'zeek']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], '#separator \\x09');
  const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  assert.deepEqual(fields, 'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents'.split(' '));
  const row = lines.find((l) => !l.startsWith('#') && l.length > 0)!.split('\t');
  assert.equal(row.length, fields.length);
  assert.equal(row[fields.indexOf('proto')], 'tcp');
});

test('standard input gives the same flows as the file', { skip: noCorpus }, () => {
  const fromFile = run(['flows', halfClosed, '--format', 'ndjson']);
  const fromStdin = run(['flows', '-', '--format', 'ndjson'], readFileSync(halfClosed));
  assert.equal(fromStdin.code, 0, fromStdin.err);
  assert.equal(fromStdin.out, fromFile.out);
});

test('--fail-on warning exits 1 when a half-close outlives --min-age, 0 otherwise', { skip: noCorpus }, () => {
  // bug-814: the server ACKs the client's FIN and never sends its own (Suricata: close_wait).
  const strictAge = run(['flows', halfClosed, '--format', 'ndjson', '--fail-on', 'warning', '--min-age', '0']);
  assert.equal(strictAge.code, 1, strictAge.err);
  const lenient = run(['flows', halfClosed, '--format', 'ndjson', '--fail-on', 'error', '--min-age', '3600']);
  assert.equal(lenient.code, 0, lenient.err);
});

test('FINSCOPE_TIMINGS=1: one line on stderr with the phases, which add up to the total; stdout unchanged', () => {
  const sample = join(root, 'samples/clean-close.pcap');
  const timed = (command: string, env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [bin, command, '--quiet', sample], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  for (const command of ['summary', 'flows']) {
    const plain = timed(command, { FINSCOPE_TIMINGS: '' });
    const withTimings = timed(command, { FINSCOPE_TIMINGS: '1' });
    assert.equal(plain.code, 0, plain.err);
    assert.equal(withTimings.code, 0, withTimings.err);
    assert.equal(plain.err, '', 'nothing on stderr without the variable');
    assert.equal(withTimings.out, plain.out);
    const lines = withTimings.err.trim().split('\n');
    assert.equal(lines.length, 1, withTimings.err);
    const m = /^finscope timings: start-up (\d+\.\d{3}) s, reading and tracking (\d+\.\d{3}) s \((\d+\.\d\d) M segments\/s\), diagnosis (\d+\.\d{3}) s, output (\d+\.\d{3}) s, total (\d+\.\d{3}) s$/.exec(lines[0]!);
    assert.ok(m, lines[0]);
    const [startUp, read, , diagnosis, output, total] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    assert.ok(startUp > 0 && read >= 0 && diagnosis >= 0 && output >= 0, lines[0]);
    // each figure is rounded to 1 ms
    assert.ok(Math.abs(startUp + read + diagnosis + output - total) <= 0.003, lines[0]);
    assert.equal(timed(command, { FINSCOPE_TIMINGS: '0' }).err, '', 'FINSCOPE_TIMINGS=0 is off');
  }
});

// End to end: the real binary (bin/finscope.js → dist/) in a tmux pane, driven with send-keys and
// read with capture-pane. Checks the user's path (filter to the CLOSE_WAIT connection, open it, see
// the missing FIN, write its SVG, quit) against tcpdump's view of the same capture, that the
// terminal comes back (tmux's alternate_on flag, the text printed before), and the live pipe.
// Needs `npm run build` and tmux; skips with a message otherwise.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/finscope.js');
const BUILT = join(ROOT, 'dist/src/cli/commands/tui.js');
const SAMPLE = join(ROOT, 'samples/forking-server.pcap');
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
// Until the lab's sample exists, a corpus capture with half-closed connections stands in.
const FALLBACK = join(CORPUS, 'zeek/Traces/ssh/ssh.server-side-half-duplex.pcap');
const CAPTURE = existsSync(SAMPLE) ? SAMPLE : existsSync(FALLBACK) ? FALLBACK : null;
const TEXT = join(CORPUS, 'zeek/Traces/ssh/ssh.server-side-half-duplex.pcap.tcpdump-n.txt');

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const noTmux = !has('tmux') && 'tmux is not installed';
const noBuild = !existsSync(BUILT) && 'dist/ is missing or has no tui command: run `npm run build` first';
const skipAll = noTmux || noBuild;

const SOCKET = `finscope-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
// One session per test (never killed and recreated: the server may exit in between).
let session = '';
let sessions = 0;
const screen = () => tmux('capture-pane', '-p', '-t', session);
const alternateOn = () => tmux('display-message', '-p', '-t', session, '#{alternate_on}').trim() === '1';
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < end) {
    text = screen();
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`timed out waiting for ${pattern}; the screen was:\n${text}`);
}

/** Run `command` in a fresh 120x40 pane; the pane stays open after it ends so we can read it. */
function start(command: string, cwd: string): void {
  session = `e2e-${++sessions}`;
  // CI makes ink print frames without erasing; a real terminal user has no CI variable.
  const script = `cd ${sh(cwd)} && echo BEFORE-TUI && ${command}; echo "EXITED $?"; sleep 600`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `env -u CI -u CONTINUOUS_INTEGRATION sh -c ${sh(script)}`);
}

const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const text = (t: string) => tmux('send-keys', '-t', session, '-l', t);

/** tcpdump's own account of which endpoints of a 4-tuple sent a FIN (the oracle for "missing FIN"). */
function finSenders(capture: string, a: string, b: string): Set<string> {
  const out = execFileSync('tcpdump', ['-n', '-r', capture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  const senders = new Set<string>();
  const dotted = (ep: string) => ep.replace(/:(\d+)$/, '.$1');
  for (const line of out.split('\n')) {
    const m = / IP6? (\S+) > (\S+): Flags \[([^\]]*)\]/.exec(line);
    if (!m) continue;
    const src = m[1]!, dst = m[2]!.replace(/:$/, '');
    const pair = [src, dst].sort().join(' ');
    if (pair !== [dotted(a), dotted(b)].sort().join(' ')) continue;
    if (m[3]!.includes('F')) senders.add(src === dotted(a) ? a : b);
  }
  return senders;
}

describe('finscope tui in tmux', { skip: skipAll }, () => {
  let work = '';
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'finscope-e2e-'));
  });
  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(work, { recursive: true, force: true });
  });

  test(`filter to a CLOSE_WAIT connection, open it, see the missing FIN, write its SVG, quit (${CAPTURE ? CAPTURE.replace(ROOT, '').replace(CORPUS, 'corpus/') : 'no capture'})`, { skip: !CAPTURE && `${SAMPLE} does not exist yet (the lab engineer is making it) and the corpus is absent` }, async () => {
    start(`node ${sh(BIN)} tui ${sh(CAPTURE!)}`, work);
    await waitFor(/\[summary\]/);
    assert.equal(alternateOn(), true, 'the TUI runs in the alternate screen');

    keys('/');
    text('state CLOSE_WAIT');
    await waitFor(/\/ state CLOSE_WAIT▏/);
    keys('Enter');
    let s = await waitFor(/filter: state CLOSE_WAIT/);
    assert.match(s, /CLOSE_WAIT/);

    keys('Enter');
    s = await waitFor(/\[connection\]/);
    const head = /Connection (\d+) {2}(\S+) → (\S+) {2}orig (\S+) · resp (\S+)/.exec(s);
    assert.ok(head, s);
    const [, id, orig, resp, origState, respState] = head;
    assert.ok(origState === 'CLOSE_WAIT' || respState === 'CLOSE_WAIT', head[0]);
    const waiting = origState === 'CLOSE_WAIT' ? orig! : resp!;
    const peer = waiting === orig ? resp! : orig!;
    // The finding names the endpoint that owes the FIN; the peer's FIN is marked as evidence.
    assert.match(s, new RegExp(`fin-not-returned ${waiting.replace(/[.[\]]/g, '\\$&')}`));
    assert.match(s, /◆ .*F/, 'the evidence segment (a FIN) is marked');
    assert.match(s, /idle until capture end|capture end .*CLOSE_WAIT/);
    if (has('tcpdump')) {
      const senders = finSenders(CAPTURE!, waiting, peer);
      assert.ok(senders.has(peer), `tcpdump shows ${peer} sent a FIN`);
      assert.ok(!senders.has(waiting), `tcpdump shows ${waiting} never sent a FIN`);
    }

    keys('d');
    s = await waitFor(/wrote the ladder diagram of connection \d+ to /);
    const path = /wrote the ladder diagram of connection (\d+) to (\S+\.svg)/.exec(s);
    assert.ok(path, s);
    assert.equal(path[1], id);
    assert.equal(path[2], join(work, `finscope-connection-${id}.svg`));
    assert.match(readFileSync(path[2]!, 'utf8'), /<svg[\s>]/);

    keys('q');
    await waitFor(/filter: state CLOSE_WAIT/);
    keys('q');
    await waitFor(/\[summary\]/);
    keys('q');
    s = await waitFor(/EXITED 0/);
    assert.equal(alternateOn(), false, 'the alternate screen was left');
    assert.match(s, /BEFORE-TUI\nEXITED 0/, 'the shell screen is as it was: nothing of the TUI left on it');
  });

  test('Ctrl-C quits and restores the terminal', { skip: !CAPTURE && 'no capture' }, async () => {
    start(`node ${sh(BIN)} tui ${sh(CAPTURE!)}`, work);
    await waitFor(/\[summary\]/);
    keys('C-c');
    const s = await waitFor(/EXITED \d+/);
    assert.match(s, /BEFORE-TUI\nEXITED 0/);
    assert.equal(alternateOn(), false);
  });

  test('SIGTERM restores the terminal and exits 143', { skip: !CAPTURE && 'no capture' }, async () => {
    start(`node ${sh(BIN)} tui ${sh(CAPTURE!)}`, work);
    await waitFor(/\[summary\]/);
    // The node process is a descendant of the pane's shell; signal it by its id.
    const childrenOf = (pid: string) => spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', pid], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));
    const queue = [tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim()];
    let node: string | undefined;
    while (queue.length && !node) {
      for (const [pid, comm] of childrenOf(queue.shift()!)) {
        if (comm === 'node') node = pid;
        else queue.push(pid!);
      }
    }
    assert.ok(node, 'the finscope node process');
    process.kill(Number(node), 'SIGTERM');
    const s = await waitFor(/EXITED \d+/);
    assert.match(s, /EXITED 143/);
    assert.equal(alternateOn(), false);
  });

  test('a text capture through a pipe: rows appear while it is read; keys come from the terminal', { skip: !existsSync(TEXT) && `corpus text not found at ${TEXT}` }, async () => {
    const lines = readFileSync(TEXT, 'utf8').split('\n').filter(Boolean).slice(0, 400);
    const file = join(work, 'slow.txt');
    execFileSync('sh', ['-c', `cat > ${sh(file)}`], { input: lines.join('\n') + '\n' });
    // ~20 ms a line: about 8 s of input.
    start(`(while read -r l; do printf '%s\\n' "$l"; sleep 0.02; done < ${sh(file)}) | node ${sh(BIN)} tui - --date 2015-01-12`, work);
    let s = await waitFor(/● live/);
    assert.equal(alternateOn(), true);
    s = await waitFor(/ [1-9]\d* connections? · [1-9][\d,]* segments? .*● live/);
    const early = Number(/ ([\d,]+) segments?/.exec(s)![1]!.replace(/,/g, ''));
    assert.ok(early < lines.length, `rows appeared after ${early} of ${lines.length} lines, before the input ended`);
    assert.match(s, /^\s*1 \d+\.\d+\.\d+\.\d+:\d+/m, 'the first connection row is on screen');
    // A key while the capture still streams in: the filter box opens (keys come from /dev/tty).
    keys('/');
    text('port 22');
    await waitFor(/\/ port 22▏/);
    keys('Escape');
    s = await waitFor(/■ input ended/, 30_000);
    const final = / ([\d,]+) connections? · ([\d,]+) segments?/.exec(s)!;
    assert.equal(Number(final[2]!.replace(/,/g, '')), lines.length);
    keys('q');
    s = await waitFor(/EXITED \d+/);
    assert.match(s, /BEFORE-TUI\nEXITED 0/);
    assert.equal(alternateOn(), false);
  });

  test('quitting while the pipe still streams ends the program (the capture reader is stopped)', { skip: !existsSync(TEXT) && 'corpus text not found' }, async () => {
    // An endless writer, like `tcpdump -l`: finscope must not wait for its end. Like tcpdump, the
    // writer stops when its pipe has no reader any more (cat dies of SIGPIPE).
    start(`(while cat ${sh(TEXT)}; do sleep 0.2; done) | node ${sh(BIN)} tui - --date 2015-01-12`, work);
    await waitFor(/ [1-9]\d* connections?.*● live/);
    const t0 = Date.now();
    keys('q');
    const s = await waitFor(/EXITED \d+/, 10_000);
    assert.match(s, /EXITED 0/);
    assert.ok(Date.now() - t0 < 5000, `exit took ${Date.now() - t0} ms`);
    assert.equal(alternateOn(), false);
  });
});

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
import net from 'node:net';
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

/** Capturing on loopback needs tcpdump, ss and the right to capture (root or CAP_NET_RAW). */
function liveCaptureUnavailable(): string | false {
  if (!has('tcpdump') || !has('ss')) return 'tcpdump or ss is not installed';
  const r = spawnSync('tcpdump', ['-i', 'lo', '-c', '1', '-w', '/dev/null', 'tcp port 1'], { timeout: 1500, stdio: 'pipe' });
  // A permission error ends it at once with status 1; a capture that works waits for a packet.
  return r.status === 1 ? `tcpdump cannot capture on lo here: ${String(r.stderr).trim().split('\n').pop()}` : false;
}

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
    // tmux leaves its socket file behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
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

  test('CI=true in the environment (a shell on a CI runner): the TUI still draws as it goes', { skip: !CAPTURE && 'no capture' }, async () => {
    // ink draws nothing but the last frame when it believes it runs in CI; finscope's TUI only
    // starts on a terminal, so it must draw regardless (and leave CI as it was for everything else).
    start(`CI=true CONTINUOUS_INTEGRATION=1 node ${sh(BIN)} tui ${sh(CAPTURE!)}`, work);
    await waitFor(/\[summary\]/);
    assert.equal(alternateOn(), true);
    keys('q');
    const s = await waitFor(/EXITED \d+/);
    assert.match(s, /BEFORE-TUI\nEXITED 0/);
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
    assert.match(s, /^›\s*1 \d+\.\d+\.\d+\.\d+:\d+/m, 'the first connection row is on screen, under the cursor');
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

  test('tcpdump -U -w - | finscope tui -: live connections and their states agree with the kernel (ss)', { skip: liveCaptureUnavailable() }, async () => {
    // A server that keeps every accepted socket open (the CLOSE_WAIT leak) and clients that
    // send a line and shut down their side: servers end in CLOSE_WAIT, clients in FIN_WAIT_2.
    const port = 30000 + (process.pid % 9000);
    const held: import('node:net').Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      held.push(s);
      s.resume();
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const clients: import('node:net').Socket[] = [];
    try {
      start(`tcpdump -i lo --immediate-mode -U -w - 'tcp port ${port}' 2>/dev/null | node ${sh(BIN)} tui -`, work);
      await waitFor(/● live/);
      await new Promise((r) => setTimeout(r, 1000)); // tcpdump is listening once it has started
      for (let i = 0; i < 3; i++) {
        const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
          c.write(`request ${i}\n`);
          setTimeout(() => c.end(), 50);
        });
        c.resume();
        clients.push(c);
        await new Promise((r) => setTimeout(r, 150));
      }
      await waitFor(/ 3 connections · .*● live[\s\S]*(CLOSE_WAIT[\s\S]*){3}/);
      // The sockets are now at rest (servers hold them open, clients wait in FIN_WAIT_2), but the
      // last packets may still be on their way: the server's ACK of a FIN is a delayed ACK (40 ms
      // or more), libpcap hands packets over in blocks, and snapshots come every 200 ms. So compare
      // the screen with ss until they agree, for at most 5 s; the last comparison is asserted.
      const rowsOf = (s: string) => [...s.matchAll(/(\d+\.\d+\.\d+\.\d+):(\d+)\s+(\d+\.\d+\.\d+\.\d+):(\d+)\s+([A-Z_0-9]+)\s+([A-Z_0-9]+)/g)];
      const kernelStates = () => {
        // The kernel's view of the same sockets (ss prints CLOSE-WAIT for CLOSE_WAIT).
        const ss = execFileSync('ss', ['-tanH', `( sport = :${port} or dport = :${port} )`], { encoding: 'utf8' });
        const kernel = new Map<string, string>();
        for (const line of ss.split('\n')) {
          const f = line.trim().split(/\s+/);
          if (f.length >= 5) kernel.set(`${f[3]} ${f[4]}`, f[0]!.replace(/-/g, '_').replace('FIN_WAIT2', 'FIN_WAIT_2').replace('FIN_WAIT1', 'FIN_WAIT_1').replace('ESTAB', 'ESTABLISHED'));
        }
        return kernel;
      };
      const agree = (rows: RegExpExecArray[], kernel: Map<string, string>) =>
        rows.length === 3 && rows.every(([, oh, op, rh, rp, o, r]) => o === kernel.get(`${oh}:${op} ${rh}:${rp}`) && r === kernel.get(`${rh}:${rp} ${oh}:${op}`));
      let s = screen();
      let rows = rowsOf(s);
      let kernel = kernelStates();
      for (const deadline = Date.now() + 5000; !agree(rows, kernel) && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 100));
        s = screen();
        rows = rowsOf(s);
        kernel = kernelStates();
      }
      assert.equal(rows.length, 3, s);
      for (const [, oh, op, rh, rp, origState, respState] of rows) {
        assert.equal(origState, kernel.get(`${oh}:${op} ${rh}:${rp}`), `client ${oh}:${op}: ss says ${kernel.get(`${oh}:${op} ${rh}:${rp}`)}`);
        assert.equal(respState, kernel.get(`${rh}:${rp} ${oh}:${op}`), `server side of ${oh}:${op}`);
        assert.equal(respState, 'CLOSE_WAIT');
      }
      keys('q');
      await waitFor(/BEFORE-TUI/);
      assert.equal(alternateOn(), false);
    } finally {
      for (const c of clients) c.destroy();
      for (const h of held) h.destroy();
      server.close();
    }
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

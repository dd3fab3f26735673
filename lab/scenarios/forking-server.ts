// Scenario 1 (forking server): accepted sockets inherited by a child process → server CLOSE_WAIT, client FIN_WAIT_2.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { listen, connect, endSocket } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { sleep, waitUntil } from '../util.js';

const CONNECTIONS = 4;
/**
 * Pause before the last request. A capture ends at its last packet, so the only way to show
 * CLOSE_WAITs older than finscope's default --min-age (5 s) is later traffic: the first three
 * leaks are 6 s old when the fourth request (which leaks too) ends the capture.
 */
const HOLD_MS = 6000;
const REQUEST = 'GET /report HTTP/1.0\r\nHost: lab\r\n\r\n';
const RESPONSE = 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n';

export const forkingServer: Scenario = {
  name: 'forking-server',
  issue: 1,
  title: 'Forking server: a child inherits the accepted socket, so close() sends no FIN',
  story:
    'A server spawns a helper process (a CGI script, `sh -c`, a daemonising library) while an accepted ' +
    'socket is open, and the child inherits the descriptor. The server answers and calls close(), but ' +
    'the kernel only sends a FIN when the last descriptor goes, and the child never closes it. The ' +
    "client closes after reading the answer; the server's kernel ACKs that FIN, and the socket sits in " +
    'CLOSE_WAIT for as long as the child lives (the Recv-Q of 1 is the unread FIN), while the client ' +
    'waits in FIN_WAIT_2 (orphaned ones until tcp_fin_timeout, 60 s). Three requests come at once, ' +
    'a fourth 6 s later; every one leaks, and the capture stops right after the fourth, long before ' +
    'that timer.',
  ports: 1,
  async run(ctx) {
    const port = ctx.port(0);
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => {
        // The bug, made explicit: Node's own sockets are close-on-exec, so pass the accepted socket to
        // the child as fd 3, as fork() does for any descriptor without FD_CLOEXEC.
        const child = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', s] });
        ctx.onCleanup(() => child.kill('SIGKILL'));
        s.write(RESPONSE, () => s.destroy()); // close(): the child's copy keeps the socket open → no FIN
      });
    });
    ctx.track(server);
    await listen(server, ctx.host, port);
    const clients: net.Socket[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      if (i === CONNECTIONS - 1) await sleep(HOLD_MS);
      const c = ctx.track(await connect(ctx.host, port));
      const answered = new Promise<void>((resolve) => {
        let got = '';
        c.on('data', (b: Buffer) => {
          got += b.toString();
          if (got.endsWith('ok\n')) resolve();
        });
      });
      c.write(REQUEST);
      await answered;
      // Clients close() (orphaned FIN_WAIT_2 with the tcp_fin_timeout timer), except the third, which
      // half-closes with shutdown() and keeps its descriptor (FIN_WAIT_2 without a timer).
      const halfClose = i === 2;
      ctx.note(c.localPort ?? 0, halfClose ? 'client shutdown(SHUT_WR), keeps the socket' : 'client close()d: orphaned FIN_WAIT_2');
      if (halfClose) await endSocket(c);
      else c.destroy();
      clients.push(c);
    }
    await waitUntil(
      async () => (await ctx.kernelStates()).filter((s) => s.state === 'CLOSE_WAIT').length === CONNECTIONS,
      2000,
      `${CONNECTIONS} server sockets in CLOSE-WAIT`,
    );
  },
  expect(t, c) {
    const conns = c.count(t, CONNECTIONS, 'connections to the server', toPort(t.ports[0]!));
    c.states(conns, { orig: 'FIN_WAIT_2', resp: 'CLOSE_WAIT', first_fin: 'orig' }, 'forking server');
    for (const x of conns) {
      c.ok(x.resp.unread_bytes === 0, `connection ${x.id}: server read the request, expected 0 unread bytes, ss says ${x.resp.unread_bytes}`);
      c.ok(x.resp.pkts >= 3 && x.resp.bytes === RESPONSE.length, `connection ${x.id}: server sent its answer (${x.resp.bytes} bytes) and no FIN`);
    }
    const end = t.capture.last_ts ?? 0;
    const old = conns.slice(0, CONNECTIONS - 1).filter((x) => end - (x.first_fin_ts ?? end) > 5);
    c.ok(old.length === CONNECTIONS - 1, `the first ${CONNECTIONS - 1} CLOSE_WAITs are over 5 s old at capture end, found ${old.length}`);
  },
};

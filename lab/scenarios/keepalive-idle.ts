// Scenario 4 (keep-alive idle timeout): the server closes idle connections, the pool keeps them → client CLOSE_WAIT; reuse → RST.

import http from 'node:http';
import type net from 'node:net';
import { connect, listen } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { sleep, waitUntil } from '../util.js';

const POOL = 3;
/** Node's http server option; Node 20 closes an idle keep-alive socket about 1 s after it (observed: 2.0 s). */
const KEEP_ALIVE_TIMEOUT_MS = 1000;
const REQUEST = 'GET /items/42 HTTP/1.1\r\nHost: lab\r\nConnection: keep-alive\r\n\r\n';

export const keepaliveIdle: Scenario = {
  name: 'keepalive-idle',
  issue: 4,
  title: 'Keep-alive idle timeout: the server closes idle connections, the client pool keeps them in CLOSE_WAIT',
  story:
    "An HTTP client pool (no idle eviction, no stale check) talks to a Node.js server whose keepAliveTimeout " +
    'is shorter than the pool\'s idea of idle. After each response the pool parks the connection and ' +
    "stops reading it. The server's idle timer fires and it closes: FIN, ACKed by the client kernel, and " +
    'the parked connections sit in CLOSE_WAIT on the client. When the pool hands one out again, the ' +
    "request goes to the server's orphaned FIN_WAIT_2 socket, which answers with RST (ECONNRESET in the " +
    'application; both ends CLOSED). Timeout scaled down: keepAliveTimeout 1 s.',
  ports: 1,
  async run(ctx) {
    const port = ctx.port(0);
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('item 42\n');
    });
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    ctx.track(server);
    ctx.onCleanup(() => server.closeAllConnections());
    await listen(server, ctx.host, port);

    const pool: net.Socket[] = [];
    for (let i = 0; i < POOL; i++) {
      const c = ctx.track(await connect(ctx.host, port, { allowHalfOpen: true }));
      await new Promise<void>((resolve) => {
        let got = '';
        const onData = (b: Buffer): void => {
          got += b.toString();
          if (got.endsWith('item 42\n')) {
            c.off('data', onData);
            resolve();
          }
        };
        c.on('data', onData);
        c.write(REQUEST);
      });
      c.pause(); // parked in the pool: nobody reads an idle connection
      pool.push(c);
    }
    await waitUntil(
      async () => (await ctx.kernelStates()).filter((s) => s.state === 'CLOSE_WAIT').length === POOL,
      KEEP_ALIVE_TIMEOUT_MS + 4000,
      `${POOL} pooled client sockets in CLOSE-WAIT after the server's idle timeout`,
    );
    await sleep(300);
    const reused = pool[0]!;
    ctx.note(reused.localPort ?? 0, 'pool reused a connection the server had closed: RST');
    const reusedKey = `${ctx.host}:${reused.localPort ?? 0}`;
    reused.write(REQUEST);
    await waitUntil(
      async () => !(await ctx.kernelStates()).some((s) => s.local === reusedKey),
      2000,
      'the reused client socket reset and gone',
    );
  },
  expect(t, c) {
    const conns = c.count(t, POOL, 'pooled connections', toPort(t.ports[0]!));
    const reset = conns.filter((x) => x.first_rst !== null);
    const parked = conns.filter((x) => x.first_rst === null);
    c.ok(reset.length === 1, `exactly one reused connection reset, found ${reset.length}`);
    c.states(parked, { orig: 'CLOSE_WAIT', resp: 'FIN_WAIT_2', first_fin: 'resp' }, 'parked pool connection');
    c.states(reset, { orig: 'CLOSED', resp: 'CLOSED', first_fin: 'resp' }, 'reused pool connection');
    for (const x of reset) c.ok(x.first_rst === 'resp', `connection ${x.id}: the RST comes from the server`);
    for (const x of parked) {
      const idle = (x.first_fin_ts ?? 0) - (x.last_payload_ts ?? 0);
      c.warn(idle > 0.9 && idle < 3.5, `connection ${x.id}: server closed after ${idle.toFixed(3)} s idle (keepAliveTimeout ${KEEP_ALIVE_TIMEOUT_MS} ms)`);
    }
  },
};

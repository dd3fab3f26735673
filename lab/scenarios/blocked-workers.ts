// Scenario 5 (blocked workers): requests accepted but never read; the client's read timeout closes → server CLOSE_WAIT with Recv-Q.

import type net from 'node:net';
import { closed, connect, startLineServer } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { sleep } from '../util.js';

const CLIENTS = 4;
const STAGGER_MS = 250;
/** The proxy's read timeout (think proxy_read_timeout), scaled down from minutes. */
export const READ_TIMEOUT_MS = 2000;
const BODY = '{"job":"render","pages":12}';
export const BLOCKED_REQUEST =
  `POST /jobs HTTP/1.1\r\nHost: lab\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;

export const blockedWorkers: Scenario = {
  name: 'blocked-workers',
  issue: 5,
  title: 'Blocked workers: requests accepted but never read; the client times out and closes → server CLOSE_WAIT with Recv-Q',
  story:
    "Every worker thread of an application server is stuck (writing to a full pipe nobody drains, a " +
    "deadlock, a dead downstream). The kernel still completes handshakes and ACKs the requests into " +
    'the receive buffer, but no thread ever calls read(). The proxy in front gives up after its read ' +
    'timeout (the same 2.0 s for every connection) and closes: the server sockets pile up in CLOSE_WAIT ' +
    'with the request bytes still in Recv-Q (ss shows request length + 1: Linux counts the unread FIN), ' +
    "and the server's advertised window shrinks by the unread bytes. Here the server never reads " +
    '(pauseOnConnect); four clients start 250 ms apart.',
  ports: 1,
  async run(ctx) {
    const port = ctx.port(0);
    const server = await startLineServer(ctx.host, port, { pauseOnConnect: true });
    ctx.onCleanup(() => server.close());
    const clients: net.Socket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      if (i > 0) await sleep(STAGGER_MS);
      const c = ctx.track(await connect(ctx.host, port));
      c.write(BLOCKED_REQUEST, () => {
        // The read timeout starts once the request is out; nothing ever comes back.
        c.setTimeout(READ_TIMEOUT_MS, () => c.destroy());
      });
      clients.push(c);
    }
    await Promise.all(clients.map((c) => closed(c, READ_TIMEOUT_MS + 2000)));
  },
  expect(t, c) {
    const conns = c.count(t, CLIENTS, 'proxy connections', toPort(t.ports[0]!));
    c.states(conns, { orig: 'FIN_WAIT_2', resp: 'CLOSE_WAIT', first_fin: 'orig' }, 'blocked worker');
    for (const x of conns) {
      c.ok(x.resp.unread_bytes === BLOCKED_REQUEST.length, `connection ${x.id}: ${BLOCKED_REQUEST.length} request bytes unread per ss, found ${x.resp.unread_bytes} (Recv-Q ${x.resp.recv_q})`);
      c.ok(x.resp.bytes === 0, `connection ${x.id}: the server sent no payload`);
      const idle = (x.first_fin_ts ?? 0) - (x.last_payload_ts ?? 0);
      // Node's timer can only fire late, by scheduling delay on a busy machine.
      const late = idle - READ_TIMEOUT_MS / 1000;
      c.ok(late > -0.005 && late < 0.2, `connection ${x.id}: client closed ${idle.toFixed(3)} s after its request, expected ${READ_TIMEOUT_MS / 1000} s`);
      c.warn(late < 0.05, `connection ${x.id}: read timeout fired ${(late * 1000).toFixed(0)} ms late (busy machine)`);
    }
  },
};

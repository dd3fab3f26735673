// Scenario 3 (server stopped under connected clients): clients sit in CLOSE_WAIT; the one that writes gets RST.

import type net from 'node:net';
import { connect, request } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { waitUntil } from '../util.js';

const CLIENTS = 3;

export const serverStopped: Scenario = {
  name: 'server-stopped',
  issue: 3,
  title: 'Server stopped under connected clients: CLOSE_WAIT until the next write draws an RST',
  story:
    'The Redis story: a cache server is killed (kill -9, a restart, an OOM kill) while clients hold ' +
    "pooled connections. The dying process's kernel closes every socket with a FIN; the clients' kernels " +
    'ACK it, but the client library is not reading an idle connection, so nothing closes it: CLOSE_WAIT ' +
    "on the client, FIN_WAIT_2 on the server's orphaned socket. Both phases are in one capture: two " +
    'clients stay in CLOSE_WAIT; the third writes its next command, the orphaned server socket answers ' +
    'with RST and both ends are gone (CLOSED).',
  ports: 1,
  async run(ctx) {
    const port = ctx.port(0);
    const server = ctx.worker('kv-server', [ctx.host, String(port)]);
    await server.waitFor(/^ready/);
    const clients: net.Socket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const c = ctx.track(await connect(ctx.host, port, { allowHalfOpen: true }));
      const reply = await request(c, 'PING\r'); // RESP inline command, CRLF-terminated
      if (reply !== '+PONG\r') throw new Error(`kv-server answered ${JSON.stringify(reply)}`);
      clients.push(c);
    }
    await server.stop('SIGKILL');
    // The pool does not watch idle connections: nothing reacts to the FIN.
    await waitUntil(
      async () => (await ctx.kernelStates()).filter((s) => s.state === 'CLOSE_WAIT').length === CLIENTS,
      2000,
      `${CLIENTS} client sockets in CLOSE-WAIT after the server died`,
    );
    const writer = clients[0]!;
    ctx.note(writer.localPort ?? 0, 'client wrote after the server died: RST');
    const writerKey = `${ctx.host}:${writer.localPort ?? 0}`;
    writer.write('PING\r\n');
    await waitUntil(
      async () => !(await ctx.kernelStates()).some((s) => s.local === writerKey),
      2000,
      'the writing client socket reset and gone',
    );
  },
  expect(t, c) {
    const conns = c.count(t, CLIENTS, 'client connections', toPort(t.ports[0]!));
    const reset = conns.filter((x) => x.first_rst !== null);
    const waiting = conns.filter((x) => x.first_rst === null);
    c.ok(reset.length === 1, `exactly one connection reset, found ${reset.length}`);
    c.states(waiting, { orig: 'CLOSE_WAIT', resp: 'FIN_WAIT_2', first_fin: 'resp' }, 'idle client after server death');
    c.states(reset, { orig: 'CLOSED', resp: 'CLOSED', first_fin: 'resp' }, 'client that wrote again');
    for (const x of reset) c.ok(x.first_rst === 'resp', `connection ${x.id}: the RST comes from the server side`);
  },
};

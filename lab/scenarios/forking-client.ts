// Scenario 2 (client that forks after connecting): a child holds the old socket → CLOSE_WAIT beside a new ESTABLISHED.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { connect, listen, request } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { waitUntil } from '../util.js';

export const forkingClient: Scenario = {
  name: 'forking-client',
  issue: 2,
  title: 'Client forks after connecting: the inherited socket stays in CLOSE_WAIT beside the new connection',
  story:
    'The ZooKeeper-client story: a process holds a session connection, then starts a child (a shell ' +
    'command, a worker) that inherits the socket. The server expires the session and closes; the parent ' +
    'notices, close()s its descriptor and reconnects. Because the child still holds a copy, no FIN goes ' +
    'out: the client host keeps the old connection in CLOSE_WAIT next to a new ESTABLISHED one to the ' +
    "same server:port, and the server's side waits in FIN_WAIT_2.",
  ports: 1,
  async run(ctx) {
    const port = ctx.port(0);
    let accepted = 0;
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      const first = accepted++ === 0;
      s.on('data', (b: Buffer) => {
        if (!b.toString().includes('HELLO')) return;
        s.write('SESSION OK\n');
        // Session expiry on the first connection only: the server closes it shortly after.
        if (first) setTimeout(() => s.destroy(), 200);
      });
      ctx.track(s);
    });
    ctx.track(server);
    await listen(server, ctx.host, port);

    // allowHalfOpen: the client decides what the server's FIN means (Node would shutdown() otherwise).
    const old = ctx.track(await connect(ctx.host, port, { allowHalfOpen: true }));
    await request(old, 'HELLO');
    // The child inherits the connected socket (fd 3), as a fork+exec without CLOEXEC would.
    const child = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', old] });
    ctx.onCleanup(() => child.kill('SIGKILL'));
    old.resume(); // handing a socket to spawn() pauses it; the parent keeps reading its session
    ctx.note(old.localPort ?? 0, 'session connection inherited by a child process, then closed by the parent');
    const expired = new Promise<void>((resolve) => old.once('end', () => resolve()));
    await expired;
    old.destroy(); // close(): the child's copy keeps the socket alive → no FIN, CLOSE_WAIT
    const fresh = ctx.track(await connect(ctx.host, port));
    await request(fresh, 'HELLO');
    ctx.note(fresh.localPort ?? 0, 'reconnection after the session expired');
    await waitUntil(
      async () => (await ctx.kernelStates()).some((s) => s.state === 'CLOSE_WAIT'),
      2000,
      'the old client socket in CLOSE-WAIT',
    );
  },
  expect(t, c) {
    const conns = c.count(t, 2, 'connections to the server', toPort(t.ports[0]!));
    const [old, fresh] = conns;
    if (!old || !fresh) return;
    c.states([old], { orig: 'CLOSE_WAIT', resp: 'FIN_WAIT_2', first_fin: 'resp' }, 'inherited connection');
    c.states([fresh], { orig: 'ESTABLISHED', resp: 'ESTABLISHED', first_fin: null }, 'new connection');
    c.ok(old.orig.addr === fresh.orig.addr && old.resp.endpoint === fresh.resp.endpoint, 'both connections go from the same client host to the same server:port');
  },
};

// Scenario 6 (clean closes): active close by client, by server, simultaneous close; TIME_WAIT on the active closer.

import { availableParallelism } from 'node:os';
import { closed, connect, endSocket, request, startLineServer } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';

const CLIENT_CLOSES = 2;
const SERVER_CLOSES = 4;
const SIMULTANEOUS = 3;

/**
 * Simultaneous close needs both FINs on the wire before either arrives. On loopback a FIN is
 * delivered inside the sender's own system call, so both sides must call shutdown() within a few
 * microseconds: Node cannot time that, so a tiny Python helper does it. It opens the pairs, then
 * forks; parent (server ends) and child (client ends) are pinned to different CPUs, agree on a
 * CLOCK_MONOTONIC instant once both are running (a pipe handshake) and busy-wait for it, under
 * SCHED_FIFO when allowed, set before the fork, so that a busy machine can delay neither. The peer's FIN then arrives while the socket is locked
 * by its own shutdown() and is processed after our FIN went out: both ends go FIN_WAIT_1 →
 * CLOSING → TIME_WAIT.
 */
const SIMULTANEOUS_PY = `
import os, socket, struct, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[3], port)); ls.listen(16)
pairs = []
for i in range(n):
    c = socket.create_connection((sys.argv[3], port)); s, _ = ls.accept(); pairs.append((c, s))
ls.close()
try:
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))  # inherited by the child
except (OSError, AttributeError):
    pass
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
pid = os.fork()
try:
    os.sched_setaffinity(0, {1 if pid == 0 else 0})
except OSError:
    pass
if pid == 0:
    os.write(ready_w, b'r')
    base = struct.unpack('q', os.read(go_r, 8))[0]
else:
    os.read(ready_r, 1)
    base = time.monotonic_ns() + 5_000_000
    os.write(go_w, struct.pack('q', base))
for i, (c, s) in enumerate(pairs):
    mine, other = (c, s) if pid == 0 else (s, c)
    other.close()
    deadline = base + i * 5_000_000
    while time.monotonic_ns() < deadline:
        pass
    mine.shutdown(socket.SHUT_WR)
time.sleep(0.2)
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
print('done', flush=True)
`;

export const cleanClose: Scenario = {
  name: 'clean-close',
  issue: 6,
  title: 'Clean closes: client closes first, server closes first, simultaneous close',
  story:
    'The healthy baseline: nothing leaks. Port +0: the client closes after its answer and the server ' +
    'closes back at once (client TIME_WAIT, server CLOSED). Port +1: short HTTP/1.0-style connections ' +
    'the server closes after answering (server TIME_WAIT, client CLOSED). Port +2: both ends call ' +
    'shutdown() at the same instant, the FINs cross, and both ends pass CLOSING into TIME_WAIT.',
  ports: 3,
  async run(ctx) {
    const byClient = await startLineServer(ctx.host, ctx.port(0));
    const byServer = await startLineServer(ctx.host, ctx.port(1));
    ctx.onCleanup(() => byClient.close());
    ctx.onCleanup(() => byServer.close());
    for (let i = 0; i < CLIENT_CLOSES; i++) {
      const c = ctx.track(await connect(ctx.host, ctx.port(0)));
      await request(c, 'REQ');
      await endSocket(c);
      await closed(c);
    }
    for (let i = 0; i < SERVER_CLOSES; i++) {
      const c = ctx.track(await connect(ctx.host, ctx.port(1)));
      await request(c, 'BYE'); // server answers and closes; Node closes back on the FIN
      await closed(c);
    }
    const py = ctx.helper('simultaneous-close', 'python3', ['-c', SIMULTANEOUS_PY, String(ctx.port(2)), String(SIMULTANEOUS), ctx.host]);
    await py.waitFor(/^done/, 5000);
  },
  expect(t, c) {
    const [p0, p1, p2] = t.ports as [number, number, number];
    c.states(c.count(t, CLIENT_CLOSES, 'client-closed connections', toPort(p0)), { orig: 'TIME_WAIT', resp: 'CLOSED', first_fin: 'orig' }, 'client active close');
    c.states(c.count(t, SERVER_CLOSES, 'server-closed connections', toPort(p1)), { orig: 'CLOSED', resp: 'TIME_WAIT', first_fin: 'resp' }, 'server active close');
    const sim = c.count(t, SIMULTANEOUS, 'simultaneous-close attempts', toPort(p2));
    for (const x of sim) {
      const ends = [x.orig.state, x.resp.state].sort().join('+');
      c.ok(ends === 'TIME_WAIT+TIME_WAIT' || ends === 'CLOSED+TIME_WAIT', `connection ${x.id}: ends ${ends}, expected a completed close`);
    }
    const both = sim.filter((x) => x.orig.state === 'TIME_WAIT' && x.resp.state === 'TIME_WAIT').length;
    // One CPU cannot run both shutdown() calls at once; then the attempts are ordinary closes.
    if (availableParallelism() >= 2) c.ok(both >= 1, `no attempt became a simultaneous close (both ends TIME_WAIT); got ${both}/${sim.length}`);
    else c.warn(both >= 1, `single CPU: no simultaneous close achieved (${both}/${sim.length})`);
  },
};

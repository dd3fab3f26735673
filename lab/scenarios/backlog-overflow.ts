// Scenario 7c (accept backlog overflow): a listener that never accepts; once its queue is full, SYNs go unanswered.

import net from 'node:net';
import { toPort, type Scenario } from '../scenario.js';
import { sleep } from '../util.js';

const BACKLOG = 1;
/** Linux queues backlog + 1 connections before the accept queue counts as full. */
const QUEUED = BACKLOG + 1;
const OVERFLOW = 2;
/**
 * How long the SYN-SENT clients wait before the capture stops. SYN retransmissions come 1 s apart
 * (tcp_syn_linear_timeouts, Linux ≥ 6.11) or at 1, 3, 7 s (older kernels); stopping 2.5 s after
 * the last SYN lands between retransmissions on both, so ss and the capture agree.
 */
const WAIT_AFTER_LAST_SYN_MS = 2500;

/**
 * Node accepts every connection it is offered; a listener that never calls accept() needs a tiny
 * Python helper: listen(BACKLOG), print "ready", sleep until killed.
 */
const LISTENER_PY = `
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(int(sys.argv[3]))
print('ready', flush=True)
time.sleep(60)
`;

export const backlogOverflow: Scenario = {
  name: 'backlog-overflow',
  issue: 7,
  title: 'Accept backlog overflow: a listener that never accepts; further SYNs are dropped and retransmitted',
  story:
    'An application stops calling accept() (its accept loop is blocked), or accepts slower than ' +
    'connections arrive. The kernel completes handshakes into the accept queue until it holds ' +
    "backlog + 1 connections (here listen(1): two; they are ESTABLISHED and even ACK the clients' " +
    'requests, which sit unread). With tcp_abort_on_overflow = 0 (the default) Linux then drops ' +
    'further SYNs silently; the clients retransmit them and stay in SYN_SENT (with = 1 Linux would ' +
    'answer with RST instead).',
  ports: 1,
  async run(ctx) {
    const port = ctx.port(0);
    const listener = ctx.helper('never-accepting listener', 'python3', ['-c', LISTENER_PY, ctx.host, String(port), String(BACKLOG)]);
    await listener.waitFor(/^ready/);
    let lastSyn = 0;
    for (let i = 0; i < QUEUED + OVERFLOW; i++) {
      const s = ctx.track(net.connect({ host: ctx.host, port }));
      s.on('error', () => undefined);
      lastSyn = Date.now();
      if (i < QUEUED) {
        await new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          setTimeout(() => reject(new Error(`queued connection ${i} did not complete its handshake`)), 1000);
        });
        s.write('REQ\n'); // ACKed by the kernel, never read: Recv-Q 4 on the queued server socket
        ctx.note(s.localPort ?? 0, 'handshake completed into the accept queue; never accepted');
      }
      await sleep(50);
    }
    await sleep(Math.max(0, lastSyn + WAIT_AFTER_LAST_SYN_MS - 250 - Date.now()));
  },
  expect(t, c) {
    const conns = c.count(t, QUEUED + OVERFLOW, 'connection attempts', toPort(t.ports[0]!));
    const queued = conns.filter((x) => x.resp.pkts > 0);
    const dropped = conns.filter((x) => x.resp.pkts === 0);
    c.ok(queued.length === QUEUED, `${QUEUED} handshakes completed, found ${queued.length}`);
    c.states(queued, { orig: 'ESTABLISHED', resp: 'ESTABLISHED' }, 'queued, never accepted');
    for (const x of queued) c.ok(x.resp.unread_bytes === 4, `connection ${x.id}: 4 request bytes unread in the never-accepted socket, ss says ${x.resp.unread_bytes}`);
    c.ok(dropped.length === OVERFLOW, `${OVERFLOW} SYNs dropped, found ${dropped.length}`);
    c.states(dropped, { orig: 'SYN_SENT', resp: 'CLOSED' }, 'SYN dropped on a full accept queue');
    for (const x of dropped) c.ok(x.packets >= 2, `connection ${x.id}: SYN retransmitted (${x.flag_trace})`);
    const listen = t.sockets.find((s) => s.state === 'LISTEN' && s.local_port === t.ports[0]);
    c.ok(listen?.recv_q === QUEUED, `listener accept queue holds ${QUEUED} per ss (Recv-Q), found ${listen?.recv_q}`);
  },
};

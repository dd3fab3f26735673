// Scenario 7d (capture started late): connections established before tcpdump starts; states must come from mid-stream segments.

import type net from 'node:net';
import { connect, endSocket, request, startLineServer } from '../peers.js';
import type { Scenario } from '../scenario.js';
import { waitUntil } from '../util.js';

export const midCapture: Scenario = {
  name: 'mid-capture',
  issue: 7,
  title: 'Capture started after the connections were established (no handshakes in the file)',
  story:
    'The usual situation in an incident: tcpdump is started when the trouble is already there, so ' +
    'the handshakes are missing. Four connections are opened and used before the capture starts. ' +
    'During the capture: #1 exchanges a request (both ESTABLISHED); #2 asks the server to close and ' +
    'the client app ignores the FIN (client CLOSE_WAIT, server FIN_WAIT_2); #3 half-closes from the ' +
    'client and the server app never closes (server CLOSE_WAIT, client FIN_WAIT_2); #4 stays idle and ' +
    'has no packets in the capture (ss lists it, the capture cannot).',
  ports: 1,
  async before(ctx) {
    const server = await startLineServer(ctx.host, ctx.port(0));
    ctx.onCleanup(() => server.close());
    const socks: net.Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const s = ctx.track(await connect(ctx.host, ctx.port(0), { allowHalfOpen: true }));
      await request(s, 'REQ');
      socks.push(s);
    }
    state.socks = socks;
  },
  async run(ctx) {
    const [a, b, cc, d] = state.socks;
    if (!a || !b || !cc || !d) throw new Error('before() did not run');
    await request(a, 'REQ');
    ctx.note(a.localPort ?? 0, 'request/answer during the capture');
    await request(b, 'BYE');
    ctx.note(b.localPort ?? 0, 'server closed, client app ignores the FIN');
    await request(cc, 'HOLD');
    await endSocket(cc);
    ctx.note(cc.localPort ?? 0, 'client half-closed, server app never closes');
    ctx.note(d.localPort ?? 0, 'idle: no packets during the capture');
    await waitUntil(
      async () => (await ctx.kernelStates()).filter((s) => s.state === 'CLOSE_WAIT').length === 2,
      2000,
      'two CLOSE-WAIT sockets (client of #2, server of #3)',
    );
    state.socks = [];
  },
  expect(t, c) {
    const conns = c.count(t, 3, 'connections with packets in the capture', () => true);
    for (const x of conns) c.ok(!x.syn_seen, `connection ${x.id}: no handshake expected in the capture`);
    const [a, b, cc] = conns;
    // orig is the sender of the first captured packet: the client in all three.
    if (a) c.states([a], { orig: 'ESTABLISHED', resp: 'ESTABLISHED', first_fin: null }, 'mid-stream request');
    if (b) c.states([b], { orig: 'CLOSE_WAIT', resp: 'FIN_WAIT_2', first_fin: 'resp' }, 'server closed mid-capture');
    if (cc) c.states([cc], { orig: 'FIN_WAIT_2', resp: 'CLOSE_WAIT', first_fin: 'orig' }, 'client half-closed mid-capture');
    const idle = t.sockets.filter((s) => s.connection === null && s.state === 'ESTABLISHED' && !s.preexisting);
    c.ok(idle.length === 2, `the idle connection's two ESTABLISHED sockets are in ss but not in the capture, found ${idle.length}`);
  },
};

/** Sockets handed from before() to run(). */
const state: { socks: net.Socket[] } = { socks: [] };

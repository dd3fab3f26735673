// Scenario 8a (IPv6 on ::1): one established, one server CLOSE_WAIT, one clean close, all over IPv6.

import { closed, connect, endSocket, request, startLineServer } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { waitUntil } from '../util.js';

export const ipv6Loopback: Scenario = {
  name: 'ipv6-loopback',
  issue: 8,
  title: 'IPv6 on ::1: established, server CLOSE_WAIT, clean close',
  story:
    'The same states over IPv6, so addresses print as ::1 and the link carries IPv6 headers. #1 stays ' +
    'open (ESTABLISHED both); #2 is half-closed by the client and the server app never closes (server ' +
    'CLOSE_WAIT, client FIN_WAIT_2); #3 closes cleanly from the client (client TIME_WAIT).',
  ports: 1,
  host: '::1',
  async run(ctx) {
    const server = await startLineServer(ctx.host, ctx.port(0));
    ctx.onCleanup(() => server.close());
    const a = ctx.track(await connect(ctx.host, ctx.port(0)));
    await request(a, 'REQ');
    const b = ctx.track(await connect(ctx.host, ctx.port(0)));
    await request(b, 'HOLD');
    await endSocket(b);
    const c = ctx.track(await connect(ctx.host, ctx.port(0)));
    await request(c, 'REQ');
    await endSocket(c);
    await closed(c);
    await waitUntil(async () => (await ctx.kernelStates()).some((s) => s.state === 'CLOSE_WAIT'), 2000, 'server CLOSE-WAIT');
  },
  expect(t, c) {
    const conns = c.count(t, 3, 'IPv6 connections', toPort(t.ports[0]!));
    for (const x of conns) c.ok(x.orig.addr === '::1' && x.resp.addr === '::1', `connection ${x.id} is on ::1`);
    const [a, b, cc] = conns;
    if (a) c.states([a], { orig: 'ESTABLISHED', resp: 'ESTABLISHED', first_fin: null }, 'IPv6 established');
    if (b) c.states([b], { orig: 'FIN_WAIT_2', resp: 'CLOSE_WAIT', first_fin: 'orig' }, 'IPv6 server never closes');
    if (cc) c.states([cc], { orig: 'TIME_WAIT', resp: 'CLOSED', first_fin: 'orig' }, 'IPv6 clean close');
  },
};

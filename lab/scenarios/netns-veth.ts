// Scenario 8b (two namespaces over a veth pair): client and server on distinct IPv4 addresses, captured on the server's veth.

import { toPort, type Scenario } from '../scenario.js';
import { waitUntil } from '../util.js';

export const netnsVeth: Scenario = {
  name: 'netns-veth',
  issue: 8,
  title: 'Two network namespaces joined by a veth pair (10.213.0.1 → 10.213.0.2), captured on the server side',
  story:
    'Client and server are different hosts as far as TCP is concerned: separate network namespaces ' +
    'with their own stacks, addresses and ss views, joined by a veth pair; tcpdump runs on the ' +
    "server's veth, so packets carry real Ethernet headers and offload-style checksums. #1 stays " +
    'open (ESTABLISHED both); #2 is half-closed by the client and the server app never closes (server ' +
    'CLOSE_WAIT, client FIN_WAIT_2); #3 is closed by the server first (server TIME_WAIT, client CLOSED).',
  ports: 1,
  netns: true,
  async run(ctx) {
    const ns = ctx.netns;
    if (!ns) throw new Error('netns scenario without namespaces');
    const port = String(ctx.port(0));
    const server = ctx.worker('line-server', [ns.serverAddr, port], { netns: ns.server });
    await server.waitFor(/^ready/, 10_000);
    const client = ctx.worker('line-client', [ns.serverAddr, port], { netns: ns.client });
    await client.waitFor(/^done/, 10_000);
    await waitUntil(async () => (await ctx.kernelStates()).some((s) => s.state === 'CLOSE_WAIT'), 2000, 'server CLOSE-WAIT');
  },
  expect(t, c) {
    const conns = c.count(t, 3, 'connections over the veth', toPort(t.ports[0]!));
    for (const x of conns) {
      c.ok(x.orig.addr === '10.213.0.1' && x.resp.addr === '10.213.0.2', `connection ${x.id} goes 10.213.0.1 → 10.213.0.2`);
      c.ok(x.orig.ns !== 'server' && x.resp.ns !== 'client', `connection ${x.id}: sockets found in the right namespaces`);
    }
    const [a, b, cc] = conns;
    if (a) c.states([a], { orig: 'ESTABLISHED', resp: 'ESTABLISHED', first_fin: null }, 'veth established');
    if (b) c.states([b], { orig: 'FIN_WAIT_2', resp: 'CLOSE_WAIT', first_fin: 'orig' }, 'veth server never closes');
    if (cc) c.states([cc], { orig: 'CLOSED', resp: 'TIME_WAIT', first_fin: 'resp' }, 'veth server closes first');
  },
};

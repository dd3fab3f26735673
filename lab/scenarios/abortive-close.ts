// Scenario 7b (abortive close): SO_LINGER 0 on either side, and close() with unread data → RST instead of FIN.

import net from 'node:net';
import { closed, connect, listen, request, startLineServer } from '../peers.js';
import { toPort, type Scenario } from '../scenario.js';
import { sleep } from '../util.js';

export const abortiveClose: Scenario = {
  name: 'abortive-close',
  issue: 7,
  title: 'Abortive close: RST instead of FIN (SO_LINGER 0, close with unread data)',
  story:
    'Connections torn down with RST rather than FIN, as load balancers and some servers do to avoid ' +
    'TIME_WAIT. Port +0: the server aborts with SO_LINGER 0 (Node resetAndDestroy) on request; then a ' +
    'client does the same after its answer. Port +1: a server that never read its request closes ' +
    'normally, but close() with unread data makes Linux send RST (RFC 2525 "data loss"). Every end ' +
    'is CLOSED at capture end.',
  ports: 2,
  async run(ctx) {
    const lines = await startLineServer(ctx.host, ctx.port(0));
    ctx.onCleanup(() => lines.close());
    const unread = net.createServer({ pauseOnConnect: true }, (s) => {
      s.on('error', () => undefined);
      setTimeout(() => s.destroy(), 150); // close() with the request still unread → RST
    });
    ctx.track(unread);
    await listen(unread, ctx.host, ctx.port(1));

    const a = ctx.track(await connect(ctx.host, ctx.port(0)));
    ctx.note(a.localPort ?? 0, 'server aborts (SO_LINGER 0) on request');
    a.write('ABORT\n');
    await closed(a);

    const b = ctx.track(await connect(ctx.host, ctx.port(0)));
    ctx.note(b.localPort ?? 0, 'client aborts (SO_LINGER 0) after its answer');
    await request(b, 'REQ');
    b.resetAndDestroy();
    await closed(b);

    const u = ctx.track(await connect(ctx.host, ctx.port(1)));
    ctx.note(u.localPort ?? 0, 'server close()s with the request unread: RST');
    u.write('REQ never read by the server\n');
    await closed(u);
    await sleep(50);
  },
  expect(t, c) {
    const [p0, p1] = t.ports as [number, number];
    const lingered = c.count(t, 2, 'SO_LINGER 0 connections', toPort(p0));
    c.states(lingered, { orig: 'CLOSED', resp: 'CLOSED', first_fin: null }, 'SO_LINGER 0');
    if (lingered[0]) c.ok(lingered[0].first_rst === 'resp', `connection ${lingered[0].id}: server sent the RST (${lingered[0].flag_trace})`);
    if (lingered[1]) c.ok(lingered[1].first_rst === 'orig', `connection ${lingered[1].id}: client sent the RST (${lingered[1].flag_trace})`);
    const unread = c.count(t, 1, 'close-with-unread-data connections', toPort(p1));
    c.states(unread, { orig: 'CLOSED', resp: 'CLOSED', first_fin: null }, 'close with unread data');
    for (const x of unread) c.ok(x.first_rst === 'resp', `connection ${x.id}: server sent the RST (${x.flag_trace})`);
  },
};

// Scenario 7a (refused port): a SYN to a port nobody listens on is answered with RST.

import net from 'node:net';
import { toPort, type Scenario } from '../scenario.js';

const ATTEMPTS = 2;

export const refused: Scenario = {
  name: 'refused',
  issue: 7,
  title: 'Connection refused: RST in answer to a SYN',
  story:
    'A client connects to a port where nothing listens (the service is down or on another port). ' +
    "The kernel answers the SYN with RST+ACK; the client's connect() fails with ECONNREFUSED. No " +
    'socket is left on either side (both CLOSED).',
  ports: 1,
  async run(ctx) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const err = await new Promise<string>((resolve) => {
        const s = net.connect({ host: ctx.host, port: ctx.port(0) });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      if (err !== 'ECONNREFUSED') throw new Error(`expected ECONNREFUSED from port ${ctx.port(0)}, got ${err}`);
    }
  },
  expect(t, c) {
    const conns = c.count(t, ATTEMPTS, 'refused attempts', toPort(t.ports[0]!));
    c.states(conns, { orig: 'CLOSED', resp: 'CLOSED', first_fin: null }, 'refused');
    for (const x of conns) {
      c.ok(x.first_rst === 'resp' && x.packets === 2, `connection ${x.id}: SYN then RST from the port, got ${x.flag_trace}`);
    }
    c.ok(t.sockets.filter((s) => !s.preexisting).length === 0, 'no socket left for a refused connection');
  },
};

// Hand-built timeline models: a server that stops closing its sockets part-way (CLOSE_WAIT pile-up).

import type { TimelineConnection, TimelineModel } from '../../src/render/svg/timeline-model.js';

export const TL_T0 = 1_714_564_800;

/** `count` connections, one every 2 s; from `leakFrom` on the server never closes. */
export function pileUpModel(count = 120, leakFrom = 60, clientHost = '10.0.0.5'): TimelineModel {
  const end = TL_T0 + count * 2 + 30;
  const connections: TimelineConnection[] = [];
  for (let k = 0; k < count; k++) {
    const s = TL_T0 + k * 2;
    const leak = k >= leakFrom;
    const fin = s + 1.5;
    connections.push({
      id: k + 1,
      label: `${clientHost}:${40000 + k} → 10.0.0.9:8080`,
      start: s,
      lastSegment: fin + 0.001,
      orig: leak
        ? [{ from: s, to: s + 0.001, state: 'SYN_SENT' }, { from: s + 0.001, to: fin, state: 'ESTABLISHED' },
          { from: fin, to: fin + 0.001, state: 'FIN_WAIT_1' }, { from: fin + 0.001, to: Math.min(end, fin + 60), state: 'FIN_WAIT_2' }]
        : [{ from: s, to: s + 0.001, state: 'SYN_SENT' }, { from: s + 0.001, to: fin, state: 'ESTABLISHED' },
          { from: fin, to: fin + 0.001, state: 'FIN_WAIT_1' }, { from: fin + 0.001, to: fin + 0.002, state: 'FIN_WAIT_2' },
          { from: fin + 0.002, to: Math.min(end, fin + 60), state: 'TIME_WAIT' }],
      resp: leak
        ? [{ from: s, to: s + 0.001, state: 'SYN_RECEIVED' }, { from: s + 0.001, to: fin, state: 'ESTABLISHED' },
          { from: fin, to: end, state: 'CLOSE_WAIT' }]
        : [{ from: s, to: s + 0.001, state: 'SYN_RECEIVED' }, { from: s + 0.001, to: fin, state: 'ESTABLISHED' },
          { from: fin, to: fin + 0.002, state: 'CLOSE_WAIT' }, { from: fin + 0.002, to: fin + 0.003, state: 'LAST_ACK' }],
      findings: leak ? [{ code: 'fin-not-returned', severity: 'warning' }] : [],
    });
  }
  return { title: 'pile-up', captureStart: TL_T0, captureEnd: end, connections };
}

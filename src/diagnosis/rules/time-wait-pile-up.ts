// Rule time-wait-pile-up (aggregate): many sockets of one host towards one service in TIME_WAIT at
// capture end: one connection per request, each pinning a 4-tuple (and a client port) for 2MSL.

import { serviceKey, type SideFacts } from '../facts.js';
import { DiagnosisFinding, type Severity } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { duration } from '../wording.js';

interface Group { host: string; service: string; isClient: boolean; index: number[]; first: number; last: number }

/** Linux's default net.ipv4.ip_local_port_range 32768–60999. */
const EPHEMERAL_PORTS = 28_232;

export const timeWaitPileUp: RuleDefinition = {
  code: 'time-wait-pile-up',
  description: 'many TIME_WAIT sockets on one host towards one service at capture end',
  create: () => {
    const groups = new Map<number, Map<number, Group>>();
    const add = (side: SideFacts, skey: number, index: number, resp: SideFacts, at: number) => {
      let byHost = groups.get(skey);
      if (byHost === undefined) groups.set(skey, (byHost = new Map()));
      const hkey = side.isOrig ? side.hostId : -2;
      const g = byHost.get(hkey);
      if (g === undefined) {
        // a one-element literal: `[]` then push would reserve 17 slots, and most groups of a capture
        // of many clients hold one or two sockets
        byHost.set(hkey, { host: side.host, service: resp.endpoint, isClient: side.isOrig, index: [index], first: at, last: at });
        return;
      }
      g.index.push(index);
      if (at < g.first) g.first = at;
      if (at > g.last) g.last = at;
    };
    return {
      visit(f) {
        for (const s of f.sides) {
          if (s.state === 'TIME_WAIT') add(s, serviceKey(f), f.index, f.resp, f.end);
        }
      },
      finish(ctx, sink) {
        const t = ctx.thresholds;
        for (const byHost of groups.values()) {
          for (const g of byHost.values()) {
            const n = g.index.length;
            if (n < t.timeWaitInfo) continue;
            const severity: Severity = n >= t.timeWaitError ? 'error' : n >= t.timeWaitWarning ? 'warning' : 'info';
            const span = Math.max(ctx.captureEnd - g.first, 1e-6);
            const rate = n / span;
            const message = g.isClient
              ? `${n} sockets on ${g.host} towards ${g.service} are in TIME_WAIT at capture end (${rate.toFixed(1)} connections/s ` +
                `opened and closed over the last ${duration(span)}). Each keeps its client port for the TIME_WAIT period (60 s on Linux); ` +
                `the default ephemeral port range holds ${EPHEMERAL_PORTS} ports per destination` +
                (n >= EPHEMERAL_PORTS / 2 ? `, so connect() is close to failing with EADDRNOTAVAIL. ` : `. `) +
                `Next: \`ss -tan state time-wait | wc -l\` and \`sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse\` on ${g.host}; ` +
                `reuse connections (HTTP keep-alive, a connection pool) instead of one connection per request.`
              : `${g.service} closed ${n} connections actively and holds them in TIME_WAIT at capture end (${rate.toFixed(1)}/s over the ` +
                `last ${duration(span)}). That costs the server little, but clients cannot reuse those 4-tuples for 60 s. ` +
                `Next: \`ss -tan state time-wait '( sport = :${g.service.slice(g.service.lastIndexOf(':') + 1)} )' | wc -l\`; let clients close first, or keep connections alive.`;
            sink.addAggregate(new DiagnosisFinding('time-wait-pile-up', severity, g.service, g.first, Math.max(0, ctx.captureEnd - g.first),
              undefined, { message, detail: { host: g.host, side: g.isClient ? 'client' : 'server', count: n, perSecond: rate } },
              g.index.map((i) => ctx.flows[i]?.id ?? i + 1)), g.index);
          }
        }
      },
    };
  },
};

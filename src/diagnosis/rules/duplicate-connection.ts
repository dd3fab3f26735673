// Rule duplicate-connection: one client host holds a CLOSE_WAIT connection beside an ESTABLISHED one
// to the same server:port, opened right after the server closed the old one: the client saw the
// close and reconnected, yet the old socket never sent its FIN (its descriptor inherited across fork).

import { serviceKey } from '../facts.js';
import type { RuleDefinition } from '../rule.js';
import { clock, duration, evidence, seg } from '../wording.js';

interface Old {
  index: number; id: number; key: string;
  endpoint: string; host: string; service: string; serverIp: string; serverPort: number;
  finTime: number; finSeg: number; closeWaitSince: number; ackSeg: number;
}
interface Fresh { index: number; id: number; start: number; synSeg: number; endpoint: string }

export const duplicateConnection: RuleDefinition = {
  code: 'duplicate-connection',
  description: 'a client host holds a CLOSE_WAIT connection beside a newer ESTABLISHED one to the same server:port',
  supersedes: ['idle-pool-close-wait'],
  create: () => {
    const olds: Old[] = [];
    const fresh = new Map<string, Fresh[]>();
    return {
      visit(f) {
        const c = f.orig, s = f.resp;
        if (c.state === 'CLOSE_WAIT' && s.finTime === s.finTime) {
          olds.push({
            index: f.index, id: f.id, key: `${c.hostId}/${serviceKey(f)}`, endpoint: c.endpoint, host: c.host,
            service: s.endpoint, serverIp: s.host, serverPort: s.port, finTime: s.finTime, finSeg: s.finSeg,
            closeWaitSince: c.closeWaitSince === c.closeWaitSince ? c.closeWaitSince : s.finTime, ackSeg: c.ackedPeerFinSeg,
          });
        } else if (c.state === 'ESTABLISHED' && f.synSeen) {
          const key = `${c.hostId}/${serviceKey(f)}`;
          let list = fresh.get(key);
          if (list === undefined) fresh.set(key, (list = []));
          list.push({ index: f.index, id: f.id, start: f.start, synSeg: c.synSeg, endpoint: c.endpoint });
        }
      },
      finish(ctx, sink) {
        if (fresh.size === 0) return;
        for (const a of olds) {
          const list = fresh.get(a.key);
          if (list === undefined) continue;
          let b: Fresh | undefined;
          for (const x of list) {
            if (x.start >= a.finTime && x.start - a.finTime <= ctx.thresholds.reconnectWindow && (b === undefined || x.start < b.start)) b = x;
          }
          if (b === undefined) continue;
          const message =
            `${a.host} holds two connections to ${a.service}: connection ${a.id} (${a.endpoint}) is in CLOSE_WAIT since the server ` +
            `closed it at ${clock(a.finTime)} (segment ${seg(a.finSeg)}), and ${duration(b.start - a.finTime)} later the same host opened ` +
            `connection ${b.id} (${b.endpoint}), still ESTABLISHED. The client noticed the close and reconnected, yet the old socket ` +
            `never sent its FIN: another process still holds its descriptor, typically a child started after the connection was made ` +
            `(fork/exec without close-on-exec). Next: on ${a.host} \`ss -tanp state close-wait '( dport = :${a.serverPort} )'\` or ` +
            `\`lsof -nP -iTCP:${a.serverPort} -sTCP:CLOSE_WAIT\` shows which PIDs hold it; open sockets with SOCK_CLOEXEC (FD_CLOEXEC) or close inherited descriptors in the child.`;
          sink.add(a.index, {
            code: 'duplicate-connection',
            severity: 'warning',
            endpoint: a.endpoint,
            since: a.closeWaitSince,
            age: Math.max(0, ctx.captureEnd - a.closeWaitSince),
            message,
            evidence: evidence(a.finSeg, a.ackSeg, b.synSeg),
            flow: a.id,
            flows: [a.id, b.id],
            detail: { newer: b.id, newerEndpoint: b.endpoint, reconnectAfter: b.start - a.finTime },
          });
        }
      },
    };
  },
};

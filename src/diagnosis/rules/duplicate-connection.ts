// Rule duplicate-connection: one client host holds a CLOSE_WAIT connection beside an ESTABLISHED one
// to the same server:port, opened right after the server closed the old one: the client saw the
// close and reconnected, yet the old socket never sent its FIN (its descriptor inherited across fork).

import { serviceKey } from '../facts.js';
import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { clock, duration, evidence, seg } from '../wording.js';

interface Old {
  index: number; id: number; endpoint: string; host: string; service: string; serverPort: number;
  finTime: number; finSeg: number; closeWaitSince: number; ackSeg: number;
  /** The earliest newer connection found so far: index in the `fresh*` columns, or -1. */
  newer: number;
}

export const duplicateConnection: RuleDefinition = {
  code: 'duplicate-connection',
  description: 'a client host holds a CLOSE_WAIT connection beside a newer ESTABLISHED one to the same server:port',
  supersedes: ['idle-pool-close-wait'],
  create: () => {
    // client host id → service key → CLOSE_WAIT connections (rare: kept as objects)
    const olds = new Map<number, Map<number, Old[]>>();
    let oldCount = 0;
    // ESTABLISHED client connections (possibly millions): numeric columns, no objects
    const freshHost: number[] = [], freshService: number[] = [], freshStart: number[] = [], freshIndex: number[] = [], freshSyn: number[] = [];
    return {
      visit(f) {
        const c = f.orig, s = f.resp;
        if (c.state === 'CLOSE_WAIT' && s.finTime === s.finTime) {
          let byService = olds.get(c.hostId);
          if (byService === undefined) olds.set(c.hostId, (byService = new Map()));
          const key = serviceKey(f);
          let list = byService.get(key);
          if (list === undefined) byService.set(key, (list = []));
          list.push({
            index: f.index, id: f.id, endpoint: c.endpoint, host: c.host, service: s.endpoint, serverPort: s.port,
            finTime: s.finTime, finSeg: s.finSeg, closeWaitSince: c.closeWaitSince === c.closeWaitSince ? c.closeWaitSince : s.finTime,
            ackSeg: c.ackedPeerFinSeg, newer: -1,
          });
          oldCount++;
        } else if (c.state === 'ESTABLISHED' && f.synSeen) {
          freshHost.push(c.hostId); freshService.push(serviceKey(f)); freshStart.push(f.start); freshIndex.push(f.index); freshSyn.push(c.synSeg);
        }
      },
      finish(ctx, sink) {
        if (oldCount === 0) return;
        const window = ctx.thresholds.reconnectWindow;
        for (let k = 0; k < freshHost.length; k++) {
          const list = olds.get(freshHost[k]!)?.get(freshService[k]!);
          if (list === undefined) continue;
          const start = freshStart[k]!;
          for (const a of list) {
            if (start >= a.finTime && start - a.finTime <= window && (a.newer < 0 || start < freshStart[a.newer]!)) a.newer = k;
          }
        }
        for (const byService of olds.values()) {
          for (const list of byService.values()) {
            for (const a of list) {
              if (a.newer < 0) continue;
              const flow = ctx.flows[freshIndex[a.newer]!];
              const newerId = flow?.id ?? freshIndex[a.newer]! + 1;
              const newerEp = flow ? formatEndpoint(flow.orig_h, flow.orig_p) : '?';
              const after = freshStart[a.newer]! - a.finTime, newerSyn = freshSyn[a.newer]!;
              const explain = () => ({
                message: `${a.host} holds two connections to ${a.service}: connection ${a.id} (${a.endpoint}) is in CLOSE_WAIT since the server ` +
                `closed it at ${clock(a.finTime)} (segment ${seg(a.finSeg)}), and ${duration(after)} later the same host opened ` +
                `connection ${newerId} (${newerEp}), still ESTABLISHED. The client noticed the close and reconnected, yet the old socket ` +
                `never sent its FIN: another process still holds its descriptor, typically a child started after the connection was made ` +
                `(fork/exec without close-on-exec). Next: on ${a.host} \`ss -tanp state close-wait '( dport = :${a.serverPort} )'\` or ` +
                `\`lsof -nP -iTCP:${a.serverPort} -sTCP:CLOSE_WAIT\` shows which PIDs hold it; open sockets with SOCK_CLOEXEC (FD_CLOEXEC) or close inherited descriptors in the child.`,
                evidence: evidence(a.finSeg, a.ackSeg, newerSyn),
                detail: { newer: newerId, newerEndpoint: newerEp, reconnectAfter: after },
              });
              sink.add(a.index, new DiagnosisFinding('duplicate-connection', 'warning', a.endpoint, a.closeWaitSince,
                Math.max(0, ctx.captureEnd - a.closeWaitSince), a.id, explain, [a.id, newerId]));
            }
          }
        }
      },
    };
  },
};

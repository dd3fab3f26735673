// Rule accept-backlog-overflow: SYN or SYN+ACK retransmissions to a port that answers others: the
// listener's queues are full (Linux drops SYNs, and handshake ACKs, when the accept queue is full).

import { serviceKey } from '../facts.js';
import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { isAnswered } from '../service-index.js';
import { clock, evidence, plural, seg } from '../wording.js';

interface Candidate {
  index: number; id: number; key: number; syns: number; synAcks: number; answered: boolean;
  since: number; answeredAt: number; synSeg: number; synAckSeg: number; origHost: string; origPort: number; resp: string; port: number;
}

export const acceptBacklogOverflow: RuleDefinition = {
  code: 'accept-backlog-overflow',
  description: 'SYN or SYN+ACK retransmissions to a port that answers other connections: listen queue overflow',
  supersedes: ['syn-unanswered'],
  create: () => {
    const candidates: Candidate[] = [];
    return {
      visit(f) {
        const o = f.orig, r = f.resp;
        if (o.synCount < 2 && r.synCount < 2) return;
        candidates.push({
          index: f.index, id: f.id, key: serviceKey(f), syns: o.synCount, synAcks: r.synCount, answered: isAnswered(f),
          since: o.synTime === o.synTime ? o.synTime : f.start, answeredAt: r.synTime, synSeg: o.synSeg, synAckSeg: r.synSeg,
          origHost: o.host, origPort: o.port, resp: r.endpoint, port: r.port,
        });
      },
      finish(ctx, sink) {
        for (const c of candidates) {
          const others = ctx.services.answered(c.key) - (c.answered ? 1 : 0);
          if (others <= 0) continue;
          const end = c.answered && c.syns >= 2 && c.answeredAt === c.answeredAt ? c.answeredAt : ctx.captureEnd;
          sink.add(c.index, new DiagnosisFinding('accept-backlog-overflow', 'warning', c.resp, c.since, Math.max(0, end - c.since), c.id, () => {
            const origEp = formatEndpoint(c.origHost, c.origPort);
            return {
            message:
              (c.syns >= 2
                ? `${origEp} had to send ${plural(c.syns, 'SYN')} to ${c.resp}${c.answered ? ' before it answered' : ' and got no answer'}`
                : `${c.resp} sent its SYN+ACK to ${origEp} ${c.synAcks} times (the handshake's last ACK was dropped)`) +
              `, from ${clock(c.since)} (segment ${seg(c.synSeg)}), while ${c.resp} answered ${plural(others, 'other connection')} ` +
              `in this capture: its listen queue is overflowing. When the accept queue is full Linux drops new SYNs and the ` +
              `handshake's final ACKs, so the application is not calling accept() fast enough (or its backlog is too small). ` +
              `Next: on the server \`ss -ltn '( sport = :${c.port} )'\` (Recv-Q = connections waiting for accept(), Send-Q = backlog), ` +
              `\`nstat -az TcpExtListenOverflows TcpExtListenDrops\`, \`sysctl net.core.somaxconn\`, and a thread dump of the server to see why it does not accept.`,
            evidence: evidence(c.synSeg, c.synAckSeg),
            detail: { syns: c.syns, synAcks: c.synAcks, answered: c.answered, answeredOthers: others },
          };
          }));
        }
      },
    };
  },
};

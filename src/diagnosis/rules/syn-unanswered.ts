// Rule syn-unanswered: SYNs that got no answer at all (no SYN+ACK, no RST) to a port that answered
// nobody in this capture: host down, SYNs dropped by a firewall, or a capture missing the return path.

import { serviceKey } from '../facts.js';
import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { clock, duration, evidence, plural, seg } from '../wording.js';

interface Candidate { index: number; id: number; key: number; syns: number; since: number; synSeg: number; origHost: string; origPort: number; resp: string; port: number }

export const synUnanswered: RuleDefinition = {
  code: 'syn-unanswered',
  description: 'SYNs without any answer to a port that answered nobody in the capture',
  create: () => {
    const candidates: Candidate[] = [];
    return {
      visit(f) {
        const o = f.orig;
        if (o.synCount === 0 || f.resp.packets > 0) return;
        candidates.push({
          index: f.index, id: f.id, key: serviceKey(f), syns: o.synCount, since: o.synTime === o.synTime ? o.synTime : f.start,
          synSeg: o.synSeg, origHost: o.host, origPort: o.port, resp: f.resp.endpoint, port: f.resp.port,
        });
      },
      finish(ctx, sink) {
        const t = ctx.thresholds;
        for (const c of candidates) {
          if (ctx.services.answered(c.key) > 0) continue; // accept-backlog-overflow's case
          const age = Math.max(0, ctx.captureEnd - c.since);
          if (c.syns <= 1 && age < t.synMinAge) continue; // still in flight when the capture stopped
          sink.add(c.index, new DiagnosisFinding('syn-unanswered', c.syns >= 2 ? 'warning' : 'info', c.resp, c.since, age, c.id, () => {
            const origEp = formatEndpoint(c.origHost, c.origPort);
            return {
            message:
              `${origEp} sent ${plural(c.syns, 'SYN')} to ${c.resp} from ${clock(c.since)} (segment ${seg(c.synSeg)}) and got no answer at all ` +
              `in ${duration(age)}: no SYN+ACK, no RST, and ${c.resp} answered no other connection in this capture. The host is down or ` +
              `unreachable, a firewall drops the SYNs, or the capture does not see the return path. Next: \`nc -vz HOST ${c.port}\` from the ` +
              `client, \`ss -ltn '( sport = :${c.port} )'\` on the server, and its firewall rules (\`nft list ruleset\`, \`iptables -S\`).`,
            evidence: evidence(c.synSeg),
            detail: { syns: c.syns, client: origEp },
          };
          }));
        }
      },
    };
  },
};

// Rule connection-refused: a SYN answered with RST: nothing listens on that port (or a firewall rejects).

import { serviceKey } from '../facts.js';
import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { isRefused } from '../service-index.js';
import { clock, evidence, plural, seg } from '../wording.js';

interface Candidate { index: number; id: number; key: number; since: number; synSeg: number; rstSeg: number; origHost: string; origPort: number; resp: string; host: string; port: number }

export const connectionRefused: RuleDefinition = {
  code: 'connection-refused',
  description: 'a SYN answered with RST: no listener on that port',
  supersedes: ['aborted'],
  create: () => {
    const candidates: Candidate[] = [];
    return {
      visit(f) {
        if (!isRefused(f)) return;
        candidates.push({
          index: f.index, id: f.id, key: serviceKey(f), since: f.orig.synTime === f.orig.synTime ? f.orig.synTime : f.start,
          synSeg: f.orig.synSeg, rstSeg: f.resp.rstSeg, origHost: f.orig.host, origPort: f.orig.port, resp: f.resp.endpoint, host: f.resp.host, port: f.resp.port,
        });
      },
      finish(ctx, sink) {
        for (const c of candidates) {
          const refused = Math.max(1, ctx.services.refused(c.key));
          sink.add(c.index, new DiagnosisFinding('connection-refused', refused >= ctx.thresholds.refusedWarningCount ? 'warning' : 'info',
            c.resp, c.since, 0, c.id, () => {
            const origEp = formatEndpoint(c.origHost, c.origPort);
            return {
              message:
                `${c.resp} refused the connection from ${origEp}: its SYN at ${clock(c.since)} (segment ${seg(c.synSeg)}) was answered with RST ` +
                `(segment ${seg(c.rstSeg)})` + (refused > 1 ? `, like ${plural(refused - 1, 'other attempt')} to this port in the capture. ` : '. ') +
                `Nothing listens on port ${c.port} of ${c.host} (the service is down, restarting, or bound to another address), or a firewall ` +
                `rejects it. Next: on ${c.host} \`ss -ltnp '( sport = :${c.port} )'\`, and check that the service runs and listens on that address.`,
              evidence: evidence(c.synSeg, c.rstSeg),
              detail: { client: origEp, refusedToPort: refused },
            };
          }));
        }
      },
    };
  },
};

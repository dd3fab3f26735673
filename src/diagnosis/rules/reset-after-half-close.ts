// Rule reset-after-half-close: the peer closed (FIN), this endpoint later wrote on the half-closed
// socket anyway, and the peer answered with RST: a CLOSE_WAIT socket used as if it were open.

import type { RuleDefinition } from '../rule.js';
import { clock, duration, evidence, seg } from '../wording.js';

export const resetAfterHalfClose: RuleDefinition = {
  code: 'reset-after-half-close',
  description: 'a write on a half-closed (CLOSE_WAIT) socket drew an RST from the peer',
  supersedes: ['aborted'],
  create: () => ({
    visit(f, _ctx, sink) {
      for (const me of f.sides) {
        const peer = me.peer;
        const fin = peer.finTime, wrote = me.dataAfterPeerFinTime, rst = peer.rstTime;
        if (fin !== fin || wrote !== wrote || rst !== rst) continue;
        if (!(wrote >= fin && rst >= wrote)) continue;
        const ep = me.endpoint;
        const message =
          `${peer.endpoint} closed the connection at ${clock(fin)} (FIN, segment ${seg(peer.finSeg)}); ${duration(wrote - fin)} later ` +
          `${ep} wrote on the half-closed socket anyway (segment ${seg(me.dataAfterPeerFinSeg)}) and ${peer.endpoint} answered with RST ` +
          `(segment ${seg(peer.rstSeg)}). The socket on ${ep} sat in CLOSE_WAIT and was used as if it were still open: that request was ` +
          `lost and the application saw ECONNRESET ("connection reset by peer"). Typical of a connection pool that hands out ` +
          `connections the server has already closed, or of a client whose server restarted. Next: validate or evict idle ` +
          `connections before the server's idle timeout, watch for EOF on idle sockets, and retry idempotent requests once on reset.`;
        sink.add(f.index, {
          code: 'reset-after-half-close',
          severity: 'warning',
          endpoint: ep,
          since: fin,
          age: Math.max(0, rst - fin),
          message,
          evidence: evidence(peer.finSeg, me.dataAfterPeerFinSeg, peer.rstSeg),
          flow: f.id,
          detail: { peer: peer.endpoint, halfClosedFor: wrote - fin },
        });
      }
    },
  }),
};

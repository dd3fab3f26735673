// Rule reset-after-half-close: the peer closed (FIN), this endpoint later wrote on the half-closed
// socket anyway, and the peer answered with RST: a CLOSE_WAIT socket used as if it were open.

import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { ConnectionFacts, SideFacts } from '../facts.js';
import type { FindingSink, RuleDefinition } from '../rule.js';
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
        report(f, me, sink, fin, wrote, rst);
      }
    },
  }),
};

// (Findings are built in a separate function: variables a closure captures live in a heap-allocated
// context created each time their scope is entered, so keeping the closure out of the visit loop
// keeps that loop allocation-free for the million connections that have nothing to report.)
function report(f: ConnectionFacts, me: SideFacts, sink: FindingSink, fin: number, wrote: number, rst: number): void {
  const peer = me.peer;
  const ep = me.endpoint;
  const peerHost = peer.host, peerPort = peer.port, finSeg = peer.finSeg, writeSeg = me.dataAfterPeerFinSeg, rstSeg = peer.rstSeg;
  sink.add(f.index, new DiagnosisFinding('reset-after-half-close', 'warning', ep, fin, Math.max(0, rst - fin), f.id, () => {
    const peerEp = formatEndpoint(peerHost, peerPort);
    return {
      message:
        `${peerEp} closed the connection at ${clock(fin)} (FIN, segment ${seg(finSeg)}); ${duration(wrote - fin)} later ` +
        `${ep} wrote on the half-closed socket anyway (segment ${seg(writeSeg)}) and ${peerEp} answered with RST ` +
        `(segment ${seg(rstSeg)}). The socket on ${ep} sat in CLOSE_WAIT and was used as if it were still open: that request was ` +
        `lost and the application saw ECONNRESET ("connection reset by peer"). Typical of a connection pool that hands out ` +
        `connections the server has already closed, or of a client whose server restarted. Next: validate or evict idle ` +
        `connections before the server's idle timeout, watch for EOF on idle sockets, and retry idempotent requests once on reset.`,
      evidence: evidence(finSeg, writeSeg, rstSeg),
      detail: { peer: peerEp, halfClosedFor: wrote - fin },
    };
  }));
}

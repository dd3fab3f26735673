// Rule idle-pool-close-wait: the server closed an idle keep-alive connection and the client side
// did not close its end (a pool without idle eviction): client-side CLOSE_WAIT after a complete exchange.

import { DiagnosisFinding } from '../finding.js';
import type { ConnectionFacts } from '../facts.js';
import type { FindingSink, RuleContext, RuleDefinition } from '../rule.js';
import { clock, duration, evidence, seg } from '../wording.js';

export const idlePoolCloseWait: RuleDefinition = {
  code: 'idle-pool-close-wait',
  description: 'the server closed an idle keep-alive connection; the client (a pool without idle eviction) never closed its end',
  create: () => ({
    visit(f, ctx, sink) {
      const t = ctx.thresholds;
      const me = f.orig, server = f.resp;
      if (me.closeWaitSince !== me.closeWaitSince) return;
      if (server.finTime !== server.finTime || server !== f.firstCloser) return;
      const idle = f.idleBeforeClose(server);
      if (!(idle >= t.minIdle)) return;
      // The exchange was complete: the server spoke last (or nobody spoke). Otherwise the server
      // closed on the client's pending request, which is a different story.
      const mine = me.lastDataBeforePeerFinTime;
      if (mine === mine && !(server.lastDataTime >= mine)) return;
      const stillThere = me.state === 'CLOSE_WAIT';
      const since = me.closeWaitSince;
      const until = stillThere ? ctx.captureEnd : me.closeWaitUntil === me.closeWaitUntil ? me.closeWaitUntil : ctx.captureEnd;
      const held = until - since;
      // An application that watches its sockets closes within moments of the FIN.
      if (!(held >= t.closeReaction)) return;
      report(f, ctx, sink, idle, since, held, stillThere);
    },
  }),
};

// (Findings are built in a separate function: variables a closure captures live in a heap-allocated
// context created each time their scope is entered, so keeping the closure out of the visit loop
// keeps that loop allocation-free for the million connections that have nothing to report.)
function report(f: ConnectionFacts, ctx: RuleContext, sink: FindingSink, idle: number, since: number, held: number,
  stillThere: boolean): void {
  const t = ctx.thresholds;
  const me = f.orig, server = f.resp;
  const reused = me.dataAfterPeerFinTime === me.dataAfterPeerFinTime;
  const ep = me.endpoint, serverEp = server.endpoint;
  const finTime = server.finTime, finSeg = server.finSeg, port = server.port, lastSeg = server.lastDataSeg, ackSeg = me.ackedPeerFinSeg;
  const reusedAfter = reused ? me.dataAfterPeerFinTime - since : 0, reuseSeg = me.dataAfterPeerFinSeg;
  sink.add(f.index, new DiagnosisFinding('idle-pool-close-wait', stillThere && held >= t.minAge ? 'warning' : 'info', ep,
    since, Math.max(0, held), f.id, () => ({
      message:
        `${ep} kept an idle pooled connection to ${serverEp}: after ${duration(idle)} without traffic the server ` +
        `closed it (FIN at ${clock(finTime)}, segment ${seg(finSeg)}); ${ep} acknowledged the FIN but did not close its side, ` +
        (stillThere
          ? `and still holds it in CLOSE_WAIT at capture end, ${duration(held)} later. `
          : reused
            ? `and ${duration(reusedAfter)} later reused it as if it were open (segment ${seg(reuseSeg)}). `
            : `for ${duration(held)}. `) +
        `This is a client-side connection pool (or keep-alive cache) without idle eviction: it notices the close only when it next uses the connection. ` +
        `Next: make the pool's idle timeout shorter than the server's keep-alive timeout (about ${duration(idle)} here) or enable validation of idle ` +
        `connections; on the client host \`ss -tanp state close-wait '( dport = :${port} )'\` lists them with their process.`,
      evidence: evidence(lastSeg, finSeg, ackSeg, reuseSeg),
      detail: { server: serverEp, idle, reused },
    })));
}

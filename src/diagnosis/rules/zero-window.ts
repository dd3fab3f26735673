// Rule zero-window: an endpoint advertised a zero receive window: its application stopped reading.

import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { ConnectionFacts, SideFacts } from '../facts.js';
import type { FindingSink, RuleContext, RuleDefinition } from '../rule.js';
import { clock, duration, evidence, plural, seg } from '../wording.js';

export const zeroWindow: RuleDefinition = {
  code: 'zero-window',
  description: 'a zero receive window: the receiving application stopped reading',
  create: () => ({
    visit(f, ctx, sink) {
      for (const me of f.sides) {
        if (me.zeroWindowCount === 0) continue;
        report(f, me, ctx, sink);
      }
    },
  }),
};

// (Findings are built in a separate function: variables a closure captures live in a heap-allocated
// context created each time their scope is entered, so keeping the closure out of the visit loop
// keeps that loop allocation-free for the million connections that have nothing to report.)
function report(f: ConnectionFacts, me: SideFacts, ctx: RuleContext, sink: FindingSink): void {
  const known = me.zeroWindowSince === me.zeroWindowSince;
  const since = known ? me.zeroWindowSince : f.start;
  const atEnd = me.zeroWindowAtEnd;
  const until = atEnd ? ctx.captureEnd : me.zeroWindowUntil;
  const lasted = until === until ? until - since : NaN;
  const long = atEnd || lasted >= ctx.thresholds.zeroWindowMinDuration;
  const ep = me.endpoint;
  const peerHost = me.peer.host, peerPort = me.peer.port, count = me.zeroWindowCount, port = me.port, zeroSeg = me.zeroWindowSeg;
  sink.add(f.index, new DiagnosisFinding('zero-window', long ? 'warning' : 'info', ep, since,
    lasted === lasted ? Math.max(0, lasted) : 0, f.id, () => ({
      message:
        `${ep} advertised a zero receive window ${plural(count, 'time')}` +
        (known ? `, first at ${clock(since)} (segment ${seg(zeroSeg)})` : '') +
        (atEnd ? `, and still at capture end` : lasted === lasted ? `, for ${duration(lasted)}` : '') +
        `: its receive buffer was full because the application did not read fast enough (or at all), so ` +
        `${formatEndpoint(peerHost, peerPort)} had to stop sending. Next: \`ss -tmi '( sport = :${port} )'\` on that host ` +
        `(Recv-Q and receive buffer), and a thread dump of the process to see why it does not read.`,
      evidence: evidence(zeroSeg),
      detail: { count, atEnd },
    })));
}

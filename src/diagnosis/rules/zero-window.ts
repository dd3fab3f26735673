// Rule zero-window: an endpoint advertised a zero receive window: its application stopped reading.

import { DiagnosisFinding } from '../finding.js';
import type { RuleDefinition } from '../rule.js';
import { clock, duration, evidence, plural, seg } from '../wording.js';

export const zeroWindow: RuleDefinition = {
  code: 'zero-window',
  description: 'a zero receive window: the receiving application stopped reading',
  create: () => ({
    visit(f, ctx, sink) {
      for (const me of f.sides) {
        if (me.zeroWindowCount === 0) continue;
        const since = me.zeroWindowSince === me.zeroWindowSince ? me.zeroWindowSince : f.start;
        const until = me.zeroWindowAtEnd ? ctx.captureEnd : me.zeroWindowUntil;
        const lasted = until === until ? until - since : NaN;
        const long = me.zeroWindowAtEnd || lasted >= ctx.thresholds.zeroWindowMinDuration;
        const ep = me.endpoint, peerEp = me.peer.endpoint, count = me.zeroWindowCount, atEnd = me.zeroWindowAtEnd, port = me.port;
        const known = me.zeroWindowSince === me.zeroWindowSince, zeroSeg = me.zeroWindowSeg;
        const message = () =>
          `${ep} advertised a zero receive window ${plural(count, 'time')}` +
          (known ? `, first at ${clock(since)} (segment ${seg(zeroSeg)})` : '') +
          (atEnd ? `, and still at capture end` : lasted === lasted ? `, for ${duration(lasted)}` : '') +
          `: its receive buffer was full because the application did not read fast enough (or at all), so ${peerEp} had to stop ` +
          `sending. Next: \`ss -tmi '( sport = :${port} )'\` on that host (Recv-Q and receive buffer), and a thread dump of the process to see why it does not read.`;
        sink.add(f.index, new DiagnosisFinding('zero-window', long ? 'warning' : 'info', ep, since,
          lasted === lasted ? Math.max(0, lasted) : 0, message, evidence(zeroSeg), f.id, { count, atEnd }));
      }
    },
  }),
};

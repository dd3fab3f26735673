// Rule zero-window: an endpoint advertised a zero receive window: its application stopped reading.

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
        const ep = me.endpoint;
        const message =
          `${ep} advertised a zero receive window ${plural(me.zeroWindowCount, 'time')}` +
          (me.zeroWindowSince === me.zeroWindowSince ? `, first at ${clock(since)} (segment ${seg(me.zeroWindowSeg)})` : '') +
          (me.zeroWindowAtEnd ? `, and still at capture end` : lasted === lasted ? `, for ${duration(lasted)}` : '') +
          `: its receive buffer was full because the application did not read fast enough (or at all), so ${me.peer.endpoint} had to stop ` +
          `sending. Next: \`ss -tmi '( sport = :${me.port} )'\` on that host (Recv-Q and receive buffer), and a thread dump of the process to see why it does not read.`;
        sink.add(f.index, {
          code: 'zero-window', severity: long ? 'warning' : 'info', endpoint: ep, since,
          age: lasted === lasted ? Math.max(0, lasted) : 0, message, evidence: evidence(me.zeroWindowSeg), flow: f.id,
          detail: { count: me.zeroWindowCount, atEnd: me.zeroWindowAtEnd },
        });
      }
    },
  }),
};

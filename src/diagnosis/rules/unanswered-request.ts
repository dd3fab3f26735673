// Rule unanswered-request: an endpoint received a request, ACKed it, sent nothing back, and the peer
// gave up after an idle wait. The application never read it (blocked workers; Recv-Q full of requests).

import type { ConnectionFacts, SideFacts } from '../facts.js';
import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { FindingSink, RuleContext, RuleDefinition } from '../rule.js';
import { clock, duration, evidence, plural, seg } from '../wording.js';

export interface WindowReading {
  /** The window fell to zero: the receive buffer is full. */
  zero: boolean;
  /** Bytes the advertised window shrank by (0: no visible shrink). */
  shrink: number;
  /** The shrink equals the unread bytes as far as the window scale can show. */
  matches: boolean;
  from: number;
  to: number;
  unit: number;
}

/**
 * What the advertised window says about unread data: the wire's view of Recv-Q. A receiver that does
 * not read keeps the right edge of its window where it was, so each unread byte shrinks the window.
 */
export function readWindow(me: SideFacts, unread: number): WindowReading {
  const after = me.windowAtPeerFin >= 0 ? me.windowAtPeerFin : me.windowLast;
  const r: WindowReading = { zero: false, shrink: 0, matches: false, from: me.windowMax, to: after, unit: me.windowUnit };
  if (after < 0) return r;
  if (after === 0 || me.zeroWindowAtEnd) {
    r.zero = true;
    r.shrink = me.windowMax > 0 ? me.windowMax : 0;
    return r;
  }
  const shrink = me.windowMax - after;
  if (me.windowMax <= 0 || shrink < me.windowUnit || shrink <= 0) return r;
  r.shrink = shrink;
  r.matches = unread > 0 && Math.abs(shrink - unread) <= me.windowUnit;
  return r;
}

export function windowText(w: WindowReading, unread: number): string {
  if (w.zero) return ` Its advertised receive window fell to zero: the receive buffer is full of unread data (the wire's view of Recv-Q).`;
  if (w.shrink <= 0) return '';
  return ` Its advertised receive window shrank from ${w.from} to ${w.to} bytes` +
    (!w.matches ? `: data is sitting unread in its receive buffer (the wire's view of Recv-Q).`
      : w.shrink === unread ? `, by exactly the ${plural(unread, 'byte')} it received: they are still sitting unread in its receive buffer (the wire's view of Recv-Q).`
        : `, by the ${plural(unread, 'byte')} it received (as far as the ${w.unit}-byte window scale shows): they are still sitting unread in its receive buffer (the wire's view of Recv-Q).`);
}

export const unansweredRequest: RuleDefinition = {
  code: 'unanswered-request',
  description: 'received a request, ACKed it, answered nothing; the peer closed after an idle wait',
  create: () => ({
    visit(f, ctx, sink) {
      const t = ctx.thresholds;
      for (const me of f.sides) {
        const peer = me.peer;
        if (peer.bytes <= 0) continue;
        const requestAt = peer.lastDataTime;
        const gaveUp = peer.closeTime;
        if (requestAt !== requestAt || gaveUp !== gaveUp || gaveUp < requestAt) continue;
        const idle = gaveUp - requestAt;
        if (idle < t.minIdle) continue;
        // Did `me` answer between the request and the peer's close?
        const mine = me.lastDataTime <= gaveUp ? me.lastDataTime : me.lastDataBeforePeerFinTime;
        if (mine === mine && mine >= requestAt) continue;
        // A request: the originator's data to a server, or a greeting `me` never answered at all
        // (after a completed exchange, the responder's last data is a response, not a request).
        if (!peer.isOrig && me.bytes > 0) continue;
        report(f, me, ctx, sink, requestAt, gaveUp, idle);
      }
    },
  }),
};

// (Findings are built in a separate function: variables a closure captures live in a heap-allocated
// context created each time their scope is entered, so keeping the closure out of the visit loop
// keeps that loop allocation-free for the million connections that have nothing to report.)
function report(f: ConnectionFacts, me: SideFacts, ctx: RuleContext, sink: FindingSink, requestAt: number, gaveUp: number,
  idle: number): void {
  const peer = me.peer;
  const late = me.lastDataTime > gaveUp;
  const unread = me.bytes === 0 && !late ? peer.bytes : 0;
  const win = readWindow(me, unread);
  const closedBy = peer.closeSeg === peer.rstSeg ? 'RST' : 'FIN';
  const ended = late ? me.lastDataTime : me.closeTime === me.closeTime ? me.closeTime : ctx.captureEnd;
  const ep = me.endpoint;
  // copied for the words: `me` and `peer` are reused for the next connection
  const peerHost = peer.host, peerPort = peer.port, port = me.port, requestSeg = peer.lastDataSeg, closeSeg = peer.closeSeg;
  const ackSeg = me.ackedDataSeg, lateBy = late ? me.lastDataTime - gaveUp : 0;
  sink.add(f.index, new DiagnosisFinding('unanswered-request', win.zero ? 'error' : 'warning', ep, requestAt,
    Math.max(0, ended - requestAt), f.id, () => {
      const peerEp = formatEndpoint(peerHost, peerPort);
      return {
        message:
          `${ep} received ${unread > 0 ? plural(unread, 'byte') : 'a request'} from ${peerEp} at ${clock(requestAt)} ` +
          `(segment ${seg(requestSeg)}), acknowledged ${unread > 0 ? 'them' : 'it'}, and sent nothing back; after ` +
          `${duration(idle)} of silence ${peerEp} gave up and closed (${closedBy}, segment ${seg(closeSeg)}).` +
          (late
            ? ` ${ep} answered only ${duration(lateBy)} after that: it was too slow for the peer's timeout.`
            : ` The application on ${ep} never answered: most likely it never read the request (all worker threads busy or blocked, or a stalled event loop).`) +
          windowText(win, unread) +
          ` Next: \`ss -tn state close-wait '( sport = :${port} )'\` on that host (a non-zero Recv-Q is the unread request), ` +
          `then a thread dump of the server process (\`py-spy dump --pid PID\`, \`jstack PID\`) to see what the workers wait on.`,
        evidence: evidence(requestSeg, ackSeg, closeSeg),
        detail: {
          peer: peerEp, idle, requestBytes: unread > 0 ? unread : null, closedBy, answeredLate: late,
          windowShrink: win.shrink > 0 ? win.shrink : null, zeroWindow: win.zero,
        },
      };
    }));
}

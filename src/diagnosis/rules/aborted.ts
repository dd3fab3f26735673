// Rule aborted: an endpoint ended a connection that carried data with RST instead of FIN (SO_LINGER 0,
// a crash, close() with unread data, a middlebox timing it out).

import type { RuleDefinition } from '../rule.js';
import { isRefused } from '../service-index.js';
import { clock, evidence, plural, seg } from '../wording.js';

export const aborted: RuleDefinition = {
  code: 'aborted',
  description: 'RST after data: the connection was aborted instead of closed',
  create: () => ({
    visit(f, _ctx, sink) {
      if (f.orig.bytes + f.resp.bytes === 0) return;
      if (f.orig.rstSeg < 0 && f.resp.rstSeg < 0) return;
      if (isRefused(f)) return;
      for (const me of f.sides) {
        if (me.rstSeg < 0) continue;
        const peer = me.peer;
        const rst = me.rstTime;
        // Both FINs already exchanged before this RST: a stray reset after the close, not an abort.
        if (me.finTime <= rst && peer.finTime <= rst) continue;
        // The peer's last data had not been answered: it was still waiting (or its data was unread).
        const mine = me.lastDataTime;
        // (A request: the originator's data, or anything when `me` never sent a byte; the
        // responder's last data after a complete exchange is a response, not pending work.)
        const peerPending = peer.lastDataTime === peer.lastDataTime && !(mine >= peer.lastDataTime) && !(me.finTime <= rst)
          && (peer.isOrig || me.bytes === 0);
        const ep = me.endpoint;
        const message =
          `${ep} aborted its connection with ${peer.endpoint} by RST at ${clock(rst)} (segment ${seg(me.rstSeg)}) after ` +
          `${plural(f.orig.bytes + f.resp.bytes, 'byte')} of data, instead of closing it with FIN. ` +
          (peerPending
            ? `${peer.endpoint}'s last data (segment ${seg(peer.lastDataSeg)}) was never answered: if ${ep} closed the socket with that data still unread, Linux sends RST instead of FIN. `
            : '') +
          `Other causes: SO_LINGER with a zero timeout, a process killed or crashed, a proxy or firewall timing the connection out. ` +
          `The peer sees ECONNRESET. Next: the application's logs on ${me.host} at that time, and \`nstat -az TcpExtTCPAbortOnData TcpExtTCPAbortOnClose\`.`;
        sink.add(f.index, {
          code: 'aborted', severity: peerPending ? 'warning' : 'info', endpoint: ep, since: rst, age: 0, message,
          evidence: evidence(peer.lastDataSeg, me.rstSeg), flow: f.id,
          detail: { peer: peer.endpoint, peerDataUnanswered: peerPending },
        });
      }
    },
  }),
};

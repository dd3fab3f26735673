// Rule aborted: an endpoint ended a connection that carried data with RST instead of FIN (SO_LINGER 0,
// a crash, close() with unread data, a middlebox timing it out).

import { DiagnosisFinding, formatEndpoint } from '../finding.js';
import type { ConnectionFacts, SideFacts } from '../facts.js';
import type { FindingSink, RuleDefinition } from '../rule.js';
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
        // The peer's last data was pending: a request (the originator's data, or anything when `me`
        // never sent a byte) that `me` had not answered when it reset. After a complete exchange the
        // responder's last data is a response, not pending work.
        const mine = me.lastDataTime;
        const peerPending = peer.lastDataTime === peer.lastDataTime && !(mine >= peer.lastDataTime) && !(me.finTime <= rst)
          && (peer.isOrig || me.bytes === 0);
        report(f, me, sink, rst, peerPending);
      }
    },
  }),
};

// (Findings are built in a separate function: variables a closure captures live in a heap-allocated
// context created each time their scope is entered, so keeping the closure out of the visit loop
// keeps that loop allocation-free for the million connections that have nothing to report.)
function report(f: ConnectionFacts, me: SideFacts, sink: FindingSink, rst: number, peerPending: boolean): void {
  const peer = me.peer;
  const ep = me.endpoint;
  const peerHost = peer.host, peerPort = peer.port, host = me.host, rstSeg = me.rstSeg, peerDataSeg = peer.lastDataSeg;
  const bytes = f.orig.bytes + f.resp.bytes;
  sink.add(f.index, new DiagnosisFinding('aborted', peerPending ? 'warning' : 'info', ep, rst, 0, f.id, () => {
    const peerEp = formatEndpoint(peerHost, peerPort);
    return {
      message:
        `${ep} aborted its connection with ${peerEp} by RST at ${clock(rst)} (segment ${seg(rstSeg)}) after ` +
        `${plural(bytes, 'byte')} of data, instead of closing it with FIN. ` +
        (peerPending
          ? `${peerEp}'s last data (segment ${seg(peerDataSeg)}) was never answered: if ${ep} closed the socket with that data still unread, Linux sends RST instead of FIN. `
          : '') +
        `Other causes: SO_LINGER with a zero timeout, a process killed or crashed, a proxy or firewall timing the connection out. ` +
        `The peer sees ECONNRESET. Next: the application's logs on ${host} at that time, and \`nstat -az TcpExtTCPAbortOnData TcpExtTCPAbortOnClose\`.`,
      evidence: evidence(peerDataSeg, rstSeg),
      detail: { peer: peerEp, peerDataUnanswered: peerPending },
    };
  }));
}

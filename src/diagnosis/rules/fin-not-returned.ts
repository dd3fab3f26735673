// Rule fin-not-returned: the peer's FIN arrived and was ACKed, this endpoint never sent its own and
// is in CLOSE_WAIT at capture end. The core CLOSE_WAIT-leak finding; severity grows with age.

import { DiagnosisFinding, formatEndpoint, type Severity } from '../finding.js';
import type { ConnectionFacts, SideFacts } from '../facts.js';
import type { FindingSink, RuleContext, RuleDefinition } from '../rule.js';
import type { Thresholds } from '../thresholds.js';
import { clock, duration, evidence, seg } from '../wording.js';

export function finNotReturnedSeverity(age: number, t: Thresholds): Severity {
  return age >= t.errorAge ? 'error' : age >= t.minAge ? 'warning' : 'info';
}

export const finNotReturned: RuleDefinition = {
  code: 'fin-not-returned',
  description: "the peer's FIN was ACKed and this endpoint never sent its own: CLOSE_WAIT at capture end",
  create: () => ({
    visit(f, ctx, sink) {
      for (const me of f.sides) if (me.state === 'CLOSE_WAIT') report(f, me, ctx, sink);
    },
  }),
};

// (Findings are built in a separate function: variables a closure captures live in a heap-allocated
// context created each time their scope is entered, so keeping the closure out of the visit loop
// keeps that loop allocation-free for the million connections that have nothing to report.)
function report(f: ConnectionFacts, me: SideFacts, ctx: RuleContext, sink: FindingSink): void {
    const peer = me.peer;
    const since = me.closeWaitSince === me.closeWaitSince ? me.closeWaitSince
      : peer.finTime === peer.finTime ? peer.finTime : f.start;
    const age = Math.max(0, ctx.captureEnd - since);
    const severity = finNotReturnedSeverity(age, ctx.thresholds);
    const ep = me.endpoint;
    // Everything the words need, copied: `me` and `peer` are reused for the next connection.
    const finSeg = me.closeWaitSeg >= 0 ? me.closeWaitSeg : peer.finSeg, ackSeg = me.ackedPeerFinSeg;
    const peerHost = peer.host, peerPort = peer.port, peerState = peer.state, minAge = ctx.thresholds.minAge;
    sink.add(f.index, new DiagnosisFinding('fin-not-returned', severity, ep, since, age, f.id, () => {
      const peerEp = formatEndpoint(peerHost, peerPort);
      return {
        message:
          `${ep} received the FIN of ${peerEp} at ${clock(since)} (segment ${seg(finSeg)}) and ` +
          `acknowledged it, but never sent its own FIN: it is still in CLOSE_WAIT at capture end, ` +
          `${duration(age)} later` +
          (peerState === 'CLOSED' ? ` (the peer has already given up on the connection).` : ` (the peer is in ${peerState}).`) +
          (severity === 'info'
            ? ` That is shorter than ${duration(minAge)}: the application may simply not have closed it yet.`
            : ` The application on ${ep} has not called close() on this socket: a descriptor leaked on some ` +
              `code path (often an error or timeout path), a worker stuck before its close, or the descriptor ` +
              `inherited by a child process. Next: on that host run \`ss -tanp state close-wait\` to find the ` +
              `process, \`lsof -p PID\` to count its sockets, and take a thread dump (\`py-spy dump --pid PID\`, \`jstack PID\`).`),
        evidence: evidence(finSeg, ackSeg),
        detail: { peer: peerEp, peerState },
      };
    }));
}

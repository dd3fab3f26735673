// Rule peer-timeout (aggregate): many connections to one service closed by the same side after the
// same idle time, e.g. 300.0 s ± 0.2: one timer is firing. Reports the value and the well-known
// defaults it matches, as a hint.

import { serviceKey } from '../facts.js';
import { DiagnosisFinding } from '../finding.js';
import { matchKnownTimeouts } from '../known-timeouts.js';
import type { RuleContext, RuleDefinition } from '../rule.js';
import { duration, secondsValue } from '../wording.js';

interface Group {
  service: string;
  closerIsOrig: boolean;
  closerHosts: Set<string>;
  idle: number[];
  index: number[];
  closeTime: number[];
  /** The close cut off the closer's own request (the waited-on side had not answered). */
  unanswered: number[];
}

export interface Cluster {
  /** Median of the members' idle times, and the largest distance of a member from it. */
  value: number;
  spread: number;
  lo: number;
  hi: number;
  count: number;
}

/**
 * Densest runs of equal-ish values: repeatedly the widest-populated window whose width is at most
 * 2 × max(abs, rel × value), removed before looking for the next. Linear after the sort.
 */
export function findClusters(values: ArrayLike<number>, tolAbs: number, tolRel: number, minCount: number, max = 3): Cluster[] {
  let v = Float64Array.from(values as ArrayLike<number>).sort();
  const out: Cluster[] = [];
  while (out.length < max && v.length >= minCount) {
    let bestJ = 0, bestI = -1, bestCount = 0;
    let j = 0;
    for (let i = 0; i < v.length; i++) {
      const width = 2 * Math.max(tolAbs, tolRel * v[i]!);
      while (v[i]! - v[j]! > width) j++;
      const count = i - j + 1;
      if (count > bestCount || (count === bestCount && v[i]! - v[j]! < v[bestI]! - v[bestJ]!)) {
        bestCount = count; bestJ = j; bestI = i;
      }
    }
    if (bestCount < minCount) break;
    const median = v[(bestJ + bestI) >> 1]!;
    const lo = v[bestJ]!, hi = v[bestI]!;
    out.push({ value: median, spread: Math.max(hi - median, median - lo), lo, hi, count: bestCount });
    const rest = new Float64Array(v.length - bestCount);
    rest.set(v.subarray(0, bestJ), 0);
    rest.set(v.subarray(bestI + 1), bestJ);
    v = rest;
  }
  return out;
}

export const peerTimeout: RuleDefinition = {
  code: 'peer-timeout',
  description: 'many connections closed by the peer after the same idle time: a timeout, matched to known defaults',
  create: () => {
    const groups = new Map<number, Group>();
    return {
      visit(f, ctx) {
        const closer = f.firstCloser;
        if (closer === null) return;
        const idle = f.idleBeforeClose(closer);
        if (!(idle >= ctx.thresholds.minIdle)) return;
        const key = serviceKey(f) * 2 + (closer.isOrig ? 0 : 1);
        let g = groups.get(key);
        if (g === undefined) {
          g = { service: f.resp.endpoint, closerIsOrig: closer.isOrig, closerHosts: new Set(), idle: [], index: [], closeTime: [], unanswered: [] };
          groups.set(key, g);
        }
        if (g.closerHosts.size < 4) g.closerHosts.add(closer.host);
        const t = closer.closeTime;
        const waited = closer.peer;
        const waitedLast = waited.lastDataTime <= t ? waited.lastDataTime : waited.lastDataBeforePeerFinTime;
        // A client closing on its own unanswered request (a read timeout). A server's last data is
        // a response, so a server closing after it is an idle timeout, never a cut-off.
        const cutOff = closer.isOrig && closer.bytes > 0 && !(waitedLast >= closer.lastDataTime);
        g.idle.push(idle);
        g.index.push(f.index);
        g.closeTime.push(t);
        g.unanswered.push(cutOff ? 1 : 0);
      },
      finish(ctx, sink) {
        const th = ctx.thresholds;
        for (const g of groups.values()) {
          const total = g.idle.length;
          if (total < th.peerTimeoutMinCount) continue;
          const clusters = findClusters(g.idle, th.peerTimeoutToleranceAbs, th.peerTimeoutToleranceRel, th.peerTimeoutMinCount);
          const taken = new Uint8Array(total);
          for (const c of clusters) {
            if (c.count < th.peerTimeoutMinShare * total) continue;
            const members: number[] = [];
            let since = Infinity, cut = 0;
            for (let k = 0; k < total; k++) {
              const x = g.idle[k]!;
              if (taken[k] || x < c.lo || x > c.hi) continue;
              taken[k] = 1;
              members.push(g.index[k]!);
              since = Math.min(since, g.closeTime[k]!);
              cut += g.unanswered[k]!;
            }
            if (members.length === 0) continue;
            sink.addAggregate(makeFinding(g, c, members, since, cut, total, ctx), members);
          }
        }
      },
    };

    function makeFinding(g: Group, c: Cluster, members: number[], since: number, cut: number,
      total: number, ctx: RuleContext): DiagnosisFinding {
      const th = ctx.thresholds;
      const closerSide = g.closerIsOrig ? 'client' : 'server';
      const matches = matchKnownTimeouts(c.value, closerSide, { abs: th.knownTimeoutToleranceAbs, rel: th.knownTimeoutToleranceRel });
      const mostlyCut = cut * 2 >= members.length;
      const hosts = [...g.closerHosts];
      const count = members.length;
      const explain = () => {
        const who = g.closerIsOrig ? `the client side (${hosts.join(', ')}${hosts.length >= 4 ? ', …' : ''})` : `the server ${g.service}`;
        const value = `${secondsValue(c.value)} s ± ${c.spread < 0.01 ? c.spread.toFixed(3) : c.spread.toFixed(2)}`;
        return {
          message:
            `${count} of ${total} connections to ${g.service} that went idle were closed by ${who} after the ` +
            `same idle time, ${value} s: one timer is firing on ${g.closerIsOrig ? 'the clients' : 'the server'}. ` +
            (mostlyCut
              ? `The requests were still unanswered when it fired (${cut} of ${count}): this is the client's (or proxy's) read timeout, ` +
                `and the server is too slow or stuck. `
              : `The connections were idle after complete exchanges: an idle (keep-alive) timeout. `) +
            (matches.length > 0
              ? `It matches ${matches.slice(0, 4).map((m) => m.name).join('; ')}: a hint, not a certainty; check the configured timeouts.`
              : `It matches no common default: look for a configured timeout of about ${duration(c.value)}.`),
          detail: {
            seconds: c.value, spread: c.spread, count, total,
            closer: g.closerIsOrig ? 'orig' : 'resp', unanswered: cut, matches: matches.map((m) => m.name),
          },
        };
      };
      return new DiagnosisFinding('peer-timeout', mostlyCut ? 'warning' : 'info', g.service, since, Math.max(0, ctx.captureEnd - since),
        undefined, explain, members.map((i) => ctx.flows[i]?.id ?? i + 1));
    }
  },
};

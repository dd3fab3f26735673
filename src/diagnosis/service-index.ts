// Diagnosis helper: per-service (responder ip:port) counts gathered in the same pass as the rules,
// for rules that must know how a port treated everybody else ("answers others", "refuses all").
// Services get dense small ids (ConnectionFacts.service), so rules key their maps by small integers.

import type { ConnectionFacts } from './facts.js';

export class ServiceIndex {
  /** responder address id → port → service id */
  private readonly ids = new Map<number, Map<number, number>>();
  private readonly total: number[] = [];
  private readonly answeredCount: number[] = [];
  private readonly refusedCount: number[] = [];

  /** Counts this connection and sets `f.service`. */
  record(f: ConnectionFacts): void {
    let byPort = this.ids.get(f.resp.hostId);
    if (byPort === undefined) this.ids.set(f.resp.hostId, (byPort = new Map()));
    let id = byPort.get(f.resp.port);
    if (id === undefined) {
      id = this.total.length;
      byPort.set(f.resp.port, id);
      this.total.push(0);
      this.answeredCount.push(0);
      this.refusedCount.push(0);
    }
    f.service = id;
    this.total[id]!++;
    if (isAnswered(f)) this.answeredCount[id]!++;
    else if (isRefused(f)) this.refusedCount[id]!++;
  }

  /** Connections to this service. */
  connections(service: number): number {
    return this.total[service] ?? 0;
  }

  /** Connections the responder answered with a SYN+ACK (or data, for mid-flow starts). */
  answered(service: number): number {
    return this.answeredCount[service] ?? 0;
  }

  /** Connections whose SYN drew an RST and nothing else. */
  refused(service: number): number {
    return this.refusedCount[service] ?? 0;
  }

  get size(): number {
    return this.total.length;
  }
}

export function isAnswered(f: ConnectionFacts): boolean {
  return f.resp.synCount > 0 || f.resp.bytes > 0;
}

/** The originator's SYN drew an RST from the responder, which sent no SYN+ACK and no data. */
export function isRefused(f: ConnectionFacts): boolean {
  return f.orig.synCount > 0 && f.resp.rstSeg >= 0 && f.resp.synCount === 0 && f.resp.bytes === 0;
}

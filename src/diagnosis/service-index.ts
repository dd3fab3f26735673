// Diagnosis helper: per-service (responder ip:port) counts gathered in the same pass as the rules,
// for rules that must know how a port treated everybody else ("answers others", "refuses all").

import { serviceKey, type ConnectionFacts } from './facts.js';

export interface ServiceStats {
  connections: number;
  /** Connections the responder answered with a SYN+ACK (or data, for mid-flow starts). */
  answered: number;
  /** Connections whose SYN drew an RST and nothing else. */
  refused: number;
}

export class ServiceIndex {
  private readonly byKey = new Map<number, ServiceStats>();

  record(f: ConnectionFacts): void {
    const key = serviceKey(f);
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = { connections: 0, answered: 0, refused: 0 };
      this.byKey.set(key, s);
    }
    s.connections++;
    if (isAnswered(f)) s.answered++;
    else if (isRefused(f)) s.refused++;
  }

  get(key: number): ServiceStats | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}

export function isAnswered(f: ConnectionFacts): boolean {
  return f.resp.synCount > 0 || f.resp.bytes > 0;
}

/** The originator's SYN drew an RST from the responder, which sent no SYN+ACK and no data. */
export function isRefused(f: ConnectionFacts): boolean {
  return f.orig.synCount > 0 && f.resp.rstSeg >= 0 && f.resp.synCount === 0 && f.resp.bytes === 0;
}

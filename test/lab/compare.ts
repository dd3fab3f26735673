// Test helper: finscope FlowRecords vs the lab's kernel truth (ss at capture end), and flows vs flows across input formats.

import { canonicalAddr } from '../../lab/addr.js';
import type { Truth, TruthConnection, TruthEndpoint } from '../../lab/truth.js';
import type { FlowRecord, TcpState } from '../../src/analysis/flow-record.js';

export interface EndpointVerdict {
  scenario: string;
  connection: number;
  endpoint: string;
  kernel: string;
  finscope: TcpState | 'MISSING';
  /** exact: same state; excused: the wire cannot tell and finscope said so (reason); wrong otherwise. */
  verdict: 'exact' | 'excused' | 'wrong';
  reason?: string;
}

export interface KernelComparison {
  rows: EndpointVerdict[];
  /** ss lists the socket in CLOSE_WAIT, finscope says something else (or has no flow). */
  closeWaitMissed: EndpointVerdict[];
  /** finscope says CLOSE_WAIT, ss does not list that socket in CLOSE_WAIT. */
  closeWaitInvented: string[];
  /** ss CLOSE_WAIT sockets of the scenario with no packet in the capture (cannot be reported at all). */
  closeWaitUncaptured: string[];
  /** finscope flows with no connection in the capture per tcpdump. */
  extraFlows: string[];
}

const tuple = (ah: string, ap: number, bh: string, bp: number): string => `${canonicalAddr(ah)}|${ap}|${canonicalAddr(bh)}|${bp}`;

/** Finds the flow of a truth connection by 4-tuple, in either orientation. */
export function flowIndex(flows: readonly FlowRecord[]): Map<string, { flow: FlowRecord; flipped: boolean }> {
  const m = new Map<string, { flow: FlowRecord; flipped: boolean }>();
  for (const f of flows) {
    m.set(tuple(f.orig_h, f.orig_p, f.resp_h, f.resp_p), { flow: f, flipped: false });
    m.set(tuple(f.resp_h, f.resp_p, f.orig_h, f.orig_p), { flow: f, flipped: true });
  }
  return m;
}

/**
 * When the wire truly cannot tell the kernel's state, the reason, and what finscope may honestly say
 * instead of the kernel's state. Anything else must match exactly.
 */
export function wireAmbiguity(_c: TruthConnection, e: TruthEndpoint): { reason: string; allowed: TcpState[] } | null {
  if (e.pkts === 0 && e.state === 'CLOSED') {
    // backlog-overflow: the SYN reached a listener whose accept queue was full and was dropped.
    return {
      reason:
        'this endpoint never sent a segment: the wire cannot tell a SYN the kernel dropped (full accept ' +
        'queue, tcp_abort_on_overflow=0) from one that never arrived, so UNKNOWN is as right as CLOSED',
      allowed: ['UNKNOWN'],
    };
  }
  return null;
}

export function compareWithKernel(truth: Truth, flows: readonly FlowRecord[]): KernelComparison {
  const idx = flowIndex(flows);
  const out: KernelComparison = { rows: [], closeWaitMissed: [], closeWaitInvented: [], closeWaitUncaptured: [], extraFlows: [] };
  const matched = new Set<FlowRecord>();
  for (const c of truth.connections) {
    const hit = idx.get(tuple(c.orig.addr, c.orig.port, c.resp.addr, c.resp.port));
    if (hit) matched.add(hit.flow);
    for (const side of ['orig', 'resp'] as const) {
      const e = c[side];
      let reported: TcpState | 'MISSING' = 'MISSING';
      if (hit) {
        const flowSide = (side === 'orig') !== hit.flipped ? 'orig' : 'resp';
        reported = flowSide === 'orig' ? hit.flow.orig_state : hit.flow.resp_state;
      }
      const row: EndpointVerdict = { scenario: truth.scenario, connection: c.id, endpoint: e.endpoint, kernel: e.state, finscope: reported, verdict: 'wrong' };
      if (reported === e.state) row.verdict = 'exact';
      else {
        const amb = wireAmbiguity(c, e);
        if (amb && reported !== 'MISSING' && amb.allowed.includes(reported)) {
          row.verdict = 'excused';
          row.reason = amb.reason;
        }
      }
      out.rows.push(row);
      if (e.state === 'CLOSE_WAIT' && reported !== 'CLOSE_WAIT') out.closeWaitMissed.push(row);
      if (reported === 'CLOSE_WAIT' && e.state !== 'CLOSE_WAIT') {
        out.closeWaitInvented.push(`${truth.scenario} #${c.id} ${e.endpoint}: finscope CLOSE_WAIT, ss ${e.ss_state ?? 'no socket'}`);
      }
    }
  }
  for (const s of truth.sockets) {
    if (s.state === 'CLOSE_WAIT' && s.connection === null && !s.preexisting) {
      out.closeWaitUncaptured.push(`${truth.scenario}: ${s.local_addr}:${s.local_port} ↔ ${s.peer_addr}:${s.peer_port}`);
    }
  }
  for (const f of flows) {
    if (matched.has(f)) continue;
    out.extraFlows.push(`${truth.scenario}: ${f.orig_h}:${f.orig_p} → ${f.resp_h}:${f.resp_p} (${f.orig_state}/${f.resp_state})`);
    for (const [h, p, st] of [[f.orig_h, f.orig_p, f.orig_state], [f.resp_h, f.resp_p, f.resp_state]] as const) {
      if (st === 'CLOSE_WAIT') out.closeWaitInvented.push(`${truth.scenario}: ${h}:${p} reported CLOSE_WAIT on a connection tcpdump does not show`);
    }
  }
  return out;
}

/** The fields a tcpdump text rendering carries as well as the pcap does. */
export const PARITY_FIELDS = [
  'orig_h', 'orig_p', 'resp_h', 'resp_p', 'orig_state', 'resp_state', 'first_fin', 'conn_state', 'history',
  'orig_pkts', 'resp_pkts', 'orig_bytes', 'resp_bytes',
] as const;

/** Differences between two readings of the same capture, by 4-tuple, on PARITY_FIELDS and finding codes. */
export function compareFlows(label: string, base: readonly FlowRecord[], other: readonly FlowRecord[]): string[] {
  const diffs: string[] = [];
  if (base.length !== other.length) diffs.push(`${label}: ${other.length} flows, the pcap gives ${base.length}`);
  const idx = new Map(other.map((f) => [tuple(f.orig_h, f.orig_p, f.resp_h, f.resp_p), f]));
  for (const b of base) {
    const key = tuple(b.orig_h, b.orig_p, b.resp_h, b.resp_p);
    const o = idx.get(key);
    if (!o) {
      diffs.push(`${label}: no flow ${b.orig_h}:${b.orig_p} → ${b.resp_h}:${b.resp_p}`);
      continue;
    }
    for (const k of PARITY_FIELDS) {
      const bv = k === 'orig_h' || k === 'resp_h' ? canonicalAddr(b[k]) : b[k];
      const ov = k === 'orig_h' || k === 'resp_h' ? canonicalAddr(o[k]) : o[k];
      if (bv !== ov) diffs.push(`${label}: ${b.orig_h}:${b.orig_p} → ${b.resp_h}:${b.resp_p} ${k} ${JSON.stringify(ov)}, pcap ${JSON.stringify(bv)}`);
    }
    const codes = (f: FlowRecord): string => f.findings.map((x) => `${x.code}@${x.endpoint}`).sort().join(',');
    if (codes(b) !== codes(o)) diffs.push(`${label}: ${b.orig_h}:${b.orig_p} → ${b.resp_h}:${b.resp_p} findings [${codes(o)}], pcap [${codes(b)}]`);
  }
  return diffs;
}

export function formatRows(rows: readonly EndpointVerdict[]): string {
  return rows
    .map((r) => `  ${r.scenario} #${r.connection} ${r.endpoint}: kernel ${r.kernel}, finscope ${r.finscope}${r.reason ? ` (${r.reason})` : ''}`)
    .join('\n');
}

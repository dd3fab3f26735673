// Diagnosis stage: connections (+ their flow records) → findings. Runs the rule list once over all
// connections at capture end (never per packet), then the aggregate rules; attaches findings to flows.

import type { FlowRecord } from '../analysis/flow-record.js';
import type { Connection } from '../tcp/connection.js';
import { fillFacts, type SegmentTimes } from './connection-facts.js';
import { ConnectionFacts } from './facts.js';
import { DiagnosisFinding, type Finding } from './finding.js';
import type { FindingSink, RuleContext, RuleDefinition } from './rule.js';
import { DEFAULT_RULES } from './rules/index.js';
import { ServiceIndex } from './service-index.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';

export interface DiagnoseOptions {
  /** Epoch seconds of the first and last segment of the whole capture (findings' ages end here).
   *  Default: from `tracker`, else from the connections' own first and last segments. */
  captureStart?: number;
  captureEnd?: number;
  /** Shorthand for `thresholds.minAge` (`--min-age`). */
  minAge?: number;
  /** Overrides of the defaults in thresholds.ts. */
  thresholds?: Partial<Thresholds>;
  /** The rule list (default: DEFAULT_RULES). */
  rules?: readonly RuleDefinition[];
  /** Segment times (the tracker's SegmentStore), used only where a connection lacks a time. */
  segments?: SegmentTimes | null;
  /** The tracker the connections came from: capture bounds and its segment store. */
  tracker?: TrackerBounds;
  /** Accepted for the composer's convenience; host text comes from the flow records. */
  addresses?: unknown;
}

/** What diagnose() reads from a ConnectionTracker. */
export interface TrackerBounds {
  captureStartSec: number;
  captureStartNsec: number;
  captureEndSec: number;
  captureEndNsec: number;
  readonly segments?: SegmentTimes | null;
}

/**
 * Diagnose every connection. `flows[i]` must be the flow record of `connections[i]`; each flow's
 * `findings` is replaced by the findings about it (per-connection ones first, in rule-list order,
 * then a shared copy of each aggregate finding it is part of). A flow whose only finding is one
 * aggregate's copy gets a frozen list shared with the other members: replace it, do not push to it. Returns every finding once:
 * per-connection findings in connection order, then the aggregate ones.
 */
export function diagnose(connections: readonly Connection[], flows: FlowRecord[], options: DiagnoseOptions = {}): Finding[] {
  const segments = options.segments ?? options.tracker?.segments ?? null;
  let start = options.captureStart, end = options.captureEnd;
  const t = options.tracker;
  if (t !== undefined && t.captureEndSec >= 0) {
    start ??= t.captureStartSec + t.captureStartNsec / 1e9;
    end ??= t.captureEndSec + t.captureEndNsec / 1e9;
  }
  if (start === undefined || end === undefined) {
    let lo = Infinity, hi = -Infinity;
    for (const c of connections) {
      lo = Math.min(lo, c.firstTsSec + c.firstTsNsec / 1e9);
      hi = Math.max(hi, c.lastTsSec + c.lastTsNsec / 1e9);
    }
    start ??= Number.isFinite(lo) ? lo : 0;
    end ??= Number.isFinite(hi) ? hi : 0;
  }
  return diagnoseWith(connections.length, (f, i) => fillFacts(f, connections[i]!, flows[i], i, segments), flows,
    { ...options, captureStart: start, captureEnd: end });
}

/** The engine-independent core: `fill(f, i)` describes connection i. */
export function diagnoseWith(count: number, fill: (f: ConnectionFacts, index: number) => void, flows: FlowRecord[],
  options: DiagnoseOptions): Finding[] {
  const definitions = options.rules ?? DEFAULT_RULES;
  const rules = definitions.map((d) => d.create());
  const ctx: RuleContext = {
    thresholds: resolveThresholds({ ...(options.minAge !== undefined ? { minAge: options.minAge } : {}), ...options.thresholds }),
    captureStart: options.captureStart ?? 0,
    captureEnd: options.captureEnd ?? 0,
    flows,
    services: new ServiceIndex(),
  };
  const perConnection: (Finding[] | undefined)[] = new Array(count);
  // A flow in one aggregate only shares that aggregate's frozen one-element list (a time-wait-pile-up
  // can cover a million flows); a flow in several gets its own list.
  const memberOf: (readonly Finding[] | undefined)[] = new Array(count);
  const aggregates: Finding[] = [];
  const sink: FindingSink = {
    add(index, finding) {
      // a one-element literal: `[]` then push reserves 17 slots, and this list becomes the flow's
      // findings, which hold one or two
      const own = perConnection[index];
      if (own === undefined) perConnection[index] = [finding];
      else own.push(finding);
    },
    addAggregate(finding, members) {
      aggregates.push(finding);
      let copy: Finding;
      if (finding instanceof DiagnosisFinding) copy = finding.memberCopy();
      else {
        copy = { ...finding };
        delete copy.flows;
      }
      const shared: readonly Finding[] = Object.freeze([copy]);
      for (let k = 0; k < members.length; k++) {
        const i = members[k]!;
        const had = memberOf[i];
        memberOf[i] = had === undefined ? shared : Object.isFrozen(had) ? [...had, copy] : ((had as Finding[]).push(copy), had);
      }
    },
  };

  const f = new ConnectionFacts();
  const visitors = rules.filter((r) => r.visit !== undefined);
  for (let i = 0; i < count; i++) {
    fill(f, i);
    f.index = i;
    ctx.services.record(f);
    for (const r of visitors) r.visit!(f, ctx, sink);
  }
  for (const r of rules) r.finish?.(ctx, sink);

  // The more specific pattern wins on the same connection (data: each definition's `supersedes`).
  const superseded = new Map<string, readonly string[]>();
  for (const d of definitions) if (d.supersedes && d.supersedes.length > 0) superseded.set(d.code, d.supersedes);
  const order = new Map<string, number>(definitions.map((d, k) => [d.code, k]));

  const all: Finding[] = [];
  for (let i = 0; i < count; i++) {
    let own = perConnection[i];
    if (own !== undefined && own.length > 1) {
      if (superseded.size > 0) own = applySupersedes(own, superseded);
      // findings of finish() (decided after all visits) go back into rule-list order
      own.sort((a, b) => (order.get(a.code) ?? 0) - (order.get(b.code) ?? 0));
    }
    const members = memberOf[i];
    const flow = flows[i];
    if (flow !== undefined) {
      if (own !== undefined || members !== undefined) flow.findings = own ? (members ? own.concat(members) : own) : (members as Finding[]);
      else if (flow.findings.length > 0) flow.findings = [];
    }
    if (own) for (const x of own) all.push(x);
  }
  for (const x of aggregates) all.push(x);
  return all;
}

function applySupersedes(list: Finding[], superseded: Map<string, readonly string[]>): Finding[] {
  let drop: Set<string> | null = null;
  for (const x of list) {
    const s = superseded.get(x.code);
    if (s) for (const code of s) (drop ??= new Set()).add(code);
  }
  return drop === null ? list : list.filter((x) => !drop.has(x.code));
}

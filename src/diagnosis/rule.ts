// Diagnosis plumbing: the shape of a rule, what it is given, and where its findings go.

import type { FlowRecord } from '../analysis/flow-record.js';
import type { ConnectionFacts } from './facts.js';
import type { Finding, FindingCode } from './finding.js';
import type { ServiceIndex } from './service-index.js';
import type { Thresholds } from './thresholds.js';

export interface RuleContext {
  readonly thresholds: Thresholds;
  /** Epoch seconds of the first and last segment of the whole capture. */
  readonly captureStart: number;
  readonly captureEnd: number;
  readonly flows: readonly FlowRecord[];
  /** Per responder endpoint counts; complete only in `finish` (it fills during the visits). */
  readonly services: ServiceIndex;
}

export interface FindingSink {
  /** A finding about one connection: listed in the result and attached to `flows[index]`. */
  add(index: number, finding: Finding): void;
  /**
   * A finding about many connections (`finding.flows` lists their ids): listed in the result once;
   * each member flow gets one shared copy without the id list (so output stays linear in size).
   */
  addAggregate(finding: Finding, memberIndices: ArrayLike<number>): void;
}

/** One pattern. `visit` sees every connection once (copy what you keep: the facts object is
 *  reused); `finish` runs after the last one (aggregates, and decisions that need the whole capture). */
export interface Rule {
  visit?(f: ConnectionFacts, ctx: RuleContext, sink: FindingSink): void;
  finish?(ctx: RuleContext, sink: FindingSink): void;
}

/** An entry of the rule list: the list is data (order = order of findings for one connection). */
export interface RuleDefinition {
  readonly code: FindingCode;
  /** One line for `--help` and documentation. */
  readonly description: string;
  /** Fresh state for one diagnose() run. */
  create(): Rule;
  /** Codes this one makes redundant on the same connection and endpoint (the more specific wins). */
  readonly supersedes?: readonly FindingCode[];
}

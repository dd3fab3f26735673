// Diagnosis stage: public API (connections + flow records → findings attached to flows).

export { diagnose, diagnoseWith, type DiagnoseOptions, type TrackerBounds } from './diagnose.js';
export { fillFacts, type SegmentTimes } from './connection-facts.js';
export { ConnectionFacts, SideFacts } from './facts.js';
export {
  formatEndpoint, maxSeverity, SEVERITY_RANK, type Finding, type FindingCode, type FindingDetail, type Severity,
} from './finding.js';
export { KNOWN_TIMEOUTS, matchKnownTimeouts, type KnownTimeout } from './known-timeouts.js';
export type { FindingSink, Rule, RuleContext, RuleDefinition } from './rule.js';
export { DEFAULT_RULES } from './rules/index.js';
export { findClusters } from './rules/peer-timeout.js';
export { DEFAULT_THRESHOLDS, resolveThresholds, type Thresholds } from './thresholds.js';

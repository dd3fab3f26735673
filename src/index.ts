// The library: `import { analyze } from 'finscope'` gives the same result the CLI renders.

export { analyze, buildResult, resolveOptions, type AnalyzeOptions } from './analysis/analyze.js';
export type { AnalysisResult, AnalysisOptions, AnalysisTimings, InputSummary } from './analysis/analysis-result.js';
export type { FlowRecord, TcpState, ZeekConnState } from './analysis/flow-record.js';
export type { Finding, Severity } from './diagnosis/finding.js';
export { compileFilter, FilterError, type FlowPredicate } from './filter/filter-expression.js';
export { readSegments, type ReadOptions, type ReadSummary } from './capture/index.js';
export { ConnectionTracker, type TrackerOptions } from './tcp/connection-tracker.js';
export type { Connection, Endpoint, StateChange } from './tcp/connection.js';
export { AddressTable } from './segment/address-table.js';
export { IssueLog, formatIssue, type InputIssue, type IssueCode } from './segment/input-issues.js';
export { TcpSegment, flagString, FIN, SYN, RST, PSH, ACK, URG, ECE, CWR } from './segment/tcp-segment.js';
export { CaptureFormatError, UsageError } from './errors.js';

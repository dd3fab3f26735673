// A diagnosis: what is wrong with which endpoint since when, and the segments that prove it.

export type Severity = 'info' | 'warning' | 'error';

/** Every finding code the rules emit (stable kebab-case names; part of the outside contract). */
export type FindingCode =
  | 'fin-not-returned'
  | 'unanswered-request'
  | 'peer-timeout'
  | 'idle-pool-close-wait'
  | 'reset-after-half-close'
  | 'duplicate-connection'
  | 'time-wait-pile-up'
  | 'syn-unanswered'
  | 'accept-backlog-overflow'
  | 'connection-refused'
  | 'aborted'
  | 'zero-window';

/** Machine-readable particulars of a finding; the keys present depend on the code (see each rule). */
export type FindingDetail = Record<string, number | string | boolean | null | readonly string[] | readonly number[]>;

export interface Finding {
  /** Stable kebab-case name, e.g. `fin-not-returned`. */
  code: string;
  severity: Severity;
  /** `ip:port` of the endpoint at fault (IPv6 as `[addr]:port`). Aggregate findings about a
   *  service name the service endpoint (the responder's `ip:port`). */
  endpoint: string;
  /** Epoch seconds when the condition began. */
  since: number;
  /** Seconds from `since` to capture end (or to when it ended). */
  age: number;
  message: string;
  /** Indices of the segments that prove it (capture-wide segment numbers, 0-based). */
  evidence?: number[];
  /** The connection id it is about (per-connection findings). */
  flow?: number;
  /** Aggregate findings (peer-timeout, time-wait-pile-up, ...): the connection ids involved. */
  flows?: number[];
  /** Particulars for scripts: e.g. peer-timeout `{seconds, spread, count, matches}`. */
  detail?: FindingDetail;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** `ip:port`, IPv6 as `[addr]:port` (a host name from tcpdump text without -n stays as it is). */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// A diagnosis: what is wrong with which endpoint since when, and the segments that prove it.

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  /** Stable kebab-case name, e.g. `fin-not-returned`. */
  code: string;
  severity: Severity;
  /** `ip:port` of the endpoint at fault (IPv6 as `[addr]:port`). */
  endpoint: string;
  /** Epoch seconds when the condition began. */
  since: number;
  /** Seconds from `since` to capture end (or to when it ended). */
  age: number;
  message: string;
  /** Indices of the segments that prove it (capture-wide segment numbers, 0-based). */
  evidence?: number[];
}

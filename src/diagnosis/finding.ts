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

/**
 * The Finding the rules emit. Its message is written on first read: a big capture has hundreds of
 * thousands of findings that are only counted and grouped, and writing every sentence up front
 * would cost more than the diagnosis itself. Serialises (JSON.stringify) to the contract's plain shape.
 */
export class DiagnosisFinding implements Finding {
  evidence?: number[];
  flow?: number;
  flows?: number[];
  detail?: FindingDetail;
  #text: string | undefined;
  #write: (() => string) | undefined;

  constructor(
    public code: FindingCode,
    public severity: Severity,
    public endpoint: string,
    public since: number,
    public age: number,
    message: string | (() => string),
    evidence?: number[],
    flow?: number,
    detail?: FindingDetail,
    flows?: number[],
  ) {
    if (typeof message === 'string') this.#text = message;
    else this.#write = message;
    if (evidence !== undefined) this.evidence = evidence;
    if (flow !== undefined) this.flow = flow;
    if (flows !== undefined) this.flows = flows;
    if (detail !== undefined) this.detail = detail;
  }

  get message(): string {
    if (this.#text === undefined) {
      this.#text = this.#write ? this.#write() : '';
      this.#write = undefined;
    }
    return this.#text;
  }

  set message(text: string) {
    this.#text = text;
    this.#write = undefined;
  }

  /** The same finding for each member of an aggregate: no id list, the message shared. */
  memberCopy(): DiagnosisFinding {
    return new DiagnosisFinding(this.code, this.severity, this.endpoint, this.since, this.age, () => this.message,
      this.evidence, this.flow, this.detail);
  }

  toJSON(): Finding {
    const out: Finding = { code: this.code, severity: this.severity, endpoint: this.endpoint, since: this.since, age: this.age, message: this.message };
    if (this.evidence !== undefined) out.evidence = this.evidence;
    if (this.flow !== undefined) out.flow = this.flow;
    if (this.flows !== undefined) out.flows = this.flows;
    if (this.detail !== undefined) out.detail = this.detail;
    return out;
  }
}

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

/** What a finding says in words and evidence; written only when someone reads it. */
export interface Explanation {
  message: string;
  evidence?: number[];
  detail?: FindingDetail;
}

/**
 * The Finding the rules emit. Its message, evidence and detail are written on first read: a big
 * capture has hundreds of thousands of findings that are only counted and grouped, and writing every
 * sentence up front cost more than the diagnosis itself (allocation, then garbage collection).
 * Serialises (JSON.stringify) to the contract's plain shape.
 */
export class DiagnosisFinding implements Finding {
  flow?: number;
  flows?: number[];
  #said: Explanation | undefined;
  #explain: (() => Explanation) | undefined;

  constructor(
    public code: FindingCode,
    public severity: Severity,
    public endpoint: string,
    public since: number,
    public age: number,
    flow: number | undefined,
    explain: Explanation | (() => Explanation),
    flows?: number[],
  ) {
    if (flow !== undefined) this.flow = flow;
    if (flows !== undefined) this.flows = flows;
    if (typeof explain === 'function') this.#explain = explain;
    else this.#said = explain;
  }

  #explanation(): Explanation {
    if (this.#said === undefined) {
      this.#said = this.#explain ? this.#explain() : { message: '' };
      this.#explain = undefined;
    }
    return this.#said;
  }

  get message(): string {
    return this.#explanation().message;
  }

  set message(text: string) {
    this.#explanation().message = text;
  }

  get evidence(): number[] | undefined {
    return this.#explanation().evidence;
  }

  set evidence(value: number[] | undefined) {
    this.#explanation().evidence = value;
  }

  get detail(): FindingDetail | undefined {
    return this.#explanation().detail;
  }

  set detail(value: FindingDetail | undefined) {
    this.#explanation().detail = value;
  }

  /** The same finding for each member of an aggregate: no id list; words shared with this one. */
  memberCopy(): DiagnosisFinding {
    return new DiagnosisFinding(this.code, this.severity, this.endpoint, this.since, this.age, this.flow, () => this.#explanation());
  }

  toJSON(): Finding {
    const x = this.#explanation();
    const out: Finding = { code: this.code, severity: this.severity, endpoint: this.endpoint, since: this.since, age: this.age, message: x.message };
    if (x.evidence !== undefined) out.evidence = x.evidence;
    if (this.flow !== undefined) out.flow = this.flow;
    if (this.flows !== undefined) out.flows = this.flows;
    if (x.detail !== undefined) out.detail = x.detail;
    return out;
  }
}

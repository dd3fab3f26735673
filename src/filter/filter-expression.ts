// `--filter` (and the TUI's `/`): a small expression language over connections, compiled once
// into a predicate on FlowRecord. Grammar (case-insensitive keywords):
//   expr    := or
//   or      := and ( "or" and )*
//   and     := unary ( ["and"] unary )*          (juxtaposition means and, as in tcpdump)
//   unary   := ("not" | "!") unary | "(" expr ")" | test
//   test    := "host" ADDR | "orig" "host" ADDR | "resp" "host" ADDR | "net" CIDR
//            | "port" N | "orig" "port" N | "resp" "port" N
//            | "state" NAME | "orig_state" NAME | "resp_state" NAME   (either endpoint for "state")
//            | "conn_state" NAME | "history" TEXT (substring) | "finding" CODE | "severity" LEVEL
//            | "id" N | FIELD OP NUMBER  with FIELD in duration, bytes, pkts, age, ts, id
//                                          and OP in < <= > >= = ==  (NUMBER may end in s/m/h for times)
// Errors carry the column so a UI can point at them.

import type { FlowRecord, TcpState } from '../analysis/flow-record.js';

export class FilterError extends Error {
  constructor(message: string, readonly column: number) {
    super(`${message} (at column ${column + 1})`);
    this.name = 'FilterError';
  }
}

export type FlowPredicate = (flow: FlowRecord) => boolean;

const STATES: readonly TcpState[] = [
  'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING',
  'LAST_ACK', 'TIME_WAIT', 'CLOSED', 'UNKNOWN',
];
const CONN_STATES = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];
const SEVERITY_RANK: Record<string, number> = { info: 0, warning: 1, error: 2 };

interface Token { text: string; column: number }

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|!|<=|>=|==|!=|<|>|=|[^\s()!<>=]+)/y;
  // A failed sticky match resets lastIndex to 0, so the position is kept apart from the regex.
  let pos = 0;
  for (;;) {
    re.lastIndex = pos;
    const m = re.exec(source);
    if (m === null || m[1] === undefined) break;
    tokens.push({ text: m[1], column: m.index + m[0].length - m[1].length });
    pos = re.lastIndex;
  }
  const rest = source.slice(pos);
  if (rest.trim() !== '') {
    const column = pos + (rest.length - rest.trimStart().length);
    throw new FilterError(`unexpected character ${JSON.stringify(source[column])}`, column);
  }
  return tokens;
}

/** Compile a filter; an empty or blank expression selects everything. */
export function compileFilter(source: string): FlowPredicate {
  const tokens = tokenize(source);
  if (tokens.length === 0) return () => true;
  let pos = 0;
  const peek = () => tokens[pos];
  const end = source.length;
  const take = (what: string): Token => {
    const t = tokens[pos];
    if (!t) throw new FilterError(`expected ${what} but the expression ended`, end);
    pos++;
    return t;
  };
  const isWord = (t: Token | undefined, w: string) => t !== undefined && t.text.toLowerCase() === w;

  function parseOr(): FlowPredicate {
    let left = parseAnd();
    while (isWord(peek(), 'or') || peek()?.text === '||') {
      pos++;
      const a = left, b = parseAnd();
      left = (f) => a(f) || b(f);
    }
    return left;
  }

  function parseAnd(): FlowPredicate {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!t || t.text === ')' || isWord(t, 'or') || t.text === '||') return left;
      if (isWord(t, 'and') || t.text === '&&') pos++;
      const a = left, b = parseUnary();
      left = (f) => a(f) && b(f);
    }
  }

  function parseUnary(): FlowPredicate {
    const t = take('a test such as "port 9000" or "state CLOSE_WAIT"');
    if (isWord(t, 'not') || t.text === '!') {
      const inner = parseUnary();
      return (f) => !inner(f);
    }
    if (t.text === '(') {
      const inner = parseOr();
      const close = take('")"');
      if (close.text !== ')') throw new FilterError(`expected ")" but found ${JSON.stringify(close.text)}`, close.column);
      return inner;
    }
    if (t.text === ')') throw new FilterError('unexpected ")"', t.column);
    return parseTest(t);
  }

  function value(what: string): Token {
    const t = take(what);
    if (t.text === '(' || t.text === ')') throw new FilterError(`expected ${what} but found ${JSON.stringify(t.text)}`, t.column);
    return t;
  }

  function portValue(): number {
    const t = value('a port number');
    const n = Number(t.text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FilterError(`port must be 0..65535, got ${JSON.stringify(t.text)}`, t.column);
    return n;
  }

  function stateValue(): TcpState {
    const t = value('a TCP state name');
    const name = t.text.toUpperCase().replace(/-/g, '_') as TcpState;
    const alias: Record<string, TcpState> = { ESTAB: 'ESTABLISHED', SYN_RECV: 'SYN_RECEIVED' };
    const state = alias[name] ?? name;
    if (!STATES.includes(state)) throw new FilterError(`unknown state ${JSON.stringify(t.text)}; one of ${STATES.join(' ')}`, t.column);
    return state;
  }

  function parseTest(t: Token): FlowPredicate {
    const word = t.text.toLowerCase();
    switch (word) {
      case 'host': {
        const h = value('a host address').text.toLowerCase();
        return (f) => f.orig_h.toLowerCase() === h || f.resp_h.toLowerCase() === h;
      }
      case 'net': {
        const v = value('a network such as 10.0.0.0/8');
        const test = cidrTest(v.text, v.column);
        return (f) => test(f.orig_h) || test(f.resp_h);
      }
      case 'port': {
        const p = portValue();
        return (f) => f.orig_p === p || f.resp_p === p;
      }
      case 'orig':
      case 'resp':
      case 'src':
      case 'dst': {
        const side = word === 'orig' || word === 'src' ? 'orig' : 'resp';
        const what = value('"host" or "port"');
        const w = what.text.toLowerCase();
        if (w === 'host') {
          const h = value('a host address').text.toLowerCase();
          return side === 'orig' ? (f) => f.orig_h.toLowerCase() === h : (f) => f.resp_h.toLowerCase() === h;
        }
        if (w === 'port') {
          const p = portValue();
          return side === 'orig' ? (f) => f.orig_p === p : (f) => f.resp_p === p;
        }
        throw new FilterError(`expected "host" or "port" after "${t.text}", found ${JSON.stringify(what.text)}`, what.column);
      }
      case 'state': {
        const s = stateValue();
        return (f) => f.orig_state === s || f.resp_state === s;
      }
      case 'orig_state': {
        const s = stateValue();
        return (f) => f.orig_state === s;
      }
      case 'resp_state': {
        const s = stateValue();
        return (f) => f.resp_state === s;
      }
      case 'conn_state': {
        const v = value('a Zeek conn_state');
        const s = v.text.toUpperCase();
        if (!CONN_STATES.includes(s)) throw new FilterError(`unknown conn_state ${JSON.stringify(v.text)}; one of ${CONN_STATES.join(' ')}`, v.column);
        return (f) => f.conn_state === s;
      }
      case 'history': {
        const h = value('history letters').text;
        return (f) => f.history.includes(h);
      }
      case 'finding': {
        const code = value('a finding code such as fin-not-returned').text.toLowerCase();
        return (f) => f.findings.some((x) => x.code === code);
      }
      case 'severity': {
        const v = value('info, warning or error');
        const rank = SEVERITY_RANK[v.text.toLowerCase()];
        if (rank === undefined) throw new FilterError(`severity must be info, warning or error, got ${JSON.stringify(v.text)}`, v.column);
        return (f) => f.findings.some((x) => (SEVERITY_RANK[x.severity] ?? 0) >= rank);
      }
      case 'id':
      case 'duration':
      case 'bytes':
      case 'pkts':
      case 'packets':
      case 'age':
      case 'ts':
        return parseComparison(t, word);
      default:
        throw new FilterError(
          `unknown test ${JSON.stringify(t.text)}; try host, net, port, orig/resp host|port, state, orig_state, resp_state, conn_state, history, finding, severity, id, duration, bytes, pkts, age`,
          t.column,
        );
    }
  }

  function parseComparison(t: Token, field: string): FlowPredicate {
    let op = '=';
    const next = peek();
    if (next && ['<', '<=', '>', '>=', '=', '==', '!='].includes(next.text)) {
      op = next.text;
      pos++;
    }
    const v = value('a number');
    const n = parseNumber(v.text);
    if (n === undefined) throw new FilterError(`expected a number, got ${JSON.stringify(v.text)}`, v.column);
    const get = fieldGetter(field);
    switch (op) {
      case '<': return (f) => get(f) < n;
      case '<=': return (f) => get(f) <= n;
      case '>': return (f) => get(f) > n;
      case '>=': return (f) => get(f) >= n;
      case '!=': return (f) => get(f) !== n;
      default: return (f) => get(f) === n;
    }
  }

  const predicate = parseOr();
  const rest = peek();
  if (rest) throw new FilterError(`unexpected ${JSON.stringify(rest.text)}`, rest.column);
  return predicate;
}

function parseNumber(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|k|M|G)?$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'ms': return n / 1000;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'k': return n * 1e3;
    case 'M': return n * 1e6;
    case 'G': return n * 1e9;
    default: return n;
  }
}

function fieldGetter(field: string): (f: FlowRecord) => number {
  switch (field) {
    case 'id': return (f) => f.id;
    case 'duration': return (f) => f.duration;
    case 'bytes': return (f) => f.orig_bytes + f.resp_bytes;
    case 'pkts':
    case 'packets': return (f) => f.orig_pkts + f.resp_pkts;
    case 'age': return (f) => f.findings.reduce((m, x) => Math.max(m, x.age), 0);
    default: return (f) => f.ts;
  }
}

function cidrTest(text: string, column: number): (host: string) => boolean {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(text);
  if (!m) throw new FilterError(`expected an IPv4 network such as 10.0.0.0/8, got ${JSON.stringify(text)}`, column);
  const bits = m[2] === undefined ? 32 : Number(m[2]);
  const base = v4Number(m[1]!);
  if (base === undefined || bits > 32) throw new FilterError(`bad network ${JSON.stringify(text)}`, column);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const want = (base & mask) >>> 0;
  return (host) => {
    const h = v4Number(host);
    return h !== undefined && ((h & mask) >>> 0) === want;
  };
}

function v4Number(s: string): number | undefined {
  const p = s.split('.');
  if (p.length !== 4) return undefined;
  let v = 0;
  for (const x of p) {
    const n = Number(x);
    if (!/^\d{1,3}$/.test(x) || n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

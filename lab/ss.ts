// The kernel oracle: `ss -tanoi` (optionally inside a network namespace) → parsed socket rows.

import { splitHostPort } from './addr.js';
import { run, LabError } from './util.js';

/** Kernel state names as the contract spells them (LISTEN kept for listeners, which are no connection). */
export type KernelState =
  | 'LISTEN' | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2' | 'CLOSE_WAIT'
  | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSED';

/** ss's spellings (iproute2 `sstate_name`) → contract names. */
export const SS_STATE: Readonly<Record<string, KernelState>> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECEIVED',
  'FIN-WAIT-1': 'FIN_WAIT_1',
  'FIN-WAIT-2': 'FIN_WAIT_2',
  'TIME-WAIT': 'TIME_WAIT',
  UNCONN: 'CLOSED',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

export interface SsSocket {
  /** Namespace role ('root', or the scenario's 'client' / 'server' namespace). */
  ns: string;
  ss_state: string;
  state: KernelState;
  recv_q: number;
  send_q: number;
  local_addr: string;
  local_port: number | null;
  peer_addr: string;
  peer_port: number | null;
  /** `timer:(...)` as ss printed it, e.g. `timewait,59sec,0`; null when none. */
  timer: string | null;
  /** The `-i` tcp_info line, verbatim (trimmed); null for sockets without one. */
  info: string | null;
}

export interface SsSnapshot {
  ns: string;
  command: string[];
  /** Epoch seconds just before ss was started and just after it returned. */
  started: number;
  finished: number;
  text: string;
  sockets: SsSocket[];
}

/** `( sport = :P or dport = :P ... )` for the scenario's ports. */
export function portFilter(ports: readonly number[]): string {
  return `( ${ports.map((p) => `sport = :${p} or dport = :${p}`).join(' or ')} )`;
}

/** Runs `ss -tanoi FILTER` in the given namespace (null = the lab's own). */
export async function snapshot(ports: readonly number[], ns: { role: string; name: string | null }): Promise<SsSnapshot> {
  const ssArgs = ['-tanoi', portFilter(ports)];
  const [cmd, args] = ns.name === null ? ['ss', ssArgs] : ['ip', ['netns', 'exec', ns.name, 'ss', ...ssArgs]];
  const started = Date.now() / 1000;
  const r = await run(cmd, args);
  const finished = Date.now() / 1000;
  if (r.code !== 0) throw new LabError(`ss failed (${r.code}): ${r.stderr.trim()}`);
  return { ns: ns.role, command: [cmd, ...args], started, finished, text: r.stdout, sockets: parseSs(r.stdout, ns.role) };
}

/**
 * Parses `ss -tanoi` output: a header, then per socket one line starting with the state and,
 * with -i, an indented tcp_info line (blank for time-wait and orphan sockets).
 */
export function parseSs(text: string, ns: string): SsSocket[] {
  const out: SsSocket[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('State')) continue;
    if (/^\s/.test(line)) {
      const last = out[out.length - 1];
      const info = line.trim();
      if (last && info !== '') last.info = info;
      continue;
    }
    const cols = line.trim().split(/\s+/);
    const [ssState, rq, sq, local, peer] = cols;
    if (ssState === undefined || rq === undefined || sq === undefined || local === undefined || peer === undefined) {
      throw new LabError(`unparsable ss line: ${line}`);
    }
    const state = SS_STATE[ssState];
    if (state === undefined) throw new LabError(`unknown ss state ${ssState} in: ${line}`);
    const l = splitHostPort(local);
    const p = splitHostPort(peer);
    const timer = /timer:\(([^)]*)\)/.exec(line);
    out.push({
      ns,
      ss_state: ssState,
      state,
      recv_q: Number(rq),
      send_q: Number(sq),
      local_addr: l.addr,
      local_port: l.port,
      peer_addr: p.addr,
      peer_port: p.port,
      timer: timer?.[1] ?? null,
      info: null,
    });
  }
  return out;
}

/** Key of a socket by its own view: local first. */
export function socketKey(localAddr: string, localPort: number | null, peerAddr: string, peerPort: number | null): string {
  return `${localAddr}|${localPort ?? '*'}|${peerAddr}|${peerPort ?? '*'}`;
}

// Truth stage: tcpdump's own text (`-n -tt -S`) + ss snapshots → truth.json (kernel state of every endpoint).

import { canonicalAddr, endpointKey } from './addr.js';
import { socketKey, type KernelState, type SsSnapshot, type SsSocket } from './ss.js';

export const TRUTH_FORMAT = 'finscope-lab-truth/1';

/** One TCP segment as tcpdump printed it. */
export interface WirePacket {
  ts: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** tcpdump's flag letters inside the brackets, e.g. `S.`, `F.`, `R` */
  flags: string;
  len: number;
}

const LINE = /^(\d+\.\d+) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](.*)$/;

/** Parses `tcpdump -n -tt -S -r` output; lines that are not TCP segments are counted, not fatal. */
export function parseTcpdumpTt(text: string): { packets: WirePacket[]; other: string[] } {
  const packets: WirePacket[] = [];
  const other: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) {
      other.push(line);
      continue;
    }
    const len = /, length (\d+)/.exec(m[7] ?? '');
    packets.push({
      ts: Number(m[1]),
      src: canonicalAddr(m[2] ?? ''),
      sport: Number(m[3]),
      dst: canonicalAddr(m[4] ?? ''),
      dport: Number(m[5]),
      flags: m[6] ?? '',
      len: len ? Number(len[1]) : 0,
    });
  }
  return { packets, other };
}

export interface TruthEndpoint {
  addr: string;
  port: number;
  /** `ip:port` (IPv6 bracketed), the spelling findings use. */
  endpoint: string;
  /** Namespace role of the socket: 'root', or 'client' / 'server' in the veth scenario. */
  ns: string | null;
  /** Kernel state at capture end; CLOSED when ss listed no socket for this end of the connection. */
  state: KernelState;
  /** ss's own spelling, null when ss listed no socket. */
  ss_state: string | null;
  in_ss: boolean;
  recv_q: number | null;
  send_q: number | null;
  /**
   * Application bytes received and not yet read. Linux reports Recv-Q as rcv_nxt − copied_seq, and
   * rcv_nxt counts the peer's FIN, so a CLOSE_WAIT socket whose application has not read EOF shows
   * one more than the unread data. This is Recv-Q minus that FIN when the FIN is still unread.
   */
  unread_bytes: number | null;
  timer: string | null;
  /** Packets and TCP payload bytes this endpoint sent, per the capture. */
  pkts: number;
  bytes: number;
}

export interface TruthConnection {
  /** 1-based, in order of each connection's first packet in the capture. */
  id: number;
  /** The endpoint that sent the SYN; without a SYN in the capture, the sender of the first packet. */
  orig: TruthEndpoint;
  resp: TruthEndpoint;
  syn_seen: boolean;
  packets: number;
  first_ts: number;
  last_ts: number;
  first_fin: 'orig' | 'resp' | null;
  first_rst: 'orig' | 'resp' | null;
  /** Capture timestamps (epoch seconds) of the first FIN, the first RST and the last segment carrying payload. */
  first_fin_ts: number | null;
  first_rst_ts: number | null;
  last_payload_ts: number | null;
  /** The segments in order: `>` from orig, `<` from resp, tcpdump's flags, then the payload length if any. */
  flag_trace: string;
}

export interface TruthSocket extends SsSocket {
  /** Listed by ss before the scenario started (left over from an earlier run); not part of the scenario. */
  preexisting: boolean;
  /** id of the captured connection this socket is an end of; null for listeners and uncaptured sockets. */
  connection: number | null;
}

export interface Truth {
  format: typeof TRUTH_FORMAT;
  scenario: string;
  issue_scenario: number;
  title: string;
  story: string;
  /** The lab command that reproduces this capture (run from the repository root). */
  command: string;
  /** The scenario's ports (server ports and, for refused connections, the closed port). */
  ports: number[];
  kernel: { release: string; sysctl: Record<string, string> };
  capture: {
    file: 'capture.pcap';
    interface: string;
    netns: string | null;
    filter: string;
    command: string[];
    captured: number;
    received_by_filter: number;
    dropped_by_kernel: number;
    first_ts: number | null;
    last_ts: number | null;
  };
  ss: Array<{ ns: string; command: string[]; started: number; finished: number }>;
  renderings: Record<string, string>;
  sockets: TruthSocket[];
  connections: TruthConnection[];
  /** What the scenario itself says about particular connections (by id), e.g. "reused after idle close". */
  notes: Record<string, string>;
}

function tupleKey(a: string, ap: number, b: string, bp: number): string {
  const x = `${a}|${ap}`;
  const y = `${b}|${bp}`;
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** Joins the capture's connections with the ss sockets at capture end. */
export function buildConnections(
  packets: readonly WirePacket[],
  sockets: readonly SsSocket[],
): { connections: TruthConnection[]; socketConn: Map<SsSocket, number> } {
  interface Acc {
    first: WirePacket;
    synFrom: { addr: string; port: number } | null;
    pkts: WirePacket[];
  }
  const byTuple = new Map<string, Acc>();
  const order: Acc[] = [];
  for (const p of packets) {
    const k = tupleKey(p.src, p.sport, p.dst, p.dport);
    let acc = byTuple.get(k);
    if (!acc) {
      acc = { first: p, synFrom: null, pkts: [] };
      byTuple.set(k, acc);
      order.push(acc);
    }
    acc.pkts.push(p);
    if (acc.synFrom === null && p.flags.includes('S') && !p.flags.includes('.')) {
      acc.synFrom = { addr: p.src, port: p.sport };
    }
  }
  const bySocket = new Map<string, SsSocket>();
  for (const s of sockets) bySocket.set(socketKey(s.local_addr, s.local_port, s.peer_addr, s.peer_port), s);

  const socketConn = new Map<SsSocket, number>();
  const connections = order.map((acc, i): TruthConnection => {
    const id = i + 1;
    const o = acc.synFrom ?? { addr: acc.first.src, port: acc.first.sport };
    const r =
      o.addr === acc.first.src && o.port === acc.first.sport
        ? { addr: acc.first.dst, port: acc.first.dport }
        : { addr: acc.first.src, port: acc.first.sport };
    const isOrig = (p: WirePacket): boolean => p.src === o.addr && p.sport === o.port;
    const endpoint = (me: { addr: string; port: number }, peer: { addr: string; port: number }, mine: boolean): TruthEndpoint => {
      const s = bySocket.get(socketKey(me.addr, me.port, peer.addr, peer.port));
      if (s) socketConn.set(s, id);
      const sent = acc.pkts.filter((p) => isOrig(p) === mine);
      const finUnread = s !== undefined && s.state === 'CLOSE_WAIT' && s.recv_q > 0;
      return {
        addr: me.addr,
        port: me.port,
        endpoint: endpointKey(me.addr, me.port),
        ns: s?.ns ?? null,
        state: s?.state ?? 'CLOSED',
        ss_state: s?.ss_state ?? null,
        in_ss: s !== undefined,
        recv_q: s?.recv_q ?? null,
        send_q: s?.send_q ?? null,
        unread_bytes: s === undefined ? null : finUnread ? s.recv_q - 1 : s.recv_q,
        timer: s?.timer ?? null,
        pkts: sent.length,
        bytes: sent.reduce((n, p) => n + p.len, 0),
      };
    };
    const fin = acc.pkts.find((p) => p.flags.includes('F'));
    const rst = acc.pkts.find((p) => p.flags.includes('R'));
    return {
      id,
      orig: endpoint(o, r, true),
      resp: endpoint(r, o, false),
      syn_seen: acc.synFrom !== null,
      packets: acc.pkts.length,
      first_ts: acc.pkts[0]?.ts ?? 0,
      last_ts: acc.pkts[acc.pkts.length - 1]?.ts ?? 0,
      first_fin: fin ? (isOrig(fin) ? 'orig' : 'resp') : null,
      first_rst: rst ? (isOrig(rst) ? 'orig' : 'resp') : null,
      first_fin_ts: fin?.ts ?? null,
      first_rst_ts: rst?.ts ?? null,
      last_payload_ts: acc.pkts.filter((p) => p.len > 0).pop()?.ts ?? null,
      flag_trace: acc.pkts.map((p) => (isOrig(p) ? '>' : '<') + p.flags + (p.len ? `${p.len}` : '')).join(' '),
    };
  });
  return { connections, socketConn };
}

/** Marks sockets that ss already listed before the scenario ran (leftovers of an earlier run). */
export function truthSockets(
  after: readonly SsSnapshot[],
  before: readonly SsSnapshot[],
  socketConn: Map<SsSocket, number>,
): TruthSocket[] {
  const earlier = new Set<string>();
  for (const snap of before) {
    for (const s of snap.sockets) {
      if (s.state !== 'LISTEN') earlier.add(`${s.ns}|${socketKey(s.local_addr, s.local_port, s.peer_addr, s.peer_port)}`);
    }
  }
  return after.flatMap((snap) =>
    snap.sockets.map((s) => {
      const conn = socketConn.get(s) ?? null;
      const seenBefore = earlier.has(`${s.ns}|${socketKey(s.local_addr, s.local_port, s.peer_addr, s.peer_port)}`);
      return { ...s, preexisting: seenBefore && conn === null, connection: conn };
    }),
  );
}

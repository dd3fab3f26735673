// Test helper: hand-made TCP conversations fed through the real tracker (src/tcp), then diagnosed.
// Each Conversation keeps both sides' sequence numbers so tests read like a ladder diagram.

import { AddressTable, parseV4 } from '../../src/segment/address-table.js';
import { ACK, FIN, PSH, RST, SYN, TcpSegment } from '../../src/segment/tcp-segment.js';
import { ConnectionTracker } from '../../src/tcp/connection-tracker.js';
import { toFlowRecord } from '../../src/tcp/flow-record.js';
import type { FlowRecord } from '../../src/analysis/flow-record.js';
import { diagnose, type DiagnoseOptions } from '../../src/diagnosis/index.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type { Thresholds } from '../../src/diagnosis/thresholds.js';

export const T0 = 1_700_000_000;

type Who = 'client' | 'server';

interface Side {
  addr: number;
  port: number;
  isn: number;
  /** Next sequence number to send. */
  nxt: number;
  /** Window scale shift this side uses (7, as Linux on loopback). */
  wscale: number;
  /** Receive window in bytes this side advertises (scaled on the wire). */
  window: number;
}

export class Wire {
  readonly addresses = new AddressTable();
  readonly tracker = new ConnectionTracker({ timeWait: 60, finTimeout: 60 });
  private readonly seg = new TcpSegment();
  /** Segment indices as added (0-based, capture-wide). */
  count = 0;
  lastTime = T0;

  host(ip: string): number {
    if (ip.includes(':')) {
      const words = ipv6Words(ip);
      return this.addresses.internV6Words(words[0]!, words[1]!, words[2]!, words[3]!);
    }
    return this.addresses.internV4(parseV4(ip));
  }

  conversation(client: string, cport: number, server: string, sport: number): Conversation {
    return new Conversation(this, this.host(client), cport, this.host(server), sport, client.includes(':') ? 6 : 4);
  }

  /** Adds one segment; returns its capture-wide index. */
  add(src: Side, dst: Side, ipVersion: number, at: number, flags: number, seq: number, ack: number, len: number, winRaw: number,
    wscaleOption = -1): number {
    const s = this.seg;
    s.clearOptions();
    const t = T0 + at;
    s.tsSec = Math.floor(t);
    s.tsNsec = Math.round((t - Math.floor(t)) * 1e9);
    if (s.tsNsec >= 1e9) { s.tsSec++; s.tsNsec -= 1e9; }
    s.src = src.addr; s.dst = dst.addr; s.sport = src.port; s.dport = dst.port; s.ipVersion = ipVersion;
    s.seq = seq >>> 0; s.ack = ack >>> 0; s.flags = flags; s.window = winRaw; s.payloadLength = len;
    s.windowScale = wscaleOption;
    s.record = this.count + 1;
    this.tracker.add(s);
    this.lastTime = Math.max(this.lastTime, t);
    return this.count++;
  }

  /** Finish the capture and diagnose; `end` (seconds after T0) moves the capture end forward. */
  diagnose(opts: { end?: number; thresholds?: Partial<Thresholds> } = {}): { findings: Finding[]; flows: FlowRecord[]; captureEnd: number } {
    if (opts.end !== undefined) this.tick(opts.end);
    this.tracker.finish();
    const flows = this.tracker.connections.map((c) => toFlowRecord(c, this.addresses));
    const options: DiagnoseOptions = { tracker: this.tracker };
    if (opts.thresholds) options.thresholds = opts.thresholds;
    const findings = diagnose(this.tracker.connections, flows, options);
    const captureEnd = this.tracker.captureEndSec + this.tracker.captureEndNsec / 1e9;
    return { findings, flows, captureEnd };
  }

  /** A segment on an unrelated, never-diagnosed-as-wrong connection, to move the capture end. */
  tick(at: number): void {
    const a: Side = { addr: this.host('192.0.2.250'), port: 1, isn: 0, nxt: 0, wscale: 0, window: 1000 };
    const b: Side = { addr: this.host('192.0.2.251'), port: 2, isn: 0, nxt: 0, wscale: 0, window: 1000 };
    // a lone pure ACK of a mid-flow connection: both sides end ESTABLISHED/UNKNOWN, nothing to report
    this.add(a, b, 4, at, ACK, 1000, 2000, 0, 1000);
  }
}

export class Conversation {
  readonly client: Side;
  readonly server: Side;

  constructor(readonly wire: Wire, caddr: number, cport: number, saddr: number, sport: number, readonly ipVersion: number) {
    this.client = { addr: caddr, port: cport, isn: 1_000_000 + cport * 7, nxt: 0, wscale: 7, window: 65408 };
    this.server = { addr: saddr, port: sport, isn: 3_000_000 + sport * 11, nxt: 0, wscale: 7, window: 65408 };
    this.client.nxt = this.client.isn;
    this.server.nxt = this.server.isn;
  }

  private sides(who: Who): [Side, Side] {
    return who === 'client' ? [this.client, this.server] : [this.server, this.client];
  }

  private raw(s: Side): number {
    // Linux never shrinks the window's right edge: it rounds the scaled value up (ALIGN in tcp_select_window)
    return Math.min(65535, Math.ceil(s.window / (1 << s.wscale)));
  }

  /** SYN (retransmitted `synCopies - 1` times, 1 s apart), SYN+ACK, ACK. Returns the last time used. */
  handshake(at: number, opts: { synCopies?: number; synAckCopies?: number } = {}): number {
    const c = this.client, s = this.server;
    let t = at;
    for (let i = 0; i < (opts.synCopies ?? 1); i++, t += 1) this.wire.add(c, s, this.ipVersion, t, SYN, c.isn, 0, 0, c.window, c.wscale);
    t -= 1;
    for (let i = 0; i < (opts.synAckCopies ?? 1); i++) {
      t += i === 0 ? 0.0001 : 1;
      this.wire.add(s, c, this.ipVersion, t, SYN | ACK, s.isn, c.isn + 1, 0, s.window, s.wscale);
    }
    c.nxt = c.isn + 1;
    s.nxt = s.isn + 1;
    t += 0.0001;
    this.wire.add(c, s, this.ipVersion, t, ACK, c.nxt, s.nxt, 0, this.raw(c));
    return t;
  }

  /** Only SYNs, `copies` of them `gap` seconds apart (no answer). */
  synOnly(at: number, copies = 1, gap = 1): void {
    for (let i = 0; i < copies; i++) this.wire.add(this.client, this.server, this.ipVersion, at + i * gap, SYN, this.client.isn, 0, 0, 65535, 7);
  }

  /** `who` sends `len` payload bytes (PSH+ACK). Returns the segment index. */
  data(who: Who, at: number, len: number): number {
    const [a, b] = this.sides(who);
    const i = this.wire.add(a, b, this.ipVersion, at, PSH | ACK, a.nxt, b.nxt, len, this.raw(a));
    a.nxt += len;
    return i;
  }

  /** `who` sends a pure ACK of everything received; `window` (bytes) changes its advertised window. */
  ack(who: Who, at: number, window?: number): number {
    const [a, b] = this.sides(who);
    if (window !== undefined) a.window = window;
    return this.wire.add(a, b, this.ipVersion, at, ACK, a.nxt, b.nxt, 0, this.raw(a));
  }

  /** `who` sends FIN+ACK. */
  fin(who: Who, at: number): number {
    const [a, b] = this.sides(who);
    const i = this.wire.add(a, b, this.ipVersion, at, FIN | ACK, a.nxt, b.nxt, 0, this.raw(a));
    a.nxt += 1;
    return i;
  }

  /** `who` sends RST (with ACK unless `bare`). */
  rst(who: Who, at: number, bare = false): number {
    const [a, b] = this.sides(who);
    return this.wire.add(a, b, this.ipVersion, at, bare ? RST : RST | ACK, a.nxt, bare ? 0 : b.nxt, 0, 0);
  }

  /** The server answers the SYN with RST+ACK (nothing listens). */
  refuse(at: number): void {
    const c = this.client, s = this.server;
    this.wire.add(c, s, this.ipVersion, at, SYN, c.isn, 0, 0, 65535, 7);
    this.wire.add(s, c, this.ipVersion, at + 0.0001, RST | ACK, 0, c.isn + 1, 0, 0);
  }

  /** Request/response: client sends `req` bytes, server ACKs, server answers `resp` bytes, client ACKs. */
  exchange(at: number, req = 100, resp = 200): number {
    this.data('client', at, req);
    this.ack('server', at + 0.0001);
    this.data('server', at + 0.01, resp);
    this.ack('client', at + 0.0101);
    return at + 0.0101;
  }

  /** Orderly close started by `who`: FIN, ACK, FIN, ACK. */
  close(who: Who, at: number): void {
    const other: Who = who === 'client' ? 'server' : 'client';
    this.fin(who, at);
    this.ack(other, at + 0.0001);
    this.fin(other, at + 0.0002);
    this.ack(who, at + 0.0003);
  }

  get clientEndpoint(): string {
    return endpointOf(this.wire, this.client);
  }

  get serverEndpoint(): string {
    return endpointOf(this.wire, this.server);
  }
}

function endpointOf(w: Wire, s: Side): string {
  const h = w.addresses.toText(s.addr);
  return h.includes(':') ? `[${h}]:${s.port}` : `${h}:${s.port}`;
}

function ipv6Words(ip: string): number[] {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g || '0', 16));
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push(((groups[i]! << 16) | groups[i + 1]!) >>> 0);
  return words;
}

/** Findings with this code. */
export function withCode(findings: readonly Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

export function codes(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.code))].sort();
}

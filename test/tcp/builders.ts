// Test helper: segments as a template plus overrides, and scenarios that build on each other
// (established() → closeWait() → lastAck() ...), fed to a fresh ConnectionTracker.

import { parseFlagString, TcpSegment } from '../../src/segment/tcp-segment.js';
import { ConnectionTracker, type TrackerOptions } from '../../src/tcp/connection-tracker.js';
import type { Connection } from '../../src/tcp/connection.js';

export const CLIENT_ADDR = 1;
export const SERVER_ADDR = 2;
export const CLIENT_PORT = 40000;
export const SERVER_PORT = 9000;
/** Initial sequence numbers; the client's is near 2^32 so that the tests cross the wrap. */
export const CLIENT_ISN = 4294967000;
export const SERVER_ISN = 1000;
/** Capture start, epoch seconds. */
export const T0 = 1_700_000_000;

export interface SegmentSpec {
  /** 'c' client → server, 's' server → client. */
  from: 'c' | 's';
  /** tcpdump letters: S, S., ., P., F., R, R., FP. ... */
  flags: string;
  /** Absolute sequence number (mod 2^32 applied). */
  seq: number;
  ack?: number;
  len?: number;
  win?: number;
  wscale?: number;
  /** Seconds after T0 (fractions allowed); default: 1 ms after the previous segment. */
  at?: number;
  direction?: number;
  interfaceId?: number;
  tsVal?: number;
}

export class Scenario {
  readonly tracker: ConnectionTracker;
  /** Next sequence number each side will use, and the highest ack each side can send. */
  cNxt = CLIENT_ISN;
  sNxt = SERVER_ISN;
  now = 0;
  readonly ids: number[] = [];
  private readonly seg = new TcpSegment();

  constructor(options: Partial<TrackerOptions> = {}) {
    this.tracker = new ConnectionTracker({ timeWait: 60, finTimeout: 60, ...options });
  }

  /** Feed one segment; returns the connection id it was attributed to. */
  send(spec: SegmentSpec): number {
    const s = this.seg;
    s.clearOptions();
    const fromClient = spec.from === 'c';
    s.src = fromClient ? CLIENT_ADDR : SERVER_ADDR;
    s.dst = fromClient ? SERVER_ADDR : CLIENT_ADDR;
    s.sport = fromClient ? CLIENT_PORT : SERVER_PORT;
    s.dport = fromClient ? SERVER_PORT : CLIENT_PORT;
    const flags = parseFlagString(spec.flags);
    if (flags < 0) throw new Error(`bad flags ${spec.flags}`);
    s.flags = flags;
    s.seq = spec.seq >>> 0;
    s.ack = (spec.ack ?? 0) >>> 0;
    s.payloadLength = spec.len ?? 0;
    s.window = spec.win ?? 1000;
    s.windowScale = spec.wscale ?? -1;
    this.now = spec.at ?? this.now + 0.001;
    const ns = Math.round(this.now * 1e9);
    s.tsSec = T0 + Math.floor(ns / 1e9);
    s.tsNsec = ns % 1e9;
    if (spec.direction !== undefined) s.direction = spec.direction;
    if (spec.interfaceId !== undefined) s.interfaceId = spec.interfaceId;
    if (spec.tsVal !== undefined) { s.hasTimestamps = true; s.tsVal = spec.tsVal; }
    const id = this.tracker.add(s);
    this.ids.push(id);
    return id;
  }

  // --- shorthand: the next segment of each side, numbered automatically ---

  /** Client segment at its current sequence number, acking everything the server sent. */
  c(flags: string, opts: Partial<SegmentSpec> = {}): number {
    const len = opts.len ?? 0;
    const id = this.send({ from: 'c', flags, seq: this.cNxt, ack: flags.includes('.') ? this.sNxt : 0, ...opts });
    this.cNxt = (this.cNxt + len + (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0)) >>> 0;
    return id;
  }

  s(flags: string, opts: Partial<SegmentSpec> = {}): number {
    const len = opts.len ?? 0;
    const id = this.send({ from: 's', flags, seq: this.sNxt, ack: flags.includes('.') ? this.cNxt : 0, ...opts });
    this.sNxt = (this.sNxt + len + (flags.includes('S') ? 1 : 0) + (flags.includes('F') ? 1 : 0)) >>> 0;
    return id;
  }

  conn(id = this.ids[this.ids.length - 1] ?? 1): Connection {
    const c = this.tracker.get(id);
    if (c === undefined) throw new Error(`no connection ${id}`);
    return c;
  }

  /** Finish the capture and return [client state, server state] of connection `id` (default 1). */
  end(id = 1): [string, string] {
    this.tracker.finish();
    const c = this.conn(id);
    const client = c.orig.port === CLIENT_PORT ? c.orig : c.resp;
    const server = client === c.orig ? c.resp : c.orig;
    return [client.stateName, server.stateName];
  }

  /** Current [client, server] states of connection `id` without finishing. */
  states(id = 1): [string, string] {
    const c = this.conn(id);
    const client = c.orig.port === CLIENT_PORT ? c.orig : c.resp;
    const server = client === c.orig ? c.resp : c.orig;
    return [client.stateName, server.stateName];
  }

  /** "endpoint:from>to@segment" for every recorded change, for compact assertions. */
  changes(id = 1): string[] {
    return this.conn(id).changes.map((ch) => `${ch.endpoint}:${ch.from}>${ch.to}@${ch.segment}`);
  }
}

// --- fixtures that build on each other ---

export function synSent(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = new Scenario(o);
  sc.c('S', { wscale: 7 });
  return sc;
}

export function synReceived(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = synSent(o);
  sc.s('S.', { wscale: 7 });
  return sc;
}

export function established(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = synReceived(o);
  sc.c('.');
  return sc;
}

/** Established, then a request from the client and a response from the server, both ACKed. */
export function exchanged(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = established(o);
  sc.c('P.', { len: 100 });
  sc.s('.');
  sc.s('P.', { len: 300 });
  sc.c('.');
  return sc;
}

/** The client closed first, its FIN not yet acknowledged. */
export function finWait1(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = exchanged(o);
  sc.c('F.');
  return sc;
}

/** ... and the server's kernel ACKed the FIN: client FIN_WAIT_2, server CLOSE_WAIT. */
export function closeWait(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = finWait1(o);
  sc.s('.');
  return sc;
}

/** ... and the server application finally closed: server LAST_ACK, client TIME_WAIT. */
export function lastAck(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = closeWait(o);
  sc.s('F.');
  return sc;
}

/** ... and the client ACKed the server's FIN: server CLOSED, client TIME_WAIT. */
export function closedByFin(o: Partial<TrackerOptions> = {}): Scenario {
  const sc = lastAck(o);
  sc.c('.');
  return sc;
}

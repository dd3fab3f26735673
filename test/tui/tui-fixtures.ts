// Test builders for the TUI: flows, findings, connection details and snapshots, written as a
// template plus overrides (architecture B8).

import { EventEmitter } from 'node:events';
import type { FlowRecord } from '../../src/analysis/flow-record.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { ACK, FIN, PSH, SYN } from '../../src/segment/tcp-segment.js';
import { MutableSource, type ConnectionDetail, type LadderSegment, type LadderStateChange, type TuiSnapshot } from '../../src/render/tui/data/tui-source.js';

export const T0 = 1_700_000_000;

export function flow(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: 1, orig_h: '10.0.0.9', orig_p: 51234, resp_h: '10.0.0.5', resp_p: 9000, ts: T0, duration: 2,
    orig_pkts: 5, resp_pkts: 4, orig_bytes: 100, resp_bytes: 2000, conn_state: 'SF', history: 'ShADadFf',
    orig_state: 'TIME_WAIT', resp_state: 'CLOSED', first_fin: 'orig', findings: [], ...over,
  };
}

export function finNotReturned(over: Partial<Finding> = {}): Finding {
  return {
    code: 'fin-not-returned', severity: 'warning', endpoint: '10.0.0.5:9000', since: T0 + 1, age: 300,
    message: 'peer closed; 10.0.0.5:9000 never sent its FIN (CLOSE_WAIT)', evidence: [3, 4], flow: 2, ...over,
  };
}

/** Three connections: a clean one, a CLOSE_WAIT leak (id 2, with a finding), a reset one. */
export function smallFlows(): FlowRecord[] {
  return [
    flow({ id: 1 }),
    flow({
      id: 2, orig_p: 51300, conn_state: 'S1', history: 'ShADaF', orig_state: 'FIN_WAIT_2', resp_state: 'CLOSE_WAIT',
      duration: 301, findings: [finNotReturned()],
    }),
    flow({ id: 3, orig_h: '10.0.0.7', orig_p: 40000, resp_p: 80, conn_state: 'RSTO', history: 'ShAR', orig_state: 'CLOSED', resp_state: 'CLOSED', duration: 0.5 }),
  ];
}

/** The ladder of connection 2: handshake, request, the client's FIN acked, then 300 s of silence. */
export function closeWaitDetail(flows: FlowRecord[]): ConnectionDetail {
  const f = flows.find((x) => x.id === 2)!;
  const seg = (index: number, dt: number, fromOrig: boolean, flags: number, seq: number, ack: number, len = 0): LadderSegment =>
    ({ index, time: T0 + dt, fromOrig, flags, seq, ack, len, win: 64240 });
  const segments = [
    seg(0, 0, true, SYN, 1000, 0),
    seg(1, 0.001, false, SYN | ACK, 5000, 1001),
    seg(2, 0.002, true, ACK, 1001, 5001),
    seg(3, 1, true, FIN | ACK | PSH, 1001, 5001, 10),
    seg(4, 1.001, false, ACK, 5001, 1012),
  ];
  const change = (endpoint: 'orig' | 'resp', from: LadderStateChange['from'], to: LadderStateChange['to'], segment: number): LadderStateChange =>
    ({ endpoint, from, to, segment, time: segments[segment]!.time });
  const stateChanges = [
    change('orig', 'UNKNOWN', 'SYN_SENT', 0),
    change('resp', 'UNKNOWN', 'SYN_RECEIVED', 0),
    change('orig', 'SYN_SENT', 'ESTABLISHED', 1),
    change('resp', 'SYN_RECEIVED', 'ESTABLISHED', 2),
    change('orig', 'ESTABLISHED', 'FIN_WAIT_1', 3),
    change('resp', 'ESTABLISHED', 'CLOSE_WAIT', 3),
    change('orig', 'FIN_WAIT_1', 'FIN_WAIT_2', 4),
  ];
  return { flow: f, segments, stateChanges, omittedSegments: 0 };
}

export function snapshotOf(flows: FlowRecord[], over: Partial<TuiSnapshot> = {}): TuiSnapshot {
  const findings = flows.flatMap((f) => f.findings);
  return {
    version: 1, flows, findings, captureStart: T0, captureEnd: T0 + 301, segmentCount: 20, issueCount: 0,
    title: 'test.pcap', phase: 'complete',
    detail: (id) => (id === 2 ? closeWaitDetail(flows) : undefined),
    ...over,
  };
}

export function sourceOf(flows: FlowRecord[], over: Partial<TuiSnapshot> = {}): MutableSource {
  return new MutableSource(snapshotOf(flows, over));
}

/** `n` synthetic flows; every 50th is a CLOSE_WAIT leak with a finding. Built without closures per row. */
export function manyFlows(n: number): FlowRecord[] {
  const flows: FlowRecord[] = new Array(n);
  const leakFinding = (id: number, port: number): Finding => ({
    code: 'fin-not-returned', severity: 'warning', endpoint: `10.1.0.1:${port}`, since: T0 + id / 1000, age: 100 + (id % 977),
    message: 'peer closed; never sent its FIN', evidence: [], flow: id,
  });
  for (let i = 0; i < n; i++) {
    const id = i + 1;
    const leak = id % 50 === 0;
    const port = 8000 + (id % 7);
    flows[i] = {
      id, orig_h: `10.2.${(id >>> 16) & 255}.${(id >>> 8) & 255}`, orig_p: 1024 + (id % 60000), resp_h: '10.1.0.1', resp_p: port,
      ts: T0 + id / 1000, duration: (id * 7919) % 1000 / 10, orig_pkts: 5 + (id % 13), resp_pkts: 4 + (id % 11),
      orig_bytes: (id * 31) % 100000, resp_bytes: (id * 17) % 1000000, conn_state: leak ? 'S1' : 'SF',
      history: leak ? 'ShADaF' : 'ShADadFf', orig_state: leak ? 'FIN_WAIT_2' : 'TIME_WAIT', resp_state: leak ? 'CLOSE_WAIT' : 'CLOSED',
      first_fin: 'orig', findings: leak ? [leakFinding(id, port)] : [],
    };
  }
  return flows;
}

export const pause = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** Escape sequences ink understands, for stdin.write. */
export const KEY = {
  up: '\x1b[A', down: '\x1b[B', pageUp: '\x1b[5~', pageDown: '\x1b[6~', enter: '\r', escape: '\x1b', tab: '\t',
  backspace: '\x7f', ctrlU: '\x15', ctrlC: '\x03',
};

/** Standard input as ink uses it, for a TUI run in process: keys are queued and announced with
 *  'readable'; raw-mode switches are recorded (the terminal must end with raw mode off). */
export class FakeKeyboard extends EventEmitter {
  isTTY = true;
  raw: boolean[] = [];
  private queue: string[] = [];
  setRawMode(mode: boolean) {
    this.raw.push(mode);
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => this.queue.shift() ?? null;
  press(s: string) {
    this.queue.push(s);
    this.emit('readable');
  }
}

// Scenario contract: what a reproduction declares (ports, story, traffic, kernel expectations) and the context it gets.

import type net from 'node:net';
import type { KernelState } from './ss.js';
import type { Truth, TruthConnection } from './truth.js';
import type { Helper } from './util.js';

export interface NetnsPair {
  /** Namespace names (unique per run). */
  client: string;
  server: string;
  clientAddr: string;
  serverAddr: string;
  /** veth names: clientIf lives in the client namespace, serverIf in the server one. */
  clientIf: string;
  serverIf: string;
}

export interface ScenarioContext {
  readonly name: string;
  /** The scenario's ports: port(0), port(1)... (unique per scenario). */
  port(i: number): number;
  readonly host: string;
  log(msg: string): void;
  /** Run after the capture stopped and ss was recorded (close sockets, kill helpers). */
  onCleanup(fn: () => unknown): void;
  /** Destroy this socket at cleanup. */
  track<T extends net.Socket | net.Server>(s: T): T;
  /** Start a helper process, stopped with SIGKILL at cleanup. */
  helper(name: string, cmd: string, args: string[], opts?: { netns?: string }): Helper;
  /** Start `lab/worker.ts ROLE ...args` (optionally in a namespace). */
  worker(role: string, args: string[], opts?: { netns?: string }): Helper;
  /** A quick ss query (same filter as the final snapshot) for sequencing, e.g. "wait until CLOSE-WAIT". */
  kernelStates(): Promise<Array<{ local: string; peer: string; state: KernelState }>>;
  /** Scenario-specific remark about the connection with this local client port, copied into truth.notes. */
  note(clientPort: number, text: string): void;
  /** Present when the scenario declared `netns: true`. */
  readonly netns: NetnsPair | null;
}

export interface Scenario {
  /** Directory name under --out and the name on the command line. */
  name: string;
  /** Scenario number in issue 5 (several lab scenarios may share one). */
  issue: number;
  title: string;
  /** The real incident this reproduces and what the capture shows. */
  story: string;
  /** How many ports the scenario needs (all of them go into the tcpdump and ss filters). */
  ports: number;
  host?: string;
  netns?: boolean;
  /** Runs before tcpdump starts (connections that must predate the capture). */
  before?(ctx: ScenarioContext): Promise<void>;
  /** The traffic. Returns at the moment the capture should stop. */
  run(ctx: ScenarioContext): Promise<void>;
  /** Self-check against the kernel: did the reproduction reproduce? Failures fail the lab run. */
  expect(t: Truth, c: Check): void;
}

/** Collects expectation failures with readable messages. */
export class Check {
  readonly failures: string[] = [];
  readonly warnings: string[] = [];
  ok(cond: boolean, msg: string): boolean {
    if (!cond) this.failures.push(msg);
    return cond;
  }
  warn(cond: boolean, msg: string): void {
    if (!cond) this.warnings.push(msg);
  }
  /** Exactly n connections match sel. */
  count(t: Truth, n: number, what: string, sel: (c: TruthConnection) => boolean): TruthConnection[] {
    const found = t.connections.filter(sel);
    this.ok(found.length === n, `expected ${n} ${what}, found ${found.length}: ${describe(found)}`);
    return found;
  }
  /** Every connection in list has these kernel states / first FIN. */
  states(list: TruthConnection[], want: { orig?: KernelState; resp?: KernelState; first_fin?: 'orig' | 'resp' | null }, what: string): void {
    for (const c of list) {
      if (want.orig !== undefined) this.ok(c.orig.state === want.orig, `${what}: connection ${c.id} orig ${c.orig.endpoint} is ${c.orig.state} per ss, expected ${want.orig}`);
      if (want.resp !== undefined) this.ok(c.resp.state === want.resp, `${what}: connection ${c.id} resp ${c.resp.endpoint} is ${c.resp.state} per ss, expected ${want.resp}`);
      if (want.first_fin !== undefined) this.ok(c.first_fin === want.first_fin, `${what}: connection ${c.id} first FIN from ${c.first_fin}, expected ${want.first_fin}`);
    }
  }
}

export function describe(list: TruthConnection[]): string {
  return list.map((c) => `#${c.id} ${c.orig.endpoint}(${c.orig.state})→${c.resp.endpoint}(${c.resp.state})`).join(', ') || '(none)';
}

/** Connections whose responder port is p. */
export const toPort = (p: number) => (c: TruthConnection): boolean => c.resp.port === p;

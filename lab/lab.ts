// Lab orchestration: scenario → tcpdump capture + ss snapshot at capture stop → renderings + truth.json + self-check.

import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import { join } from 'node:path';
import type net from 'node:net';
import { endpointKey } from './addr.js';
import { Tcpdump, writeRenderings } from './capture.js';
import { Check, type NetnsPair, type Scenario, type ScenarioContext } from './scenario.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { snapshot, type SsSnapshot } from './ss.js';
import { buildConnections, parseTcpdumpTt, truthSockets, TRUTH_FORMAT, type Truth } from './truth.js';
import { Helper, LAB_DIR, LabError, run, runOk, sleep, which } from './util.js';

export const DEFAULT_BASE_PORT = 31100;
/** Each scenario owns a block of this many ports, at base + block × index in ALL_SCENARIOS. */
export const PORT_BLOCK = 10;
/** Quiet time after a scenario's traffic before ss runs: covers Linux's delayed ACK (40 ms min, 200 ms max). */
export const SETTLE_MS = 250;

export interface LabOptions {
  out: string;
  /** Names or issue numbers; empty = all. */
  scenarios?: string[];
  basePort?: number;
  /** Copy pcap / text / truth of each scenario into this directory as NAME.pcap, NAME.txt, NAME.truth.json. */
  samples?: string | null;
  log?: (line: string) => void;
  verbose?: boolean;
}

export interface ScenarioResult {
  name: string;
  dir: string;
  ok: boolean;
  failures: string[];
  warnings: string[];
  truth: Truth | null;
  ms: number;
}

/** Resolves names and issue numbers ("7" = every scenario of issue scenario 7) in catalogue order. */
export function selectScenarios(wanted: readonly string[] = []): Scenario[] {
  if (wanted.length === 0 || wanted.includes('all')) return [...ALL_SCENARIOS];
  const chosen = new Set<Scenario>();
  for (const w of wanted) {
    const matches = /^\d+$/.test(w) ? ALL_SCENARIOS.filter((s) => s.issue === Number(w)) : ALL_SCENARIOS.filter((s) => s.name === w);
    if (matches.length === 0) {
      throw new LabError(`unknown scenario ${w}; known: ${ALL_SCENARIOS.map((s) => `${s.name} (${s.issue})`).join(', ')}`);
    }
    for (const m of matches) chosen.add(m);
  }
  return ALL_SCENARIOS.filter((s) => chosen.has(s));
}

/** What the lab needs from the host; null when all present, else why not. */
export async function labUnavailable(opts: { netns?: boolean } = {}): Promise<string | null> {
  for (const prog of ['tcpdump', 'ss', 'python3', ...(opts.netns ? ['ip'] : [])]) {
    if (!(await which(prog))) return `${prog} is not installed`;
  }
  const caps = await capabilities();
  if (!caps.netRaw) return 'capturing needs root or CAP_NET_RAW';
  if (opts.netns && !caps.sysAdmin) return 'network namespaces need CAP_SYS_ADMIN';
  return null;
}

/** Effective capabilities of this process (CapEff in /proc/self/status). */
export async function capabilities(): Promise<{ netRaw: boolean; netAdmin: boolean; sysAdmin: boolean }> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
  const eff = m?.[1] ? BigInt(`0x${m[1]}`) : 0n;
  const has = (bit: number): boolean => (eff & (1n << BigInt(bit))) !== 0n;
  return { netAdmin: has(12), netRaw: has(13), sysAdmin: has(21) };
}

const SYSCTLS = [
  'tcp_fin_timeout', 'tcp_abort_on_overflow', 'tcp_syn_retries', 'tcp_syn_linear_timeouts', 'tcp_synack_retries',
  'tcp_tw_reuse', 'tcp_max_syn_backlog', 'tcp_syncookies', 'tcp_timestamps', 'tcp_congestion_control',
];

async function sysctls(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const k of SYSCTLS) {
    const v = await readFile(`/proc/sys/net/ipv4/${k}`, 'utf8').catch(() => null);
    if (v !== null) out[k] = v.trim();
  }
  const somax = await readFile('/proc/sys/net/core/somaxconn', 'utf8').catch(() => null);
  if (somax !== null) out['core.somaxconn'] = somax.trim();
  return out;
}

export async function runLab(opts: LabOptions): Promise<ScenarioResult[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const chosen = selectScenarios(opts.scenarios);
  const basePort = opts.basePort ?? DEFAULT_BASE_PORT;
  await mkdir(opts.out, { recursive: true });
  const kernel = { release: release(), sysctl: await sysctls() };
  const results: ScenarioResult[] = [];
  for (const sc of chosen) {
    const t0 = Date.now();
    const dir = join(opts.out, sc.name);
    const index = ALL_SCENARIOS.indexOf(sc);
    const ports = Array.from({ length: sc.ports }, (_, i) => basePort + PORT_BLOCK * index + i);
    let check = new Check();
    let truth: Truth | null = null;
    const earlier: string[] = [];
    // A second attempt when the first fails: on a loaded machine a timer can fire late enough to spoil
    // one run (a packet after ss, a wait that timed out). A reproduction that is really broken fails twice.
    for (let attempt = 1; attempt <= 2; attempt++) {
      check = new Check();
      truth = null;
      try {
        truth = await runScenario(sc, { dir, ports, kernel, basePort, log, verbose: opts.verbose ?? false });
        sc.expect(truth, check);
      } catch (e) {
        check.failures.push(e instanceof Error ? (e instanceof LabError ? e.message : (e.stack ?? e.message)) : String(e));
      }
      if (check.failures.length === 0 || attempt === 2) break;
      earlier.push(...check.failures);
      log(`     ${sc.name}: attempt 1 failed (${check.failures.join('; ')}); retrying`);
    }
    for (const f of earlier) check.warnings.push(`first attempt failed: ${f}`);
    const r: ScenarioResult = { name: sc.name, dir, ok: check.failures.length === 0, failures: check.failures, warnings: check.warnings, truth, ms: Date.now() - t0 };
    results.push(r);
    log(summaryLine(r));
    for (const f of r.failures) log(`    FAIL ${f}`);
    for (const w of r.warnings) log(`    warn ${w}`);
    if (r.ok && opts.samples) await copySample(r, opts.samples);
  }
  return results;
}

function summaryLine(r: ScenarioResult): string {
  const t = r.truth;
  if (!t) return `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: no capture (${r.ms} ms)`;
  const tally = new Map<string, number>();
  for (const c of t.connections) {
    for (const [role, e] of [['orig', c.orig], ['resp', c.resp]] as const) {
      const k = `${role} ${e.state}`;
      tally.set(k, (tally.get(k) ?? 0) + 1);
    }
  }
  const states = [...tally].map(([k, n]) => `${k}×${n}`).join(' ');
  return `${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(16)} ${String(t.capture.captured).padStart(4)} pkts, ${t.connections.length} conns, dropped ${t.capture.dropped_by_kernel}; ss: ${states} (${r.ms} ms)`;
}

async function copySample(r: ScenarioResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['capture.pcap', `${r.name}.pcap`],
    ['capture.txt', `${r.name}.txt`],
    ['truth.json', `${r.name}.truth.json`],
  ];
  for (const [from, to] of files) {
    const dst = join(dir, to);
    await copyFile(join(r.dir, from), dst);
    const { size } = await stat(dst);
    if (size > 100_000) throw new LabError(`sample ${to} is ${size} bytes; samples must stay well under 100 KB`);
  }
}

interface RunParams {
  dir: string;
  ports: number[];
  kernel: Truth['kernel'];
  basePort: number;
  log: (l: string) => void;
  verbose: boolean;
}

async function runScenario(sc: Scenario, p: RunParams): Promise<Truth> {
  await rm(p.dir, { recursive: true, force: true });
  await mkdir(p.dir, { recursive: true });
  const cleanups: Array<() => unknown> = [];
  const notes = new Map<number, string>();
  const netns = sc.netns ? await createNetns() : null;
  const namespaces = netns
    ? [{ role: 'client', name: netns.client }, { role: 'server', name: netns.server }]
    : [{ role: 'root', name: null }];
  const host = sc.host ?? '127.0.0.1';
  const filter = `tcp and (${p.ports.map((x) => `port ${x}`).join(' or ')})`;
  const ctx: ScenarioContext = {
    name: sc.name,
    host,
    netns,
    port(i) {
      const port = p.ports[i];
      if (port === undefined) throw new LabError(`${sc.name} asked for port ${i} but declares ${p.ports.length}`);
      return port;
    },
    log: (m) => {
      if (p.verbose) p.log(`    [${sc.name}] ${m}`);
    },
    onCleanup: (fn) => cleanups.push(fn),
    track<T extends net.Socket | net.Server>(s: T): T {
      cleanups.push(() => ('destroy' in s ? s.destroy() : s.close()));
      return s;
    },
    helper(name, cmd, args, o = {}) {
      const h = o.netns ? Helper.start(name, 'ip', ['netns', 'exec', o.netns, cmd, ...args]) : Helper.start(name, cmd, args);
      live.helpers.add(h);
      cleanups.push(async () => {
        await h.stop('SIGKILL');
        live.helpers.delete(h);
      });
      return h;
    },
    worker(role, args, o = {}) {
      return ctx.helper(`worker ${role}`, process.execPath, ['--import', 'tsx', join(LAB_DIR, 'worker.ts'), role, ...args], o);
    },
    async kernelStates() {
      const snaps = await Promise.all(namespaces.map((n) => snapshot(p.ports, n)));
      return snaps.flatMap((s) =>
        s.sockets
          .filter((x) => x.local_port !== null && x.peer_port !== null)
          .map((x) => ({ local: endpointKey(x.local_addr, x.local_port ?? 0), peer: endpointKey(x.peer_addr, x.peer_port ?? 0), state: x.state })),
      );
    },
    note(clientPort, text) {
      notes.set(clientPort, text);
    },
  };

  let tcpdump: Tcpdump | null = null;
  try {
    const before = await Promise.all(namespaces.map((n) => snapshot(p.ports, n)));
    if (sc.before) await sc.before(ctx);
    const iface = netns ? netns.serverIf : 'lo';
    const captureNs = netns ? netns.server : null;
    tcpdump = await Tcpdump.start({ iface, file: join(p.dir, 'capture.pcap'), filter, netns: captureNs });
    await sc.run(ctx);
    await sleep(SETTLE_MS);
    // The kernel's view at the moment the capture stops: ss first, then SIGINT to tcpdump.
    const after = await Promise.all(namespaces.map((n) => snapshot(p.ports, n)));
    const stats = await tcpdump.stop();
    tcpdump = null;
    await runCleanups(cleanups);
    await writeFile(join(p.dir, 'ss.txt'), ssText(after));
    const renderings = await writeRenderings(p.dir);
    const tt = parseTcpdumpTt(await readFile(join(p.dir, 'capture.tt-S.txt'), 'utf8'));
    if (tt.other.length) throw new LabError(`tcpdump printed lines that are not TCP segments: ${tt.other.slice(0, 3).join(' | ')}`);
    if (tt.packets.length !== stats.captured) {
      throw new LabError(`tcpdump said ${stats.captured} packets captured but the file holds ${tt.packets.length}`);
    }
    const ssStart = Math.min(...after.map((s) => s.started));
    const late = tt.packets.filter((x) => x.ts >= ssStart);
    if (late.length) {
      throw new LabError(
        `${late.length} packet(s) arrived after ss ran (first at +${(late[0]!.ts - ssStart).toFixed(3)} s: ` +
          `${late[0]!.src}.${late[0]!.sport} > ${late[0]!.dst}.${late[0]!.dport} [${late[0]!.flags}]): ss no longer describes the capture end`,
      );
    }
    const allSockets = after.flatMap((s) => s.sockets);
    const { connections, socketConn } = buildConnections(tt.packets, allSockets);
    const noteById: Record<string, string> = {};
    for (const c of connections) {
      const n = notes.get(c.orig.port) ?? notes.get(c.resp.port);
      if (n !== undefined) noteById[String(c.id)] = n;
    }
    const truth: Truth = {
      format: TRUTH_FORMAT,
      scenario: sc.name,
      issue_scenario: sc.issue,
      title: sc.title,
      story: sc.story,
      command: `node --import tsx lab/run.ts ${sc.name}${p.basePort === DEFAULT_BASE_PORT ? '' : ` --base-port ${p.basePort}`}`,
      ports: p.ports,
      kernel: p.kernel,
      capture: {
        file: 'capture.pcap',
        interface: iface,
        netns: netns ? 'server' : null,
        filter,
        command: [...(netns ? ['ip', 'netns', 'exec', '<server-ns>'] : []), 'tcpdump', '-i', iface, '-w', 'capture.pcap', '-B', '8192', '-U', '-n', '--immediate-mode', filter],
        ...stats,
        first_ts: tt.packets[0]?.ts ?? null,
        last_ts: tt.packets[tt.packets.length - 1]?.ts ?? null,
      },
      ss: after.map((s) => ({ ns: s.ns, command: s.command.map((a) => (netns && (a === netns.client || a === netns.server) ? `<${s.ns}-ns>` : a)), started: s.started, finished: s.finished })),
      renderings,
      sockets: truthSockets(after, before, socketConn),
      connections,
      notes: noteById,
    };
    await writeFile(join(p.dir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
    return truth;
  } finally {
    tcpdump?.abort();
    await runCleanups(cleanups);
    if (netns) await deleteNetns(netns);
  }
}

async function runCleanups(list: Array<() => unknown>): Promise<void> {
  const fns = list.splice(0).reverse();
  for (const fn of fns) {
    try {
      await fn();
    } catch {
      // best effort: cleanup must not hide the scenario's own result
    }
  }
}

function ssText(snaps: readonly SsSnapshot[]): string {
  return snaps
    .map((s) => `# ${s.ns === 'root' ? '' : `(${s.ns} namespace) `}ss -tanoi ${s.command[s.command.length - 1]} at ${new Date(s.started * 1000).toISOString()}\n${s.text}`)
    .join('\n');
}

let netnsSeq = 0;

/** Two namespaces joined by a veth pair: client 10.213.0.1 ↔ server 10.213.0.2 (invisible to the host's own routes). */
async function createNetns(): Promise<NetnsPair> {
  const id = `${process.pid}${netnsSeq++}`;
  const n: NetnsPair = {
    client: `fslab-${id}-c`,
    server: `fslab-${id}-s`,
    clientAddr: '10.213.0.1',
    serverAddr: '10.213.0.2',
    clientIf: `fsl${id}c`.slice(0, 15),
    serverIf: `fsl${id}s`.slice(0, 15),
  };
  live.netns.add(n); // before creating anything, so an interruption mid-way still removes it
  try {
    await runOk('ip', ['netns', 'add', n.client]);
    await runOk('ip', ['netns', 'add', n.server]);
    await runOk('ip', ['-n', n.client, 'link', 'add', n.clientIf, 'type', 'veth', 'peer', 'name', n.serverIf, 'netns', n.server]);
    await runOk('ip', ['-n', n.client, 'addr', 'add', `${n.clientAddr}/24`, 'dev', n.clientIf]);
    await runOk('ip', ['-n', n.server, 'addr', 'add', `${n.serverAddr}/24`, 'dev', n.serverIf]);
    for (const [ns, dev] of [[n.client, n.clientIf], [n.server, n.serverIf], [n.client, 'lo'], [n.server, 'lo']] as const) {
      await runOk('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  } catch (e) {
    await deleteNetns(n);
    throw e;
  }
  return n;
}

async function deleteNetns(n: NetnsPair): Promise<void> {
  await run('ip', ['netns', 'del', n.client]);
  await run('ip', ['netns', 'del', n.server]);
  live.netns.delete(n);
}

/** Live namespaces and helper processes, for emergencyCleanup() when the lab is interrupted. */
const live = { netns: new Set<NetnsPair>(), helpers: new Set<Helper>() };

/** Synchronous last-resort cleanup (SIGINT/SIGTERM): kill helpers, delete namespaces. */
export function emergencyCleanup(): void {
  for (const h of live.helpers) {
    if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
  }
  for (const n of live.netns) {
    spawnSync('ip', ['netns', 'del', n.client]);
    spawnSync('ip', ['netns', 'del', n.server]);
  }
}

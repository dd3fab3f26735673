// Lab plumbing: child processes, waiting and small timing helpers shared by the runner and scenarios.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LAB_DIR = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Epoch seconds with sub-millisecond resolution (same clock as pcap timestamps). */
export function nowEpoch(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

export class LabError extends Error {
  override name = 'LabError';
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects only when it cannot be started. */
export function run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** Like run() but a non-zero exit is an error that quotes the command and its stderr. */
export async function runOk(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new LabError(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Which of the given programs are on PATH. */
export async function which(prog: string): Promise<string | null> {
  const r = await run('sh', ['-c', `command -v ${prog}`]);
  return r.code === 0 ? r.stdout.trim() : null;
}

/**
 * A long-running helper process whose output lines can be awaited ("ready", "done").
 * Output is kept so a failure can quote it.
 */
export class Helper {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  exited = false;
  exitCode: number | null = null;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    let partial = '';
    child.stdout?.on('data', (b: Buffer) => {
      partial += b.toString();
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.re.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    child.stderr?.on('data', (b: Buffer) => this.stderr.push(b.toString()));
    child.on('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
    });
  }

  static start(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Helper {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Helper(name, child);
  }

  /** Resolves with the first (past or future) stdout line matching re. */
  waitFor(re: RegExp, timeoutMs = 5000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new LabError(
            `${this.name}: no line matching ${re} within ${timeoutMs} ms` +
              `${this.exited ? ` (exited ${this.exitCode})` : ''}; stdout: ${JSON.stringify(this.lines)}; ` +
              `stderr: ${this.stderr.join('').trim()}`,
          ),
        );
      }, timeoutMs);
      const onExit = (): void => {
        clearTimeout(timer);
        reject(new LabError(`${this.name} exited ${this.exitCode} before printing ${re}: ${this.stderr.join('').trim()}`));
      };
      this.child.once('exit', onExit);
      this.waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(l);
        },
      });
    });
  }

  /** Sends a signal and waits for the process to go (SIGKILL after 2 s). */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
  }
}

/** Polls cond every intervalMs until it is true; throws with msg after timeoutMs. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  msg: string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new LabError(`timed out after ${timeoutMs} ms: ${msg}`);
    await sleep(intervalMs);
  }
}

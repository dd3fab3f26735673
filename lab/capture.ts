// Capture stage: tcpdump on an interface → capture.pcap, its text renderings and a pcapng copy.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError, run, runOk, which } from './util.js';

export interface CaptureStats {
  captured: number;
  received_by_filter: number;
  dropped_by_kernel: number;
}

/** The text renderings written next to every capture: file name → tcpdump arguments. */
export const RENDERINGS: ReadonlyArray<{ file: string; args: string[] }> = [
  { file: 'capture.txt', args: ['-n'] },
  { file: 'capture.tttt-v.txt', args: ['-n', '-tttt', '-v'] },
  { file: 'capture.tt-S.txt', args: ['-n', '-tt', '-S'] },
];

export class Tcpdump {
  private stderr = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly command: string[],
  ) {
    child.stderr?.on('data', (b: Buffer) => {
      this.stderr += b.toString();
    });
    this.exited = new Promise((r) => child.on('close', (code) => r(code)));
  }

  /**
   * Starts `tcpdump -i IFACE -w FILE -B 8192 -U -n --immediate-mode FILTER` (inside netns when given)
   * and resolves once it reports "listening on", i.e. the socket is bound and the filter attached:
   * traffic before that would be missed. --immediate-mode because with TPACKET_V3 the kernel hands
   * packets over in blocks retired by a 1 s timeout, and tcpdump exits on SIGINT without draining
   * the ring: a short scenario would be "received by filter" yet missing from the file.
   */
  static async start(opts: { iface: string; file: string; filter: string; netns: string | null }): Promise<Tcpdump> {
    const tcpdumpArgs = ['-i', opts.iface, '-w', opts.file, '-B', '8192', '-U', '-n', '--immediate-mode', opts.filter];
    const [cmd, args] =
      opts.netns === null ? ['tcpdump', tcpdumpArgs] : ['ip', ['netns', 'exec', opts.netns, 'tcpdump', ...tcpdumpArgs]];
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const t = new Tcpdump(child, [cmd, ...args]);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LabError(`tcpdump did not start within 5 s: ${t.stderr.trim()}`)), 5000);
      const check = (): void => {
        if (t.stderr.includes('listening on')) {
          clearTimeout(timer);
          child.stderr?.off('data', check);
          resolve();
        }
      };
      child.stderr?.on('data', check);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      void t.exited.then((code) => {
        clearTimeout(timer);
        reject(new LabError(`tcpdump exited ${code} before listening: ${t.stderr.trim()}`));
      });
    });
    return t;
  }

  /** SIGINT (tcpdump flushes and prints its counters), then the counters; throws on any kernel drop. */
  async stop(): Promise<CaptureStats> {
    this.child.kill('SIGINT');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(killer);
    if (code !== 0) throw new LabError(`tcpdump exited ${code}: ${this.stderr.trim()}`);
    const num = (re: RegExp): number => {
      const m = re.exec(this.stderr);
      if (!m?.[1]) throw new LabError(`tcpdump did not print ${re}: ${this.stderr.trim()}`);
      return Number(m[1]);
    };
    const stats = {
      captured: num(/(\d+) packets? captured/),
      received_by_filter: num(/(\d+) packets? received by filter/),
      dropped_by_kernel: num(/(\d+) packets? dropped by kernel/),
    };
    if (stats.dropped_by_kernel !== 0) {
      throw new LabError(
        `tcpdump reports ${stats.dropped_by_kernel} packets dropped by kernel (${this.command.join(' ')}): ` +
          'the capture is incomplete and cannot serve as ground truth',
      );
    }
    return stats;
  }

  /** Kills without waiting for counters (error paths). */
  abort(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Writes the text renderings and capture.pcapng into dir; returns the commands used, by file. */
export async function writeRenderings(dir: string): Promise<Record<string, string>> {
  const pcap = join(dir, 'capture.pcap');
  const done: Record<string, string> = {};
  await Promise.all(
    RENDERINGS.map(async ({ file, args }) => {
      const r = await run('tcpdump', [...args, '-r', pcap]);
      if (r.code !== 0) throw new LabError(`tcpdump ${args.join(' ')} -r failed: ${r.stderr.trim()}`);
      await writeFile(join(dir, file), r.stdout);
      done[file] = `tcpdump ${args.join(' ')} -r capture.pcap > ${file}`;
    }),
  );
  if (await which('editcap')) {
    await runOk('editcap', ['-F', 'pcapng', pcap, join(dir, 'capture.pcapng')]);
    done['capture.pcapng'] = 'editcap -F pcapng capture.pcap capture.pcapng';
  }
  return done;
}

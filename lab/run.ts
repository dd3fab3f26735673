// Lab CLI: `node --import tsx lab/run.ts [scenario...] --out DIR` → DIR/<scenario>/{capture.*,ss.txt,truth.json}.

import { resolve } from 'node:path';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { DEFAULT_BASE_PORT, emergencyCleanup, labUnavailable, runLab, selectScenarios } from './lab.js';
import { REPO_ROOT } from './util.js';

const USAGE = `usage: node --import tsx lab/run.ts [scenario|number ...] [--out DIR] [--base-port N] [--samples DIR] [--verbose] [--list]

  scenario   a name (see --list) or an issue-5 scenario number (7 = refused, abortive-close, ...); none = all
  --out      output directory (default lab/out); each scenario writes DIR/<name>/
  --base-port first port of the lab's port range (default ${DEFAULT_BASE_PORT}; each scenario owns 10)
  --samples  also copy <name>.pcap, <name>.txt (tcpdump -n) and <name>.truth.json into DIR
  --verbose  scenario progress on stderr
Needs tcpdump, ss and root (or CAP_NET_RAW + CAP_NET_ADMIN; netns-veth also CAP_SYS_ADMIN).`;

async function main(argv: string[]): Promise<number> {
  const names: string[] = [];
  let out = resolve(REPO_ROOT, 'lab/out');
  let basePort = DEFAULT_BASE_PORT;
  let samples: string | null = null;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--out') out = resolve(value());
    else if (a === '--base-port') basePort = Number(value());
    else if (a === '--samples') samples = resolve(value());
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--list') {
      for (const s of ALL_SCENARIOS) process.stdout.write(`${String(s.issue).padEnd(3)}${s.name.padEnd(18)}${s.title}\n`);
      return 0;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else names.push(a);
  }
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65000) throw new UsageError('--base-port must be an integer in 1024..65000');
  let chosen;
  try {
    chosen = selectScenarios(names);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const why = await labUnavailable({ netns: chosen.some((s) => s.netns) });
  if (why) {
    process.stderr.write(`lab: cannot run: ${why}\n`);
    return 77;
  }
  const t0 = Date.now();
  const results = await runLab({ out, scenarios: names, basePort, samples, verbose });
  const failed = results.filter((r) => !r.ok);
  process.stderr.write(
    `lab: ${results.length - failed.length}/${results.length} scenarios reproduced in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${out}\n`,
  );
  return failed.length ? 1 : 0;
}

class UsageError extends Error {}

// Interrupted: the scenario's finally blocks will not run, so kill helpers and remove namespaces here.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    emergencyCleanup();
    process.exit(130);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`lab: ${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`lab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

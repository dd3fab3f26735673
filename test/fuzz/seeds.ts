// Fuzz seeds: every sample (samples/*.pcap, samples/*.txt), every corpus capture
// (../shared/corpus/**: pcap, pcapng and their .tcpdump-n.txt; skipped with a message when absent)
// and small captures generated from a fixed seed. The list is sorted, so (seed, case) replays.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedSeeds } from './captures.js';
import { Rng } from './rng.js';

export interface Seed {
  name: string;
  bytes: Buffer;
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
}

const CORPUS_FILE = /\.(pcap|pcapng|cap|pcap\.gz|pcapng\.gz)$|\.tcpdump-n\.txt$/;

export interface SeedOptions {
  /** Include the shared corpus when present (default true). */
  corpus?: boolean;
  /** Skip files larger than this (bytes). */
  maxBytes?: number;
  /** How many generated captures (default 40). */
  generated?: number;
}

export interface SeedSet {
  seeds: Seed[];
  /** Why the corpus is not included, when it is not. */
  corpusNote: string | null;
}

export function loadSeeds(options: SeedOptions = {}): SeedSet {
  const seeds: Seed[] = [];
  const maxBytes = options.maxBytes ?? Infinity;
  const samples = join(REPO_ROOT, 'samples');
  for (const name of readdirSync(samples).sort()) {
    if (!/\.(pcap|txt)$/.test(name)) continue;
    seeds.push({ name: `samples/${name}`, bytes: readFileSync(join(samples, name)) });
  }
  let corpusNote: string | null = null;
  if (options.corpus === false) {
    corpusNote = 'corpus not requested';
  } else if (!existsSync(CORPUS_DIR)) {
    corpusNote = `corpus not found at ../shared/corpus (relative to the repository): fuzzing samples and generated captures only`;
  } else {
    const files: string[] = [];
    walk(CORPUS_DIR, files);
    let skipped = 0;
    for (const f of files) {
      if (!CORPUS_FILE.test(f)) continue;
      const size = statSync(f).size;
      if (size > maxBytes) { skipped++; continue; }
      seeds.push({ name: `corpus/${f.slice(CORPUS_DIR.length)}`, bytes: readFileSync(f) });
    }
    if (skipped) corpusNote = `${skipped} corpus files over ${maxBytes} bytes left out`;
  }
  const rng = new Rng(0x5eed, 0);
  for (const g of generatedSeeds(rng, options.generated ?? 40)) seeds.push({ name: `generated/${g.name}`, bytes: g.bytes });
  return { seeds, corpusNote };
}

// Capture stage, start-up: from a command line, guess whether the inputs will be read by decode
// workers and start those workers at once, before the CLI loads its own modules.

import { statSync } from 'node:fs';
import { PARALLEL_MIN_BYTES, prewarmDecodeWorkers, workersFor } from './parallel-read.js';

/**
 * Prewarm decode workers when the arguments name regular files that together reach the parallel
 * path's size threshold (and no `-`). A wrong guess costs an idle thread that exits with the process.
 */
export function prewarmForArguments(argv: readonly string[]): void {
  let files = 0;
  let bytes = 0;
  for (const a of argv) {
    if (a === '-') return;
    if (a.startsWith('-')) continue;
    try {
      const s = statSync(a);
      if (!s.isFile()) continue;
      files++;
      bytes += s.size;
    } catch {
      // a command name or an option's value
    }
  }
  if (files > 0 && bytes >= PARALLEL_MIN_BYTES) prewarmDecodeWorkers(workersFor(files));
}

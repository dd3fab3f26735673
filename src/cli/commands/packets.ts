// `finscope packets`: one line per TCP segment, streamed as it is read (tcpdump-like or NDJSON).

import { analyze } from '../../analysis/analyze.js';
import { formatPacketNdjson, formatPacketText } from '../../render/packets.js';
import { compileFilter, FilterError } from '../../filter/filter-expression.js';
import { UsageError } from '../../errors.js';
import { OutputWriter } from '../output.js';
import { Progress } from '../progress.js';
import { reportInputIssues, reportLimits } from '../input-warnings.js';
import { failOnCode } from './fail-on.js';
import type { CommonOptions } from '../options.js';

export async function runPackets(options: CommonOptions & { format: 'text' | 'ndjson' }): Promise<number> {
  const out = new OutputWriter(options.output);
  const progress = new Progress(options.quiet);
  const ndjson = options.format === 'ndjson';
  let selected: Set<number> | undefined;
  if (options.filter) {
    // Connection-level tests (state, finding, duration) are known only at the end: a first pass
    // decides which connections are selected, a second prints their segments. Needs re-readable files.
    if (options.capture.includes('-')) throw new UsageError('packets --filter reads the input twice; give a file, not -');
    let predicate;
    try {
      predicate = compileFilter(options.filter);
    } catch (e) {
      if (e instanceof FilterError) throw new UsageError(`--filter: ${e.message}`);
      throw e;
    }
    const first = await analyze(options.capture, { ...common(options), onProgress: (r, t) => progress.update(r, t) });
    selected = new Set(first.flows.filter(predicate).map((f) => f.id));
  }
  // A failed write (reader of the pipe gone, disk full) stops the reading: thrown from the next
  // segment's callback, it ends the analysis and main.ts reports it (never an unhandled rejection).
  let writeError: unknown = null;
  const result = await analyze(options.capture, {
    ...common(options),
    onProgress: (r, t) => progress.update(r, t),
    onSegment: (seg, flow, _tracker, addresses) => {
      if (writeError !== null) throw writeError;
      if (selected && !selected.has(flow)) return;
      const line = ndjson ? formatPacketNdjson(seg, addresses, flow) : formatPacketText(seg, addresses, flow);
      const p = out.write(line + '\n');
      if (p) return p.catch((error: unknown) => { writeError = error; });
    },
  });
  progress.done();
  await out.close();
  reportLimits(result.limits, options.quiet);
  const inputCode = reportInputIssues(result.issues, options.quiet, options.strict);
  return inputCode || failOnCode(result.findings, options.failOn);
}

export function common(options: CommonOptions) {
  return {
    inputFormat: options.inputFormat,
    date: options.date,
    timeWait: options.timeWait,
    finTimeout: options.finTimeout,
    minAge: options.minAge,
    maxConnections: options.maxConnections,
  };
}

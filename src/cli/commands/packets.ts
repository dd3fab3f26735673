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
  // Lines are appended synchronously (the segment callback cannot await); between chunks of input
  // the reading waits while the output holds more than a little unwritten (a pipe into less, a slow
  // ssh), so memory stays bounded whatever the capture's size. A failed write (reader of the pipe
  // gone, disk full) is thrown from the next append or wait: it ends the analysis and main.ts
  // reports it (EPIPE: quietly, exit 0), never as an unhandled rejection.
  let result;
  try {
    result = await analyze(options.capture, {
      ...common(options),
      onProgress: (r, t) => progress.update(r, t),
      backpressure: () => out.backpressure(),
      onSegment: (seg, flow, _tracker, addresses) => {
        if (selected && !selected.has(flow)) return;
        const line = ndjson ? formatPacketNdjson(seg, addresses, flow) : formatPacketText(seg, addresses, flow);
        out.append(line + '\n');
      },
    });
  } finally {
    // Also when the reader went away (quitting less): no half-drawn progress line is left behind.
    progress.done();
  }
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

// `finscope flows`: one row per TCP connection (table, ndjson, json, csv, Zeek conn.log).

import { analyze } from '../../analysis/analyze.js';
import type { FlowRecord } from '../../analysis/flow-record.js';
import { compileFilter, FilterError, type FlowPredicate } from '../../filter/filter-expression.js';
import { csvHeader, csvLine, flowComparator, formatTable, ndjsonLine, SORT_KEYS, zeekFooter, zeekHeader, zeekLine, type FlowFormat } from '../../render/flows.js';
import { UsageError } from '../../errors.js';
import { jsonSafe } from '../../render/escape.js';
import { OutputWriter, useColor } from '../output.js';
import { Progress } from '../progress.js';
import { reportInputIssues, reportLimits } from '../input-warnings.js';
import { reportTimings } from '../timings.js';
import { failOnCode } from './fail-on.js';
import { common } from './packets.js';
import type { CommonOptions } from '../options.js';

export function parseFilterOption(expr: string | undefined): FlowPredicate | undefined {
  if (expr === undefined) return undefined;
  try {
    return compileFilter(expr);
  } catch (e) {
    if (e instanceof FilterError) throw new UsageError(`--filter: ${e.message}`);
    throw e;
  }
}

export async function runFlows(options: CommonOptions & { format?: FlowFormat; sort?: string }): Promise<number> {
  const predicate = parseFilterOption(options.filter);
  const compare = options.sort === undefined ? undefined : flowComparator(options.sort);
  if (options.sort !== undefined && !compare) throw new UsageError(`--sort must be one of ${SORT_KEYS.join(', ')} (prefix - for descending), got ${JSON.stringify(options.sort)}`);
  const out = new OutputWriter(options.output);
  const format: FlowFormat = options.format ?? (out.isTerminal ? 'table' : 'ndjson');
  const progress = new Progress(options.quiet);
  const result = await analyze(options.capture, { ...common(options), onProgress: (r, t) => progress.update(r, t) });
  progress.done();

  let flows: FlowRecord[] = predicate ? result.flows.filter(predicate) : result.flows;
  if (compare) flows = [...flows].sort(compare);

  switch (format) {
    case 'table': {
      const color = useColor(options.color, out);
      const PAGE = 5000;
      if (flows.length === 0) await out.write('no connections\n');
      for (let i = 0; i < flows.length; i += PAGE) await out.write(formatTable(flows.slice(i, i + PAGE), color));
      break;
    }
    case 'ndjson':
      for (const f of flows) await out.write(ndjsonLine(f));
      break;
    case 'json':
      await out.write('[');
      for (let i = 0; i < flows.length; i++) await out.write((i ? ',\n' : '\n') + jsonSafe(JSON.stringify(flows[i])));
      await out.write(flows.length ? '\n]\n' : ']\n');
      break;
    case 'csv':
      await out.write(csvHeader());
      for (const f of flows) await out.write(csvLine(f));
      break;
    case 'zeek':
      await out.write(zeekHeader(result.captureStart));
      for (const f of flows) await out.write(zeekLine(f));
      await out.write(zeekFooter(result.captureEnd));
      break;
  }
  await out.close();
  reportTimings(result);
  reportLimits(result.limits, options.quiet);
  const inputCode = reportInputIssues(result.issues, options.quiet, options.strict);
  return inputCode || failOnCode(result.findings, options.failOn);
}

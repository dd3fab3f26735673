// `finscope [summary]`: the incident summary (the default command).

import { analyze } from '../../analysis/analyze.js';
import { renderSummary, type SummaryFormat } from '../../render/summary.js';
import { OutputWriter, useColor } from '../output.js';
import { Progress } from '../progress.js';
import { reportInputIssues, reportLimits } from '../input-warnings.js';
import { reportTimings } from '../timings.js';
import { failOnCode } from './fail-on.js';
import { common } from './packets.js';
import { parseFilterOption } from './flows.js';
import type { CommonOptions } from '../options.js';
import type { AnalysisResult } from '../../analysis/analysis-result.js';

export async function runSummary(options: CommonOptions & { format: SummaryFormat; fdLimit: number }): Promise<number> {
  const predicate = parseFilterOption(options.filter);
  const out = new OutputWriter(options.output);
  const progress = new Progress(options.quiet);
  const result = await analyze(options.capture, { ...common(options), onProgress: (r, t) => progress.update(r, t) });
  progress.done();
  await writeSummary(out, predicate ? narrow(result, predicate) : result, options.format, useColor(options.color, out), options.fdLimit);
  reportTimings(result);
  reportLimits(result.limits, options.quiet);
  const inputCode = reportInputIssues(result.issues, options.quiet, options.strict);
  return inputCode || failOnCode(result.findings, options.failOn);
}

export async function writeSummary(out: OutputWriter, result: AnalysisResult, format: SummaryFormat, color: boolean, fdLimit = 1024): Promise<void> {
  await out.write(renderSummary(result, { format, color, fdLimit }));
  await out.close();
}

/** The result restricted to the connections a --filter selects (and the findings about them). */
export function narrow(result: AnalysisResult, predicate: (f: AnalysisResult['flows'][number]) => boolean): AnalysisResult {
  const flows: AnalysisResult['flows'] = [];
  const connections: AnalysisResult['connections'][number][] = [];
  const ids = new Set<number>();
  result.flows.forEach((f, i) => {
    if (!predicate(f)) return;
    flows.push(f);
    connections.push(result.connections[i]!);
    ids.add(f.id);
  });
  const findings = result.findings.filter((x) => (x.flow !== undefined ? ids.has(x.flow) : (x.flows ?? []).some((id) => ids.has(id))));
  return { ...result, flows, connections, findings };
}

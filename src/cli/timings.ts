// `FINSCOPE_TIMINGS=1` (like FINSCOPE_TUI_TRACE, for benchmarks and performance reports): one line
// on standard error saying where a command's time went, so that a slow run can be told apart as
// start-up, reading and tracking, diagnosis, or writing the output.

import type { AnalysisResult } from '../analysis/analysis-result.js';

/** Call once the output is written. Nothing happens unless FINSCOPE_TIMINGS is set (and not 0). */
export function reportTimings(result: AnalysisResult): void {
  const flag = process.env.FINSCOPE_TIMINGS;
  const t = result.timings;
  if (!flag || flag === '0' || t === undefined) return;
  const now = performance.now();
  const s = (ms: number): string => (ms / 1000).toFixed(3);
  const output = now - (t.startedAt + t.readMs + t.diagnoseMs);
  const rate = t.readMs > 0 ? ` (${(result.segmentCount / t.readMs / 1000).toFixed(2)} M segments/s)` : '';
  process.stderr.write(`finscope timings: start-up ${s(t.startedAt)} s, reading and tracking ${s(t.readMs)} s${rate}, `
    + `diagnosis ${s(t.diagnoseMs)} s, output ${s(output)} s, total ${s(now)} s\n`);
}

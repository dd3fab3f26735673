// Input problems on standard error: the first few of each kind with their position, then one line
// counting them by kind (issue 10: warnings are specific and counted).

import { formatIssue, type IssueLog } from '../segment/input-issues.js';
import { escapeTerminal } from '../render/escape.js';
import { limitsText } from '../render/summary.js';
import type { TrackingLimits } from '../analysis/analysis-result.js';
import { EXIT_DATA } from '../errors.js';

const SHOW_PER_CODE = 3;

/** Writes the warnings (unless quiet) and returns the exit code they impose (65 under --strict). */
export function reportInputIssues(issues: IssueLog, quiet: boolean, strict: boolean): number {
  if (issues.total === 0) return 0;
  if (!quiet) {
    const shown = new Map<string, number>();
    for (const issue of issues.kept) {
      const n = (shown.get(issue.code) ?? 0) + 1;
      shown.set(issue.code, n);
      if (n <= SHOW_PER_CODE) process.stderr.write(`finscope: warning: ${escapeTerminal(formatIssue(issue))}\n`);
    }
    const counts = [...issues.counts].map(([code, n]) => `${n} ${code}`).join(', ');
    process.stderr.write(`finscope: ${issues.total} input warning${issues.total === 1 ? '' : 's'}: ${counts}\n`);
  }
  return strict ? EXIT_DATA : 0;
}

/** The bound on tracked connections, when it left connections out: one warning line each (stderr). */
export function reportLimits(limits: TrackingLimits | undefined, quiet: boolean): void {
  if (quiet) return;
  for (const line of limitsText(limits)) process.stderr.write(`finscope: warning: ${line}\n`);
}

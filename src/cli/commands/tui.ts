// `finscope tui`: the interactive terminal browser; without a terminal, the summary (contract).

import { runTuiCommand } from '../../render/tui/tui-command.js';
import { Progress } from '../progress.js';
import { reportInputIssues, reportLimits } from '../input-warnings.js';
import { failOnCode } from './fail-on.js';
import { common } from './packets.js';
import { runSummary } from './summary.js';
import type { CommonOptions } from '../options.js';

export async function runTui(options: CommonOptions): Promise<number> {
  const progress = new Progress(options.quiet);
  const shown = await runTuiCommand({
    captures: options.capture,
    analyzeOptions: { ...common(options), onProgress: (r, t) => progress.update(r, t) },
    ...(options.filter ? { filter: options.filter } : {}),
    onAnalyzed: () => progress.done(),
  });
  if (!shown.shown) {
    // Not a terminal: print the summary instead, as any non-interactive run would.
    return runSummary({ ...options, format: 'text', fdLimit: 1024 });
  }
  if (!shown.result) return 0;
  reportLimits(shown.result.limits, options.quiet);
  const inputCode = reportInputIssues(shown.result.issues, options.quiet, options.strict);
  return inputCode || failOnCode(shown.result.findings, options.failOn);
}

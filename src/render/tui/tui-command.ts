// TUI wiring for `finscope tui`: captures + options → a finished analysis (files) or a live source
// (`-`, a pipe) → runTuiApp. The CLI command calls this; when there is no terminal it returns
// { shown: false } and the command prints the summary instead (contract: non-TTY behaviour).

import { analyze, buildResult, resolveOptions, type AnalyzeOptions } from '../../analysis/analyze.js';
import type { AnalysisResult } from '../../analysis/analysis-result.js';
import { IssueLog } from '../../segment/input-issues.js';
import { sourceFromResult } from './data/analysis-source.js';
import { startLiveSource } from './data/live-source.js';
import { runTuiApp, tuiUnavailableReason } from './run-tui.js';

export interface TuiCommandOptions {
  captures: string[];
  /** As for every command (the CLI's `common(options)`); keepSegments is forced on. */
  analyzeOptions: AnalyzeOptions;
  /** `--filter`, applied at start and editable with `/` (an invalid one is shown with its error). */
  filter?: string;
  /** Where `d` writes SVG ladders (default: the current directory). */
  diagramDir?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Runs after a file's analysis, before the screen switches (the CLI ends its progress line here). */
  onAnalyzed?: (result: AnalysisResult) => void;
}

export interface TuiCommandResult {
  /** False: no terminal; nothing was read, and the caller should print the summary. */
  shown: boolean;
  reason?: string;
  /** The final analysis (file input, or a live input that ended before quit). */
  result?: AnalysisResult;
}

export async function runTuiCommand(options: TuiCommandOptions): Promise<TuiCommandResult> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const reason = tuiUnavailableReason(stdout, stdin);
  if (reason !== null) return { shown: false, reason };

  if (options.captures.includes('-')) {
    let final: AnalysisResult | undefined;
    const resolved = resolveOptions({ ...options.analyzeOptions, keepSegments: true });
    // No progress line: it would be written over the screen, and the title bar counts already.
    const { onProgress: _progress, ...live } = options.analyzeOptions;
    const source = startLiveSource({
      inputs: options.captures,
      analyzeOptions: { ...live, stdin },
      stdin,
      ...(options.diagramDir ? { diagramDir: options.diagramDir } : {}),
      engine: {
        analyze: async (inputs, o) => (final = await analyze(inputs, o)),
        // Input issues are not reachable mid-read (analyze keeps its IssueLog): an empty log until the end.
        snapshot: (tracker, addresses) => buildResult(tracker, addresses, new IssueLog(), undefined, resolved),
      },
    });
    await runTuiApp({ source, initialScreen: 'table', stdin, stdout, ...(options.filter ? { filter: options.filter } : {}) });
    source.close?.();
    return { shown: true, ...(final ? { result: final } : {}) };
  }

  const result = await analyze(options.captures, { ...options.analyzeOptions, keepSegments: true });
  options.onAnalyzed?.(result);
  const source = sourceFromResult(result, options.diagramDir ? { diagramDir: options.diagramDir } : {});
  await runTuiApp({ source, initialScreen: 'summary', stdin, stdout, ...(options.filter ? { filter: options.filter } : {}) });
  return { shown: true, result };
}

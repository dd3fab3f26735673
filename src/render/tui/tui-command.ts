// TUI wiring for `finscope tui`: captures + options → a finished analysis (files) or a live source
// (`-`, a pipe) → runTuiApp. The CLI command calls this; when there is no terminal it returns
// { shown: false } and the command prints the summary instead (contract: non-TTY behaviour).

import { analyze, buildResult, resolveOptions, type AnalyzeOptions } from '../../analysis/analyze.js';
import type { AnalysisResult } from '../../analysis/analysis-result.js';
import { UsageError } from '../../errors.js';
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
    if (stdin.isTTY) throw new UsageError('"-" reads a capture from standard input, which is a terminal here: pipe one in (tcpdump --immediate-mode -U -w - | finscope tui -)');
    let final: AnalysisResult | undefined;
    // A capture that cannot be read fails the command (exit 65) once the screen is closed; an
    // error caused by quitting (the pipe is closed under the reader) does not.
    let failure: unknown;
    let stopped = false;
    const resolved = resolveOptions({ ...options.analyzeOptions, keepSegments: true });
    const issues = new IssueLog(); // shared with analyze(), so snapshots show problems as they are found
    // No progress line: it would be written over the screen, and the title bar counts already.
    const { onProgress: _progress, ...live } = options.analyzeOptions;
    const source = startLiveSource({
      inputs: options.captures,
      analyzeOptions: { ...live, stdin, issues },
      stdin,
      ...(options.diagramDir ? { diagramDir: options.diagramDir } : {}),
      engine: {
        analyze: async (inputs, o) => {
          try {
            return (final = await analyze(inputs, o));
          } catch (error) {
            if (!stopped) failure = error;
            throw error;
          }
        },
        snapshot: (tracker, addresses) => buildResult(tracker, addresses, issues, undefined, resolved),
      },
    });
    const close = source.close?.bind(source);
    source.close = () => {
      stopped = true;
      close?.();
    };
    await runTuiApp({ source, initialScreen: 'table', stdin, stdout, ...(options.filter ? { filter: options.filter } : {}) });
    source.close();
    if (failure !== undefined) throw failure;
    return { shown: true, ...(final ? { result: final } : {}) };
  }

  const result = await analyze(options.captures, { ...options.analyzeOptions, keepSegments: true });
  options.onAnalyzed?.(result);
  const source = sourceFromResult(result, options.diagramDir ? { diagramDir: options.diagramDir } : {});
  await runTuiApp({ source, initialScreen: 'summary', stdin, stdout, ...(options.filter ? { filter: options.filter } : {}) });
  return { shown: true, result };
}

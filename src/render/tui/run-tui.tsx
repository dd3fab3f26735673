// TUI entry: a TuiSource → the interactive app on the terminal, in the alternate screen, with keys
// from standard input or (when that is the capture) the controlling terminal. Resolves on quit.

import { appendFileSync } from 'node:fs';
import React from 'react';
// Order matters: ink must be evaluated between these two (see ci-env-hide.ts).
import './ci-env-hide.js';
import { render } from 'ink';
import { App } from './App.js';
import './ci-env-restore.js';
import { enterAlternateScreen } from './alternate-screen.js';
import type { TuiSource } from './data/tui-source.js';
import { openKeyboard, type Keyboard } from './keyboard.js';

export interface RunTuiOptions {
  source: TuiSource;
  /** First screen: the summary (default for files) or the connections table (live). */
  initialScreen?: 'summary' | 'table';
  /** `--filter`: applied at start, editable with `/`. */
  filter?: string;
  /** Defaults: process.stdout, and keys from process.stdin or /dev/tty. */
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** Why the TUI cannot run here (the caller then prints the summary), or null when it can. */
export function tuiUnavailableReason(stdout: NodeJS.WriteStream = process.stdout, stdin: NodeJS.ReadStream = process.stdin): string | null {
  if (!stdout.isTTY) return 'standard output is not a terminal';
  if (stdin.isTTY) return null;
  const keyboard = openKeyboard(stdin);
  if (!keyboard) return 'no terminal to read keys from (standard input is not a terminal and /dev/tty cannot be opened)';
  keyboard.close();
  return null;
}

/**
 * Run the app until the user quits. The terminal is restored (alternate screen left, cursor shown,
 * raw mode off) on quit, on an error thrown here, on SIGTERM/SIGHUP and on an uncaught exception.
 * Throws when there is no terminal (check tuiUnavailableReason first) and rethrows a crash.
 */
export async function runTuiApp(options: RunTuiOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const keyboard: Keyboard | null = openKeyboard(options.stdin ?? process.stdin);
  if (!keyboard) throw new Error('no terminal to read keys from');
  const screen = enterAlternateScreen(stdout, {
    keyboard: keyboard.stream,
    onSignal: () => options.source.close?.(),
  });
  const trace = process.env.FINSCOPE_TUI_TRACE ? traceKeyToFrame(keyboard.stream, stdout, process.env.FINSCOPE_TUI_TRACE) : null;
  try {
    const instance = render(
      <App
        source={options.source}
        {...(options.initialScreen ? { initialScreen: options.initialScreen } : {})}
        {...(options.filter ? { initialFilter: options.filter } : {})}
        onQuit={() => options.source.close?.()}
      />,
      {
        stdout,
        stdin: keyboard.stream,
        // Ctrl-C is a key like any other (the keymap quits); ink's own handler would skip our cleanup order.
        exitOnCtrlC: false,
        patchConsole: true,
        maxFps: 60,
      },
    );
    try {
      await instance.waitUntilExit();
    } finally {
      instance.unmount();
      instance.cleanup();
    }
  } finally {
    options.source.close?.();
    screen.restore();
    keyboard.close();
    trace?.();
  }
}

/**
 * FINSCOPE_TUI_TRACE=FILE (benchmarks): for each key, milliseconds from its bytes arriving to the
 * first frame byte written after it, one number per line appended to FILE on exit. Listens to
 * 'readable' without reading, so ink still gets every byte.
 */
function traceKeyToFrame(keys: NodeJS.ReadStream, stdout: NodeJS.WriteStream, file: string): () => void {
  const times: number[] = [];
  let pending = -1;
  const onKey = () => {
    if (pending < 0) pending = performance.now();
  };
  keys.prependListener('readable', onKey);
  const write = stdout.write;
  stdout.write = function (this: NodeJS.WriteStream, ...args: Parameters<typeof write>) {
    if (pending >= 0) {
      times.push(performance.now() - pending);
      pending = -1;
    }
    return write.apply(this, args);
  } as typeof write;
  return () => {
    keys.off('readable', onKey);
    stdout.write = write;
    if (times.length) appendFileSync(file, times.map((t) => t.toFixed(2)).join('\n') + '\n');
  };
}

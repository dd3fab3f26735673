// TUI terminal stage: enter the alternate screen at start and leave it on every way out (normal
// exit, Ctrl-C, SIGTERM/SIGHUP, a crash), so the user's shell scrollback is never overwritten.
// ink 6 has no alternate-screen support, and fullscreen-ink restores only on a normal exit.

import { writeSync } from 'node:fs';

export const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[2J\x1b[H';
/** Show the cursor (ink hides it), then leave the alternate screen. */
export const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

export interface AlternateScreen {
  /** Leave the alternate screen (idempotent) and remove the handlers. */
  restore(): void;
}

export interface AlternateScreenOptions {
  /** Also undone on exit: raw mode on the keyboard stream. */
  keyboard?: { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown } | undefined;
  /** Runs before the process ends on a signal (stop a live capture reader, say). */
  onSignal?: (signal: NodeJS.Signals) => void;
}

const SIGNAL_NUMBER: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Write synchronously when the stream is a file descriptor: at 'exit' and after an uncaught
 *  exception an asynchronous write would never be flushed. */
function writeNow(stream: NodeJS.WriteStream, text: string): void {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd === 'number') {
    try {
      writeSync(fd, text);
      return;
    } catch {
      // fall through to the stream (a closed fd, or not a real descriptor)
    }
  }
  try {
    stream.write(text);
  } catch {
    // Nothing more can be done for a destroyed stream.
  }
}

export function enterAlternateScreen(stream: NodeJS.WriteStream, options: AlternateScreenOptions = {}): AlternateScreen {
  let active = true;
  const restore = () => {
    if (!active) return;
    active = false;
    process.off('exit', restore);
    process.off('uncaughtExceptionMonitor', restore);
    for (const s of Object.keys(SIGNAL_NUMBER) as NodeJS.Signals[]) process.off(s, onSignal);
    try {
      if (options.keyboard?.isTTY) options.keyboard.setRawMode?.(false);
    } catch {
      // The keyboard stream may already be closed.
    }
    writeNow(stream, LEAVE_ALTERNATE_SCREEN);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    options.onSignal?.(signal);
    restore();
    // The conventional status for death by a signal.
    process.exit(128 + (SIGNAL_NUMBER[signal] ?? 0));
  };
  writeNow(stream, ENTER_ALTERNATE_SCREEN);
  process.on('exit', restore);
  // The monitor runs before Node prints the error and exits, without changing that behaviour.
  process.on('uncaughtExceptionMonitor', restore);
  for (const s of Object.keys(SIGNAL_NUMBER) as NodeJS.Signals[]) process.on(s, onSignal);
  return { restore };
}

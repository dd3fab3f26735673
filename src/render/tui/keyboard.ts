// TUI input stage: where keys come from. Standard input when it is a terminal; otherwise (it is
// the capture: `tcpdump -w - | finscope tui -`) the controlling terminal, opened as /dev/tty.

import { openSync, closeSync } from 'node:fs';
import tty from 'node:tty';

export interface Keyboard {
  stream: NodeJS.ReadStream;
  /** Release the terminal (only closes what this module opened). */
  close(): void;
}

/** The keyboard, or null when there is no terminal to read keys from (cron, CI, ssh without -t). */
export function openKeyboard(stdin: NodeJS.ReadStream = process.stdin): Keyboard | null {
  if (stdin.isTTY) return { stream: stdin, close: () => {} };
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r');
  } catch {
    return null;
  }
  if (!tty.isatty(fd)) {
    closeSync(fd);
    return null;
  }
  const stream = new tty.ReadStream(fd) as NodeJS.ReadStream;
  return {
    stream,
    close: () => {
      try {
        stream.setRawMode(false);
      } catch {
        // already closed
      }
      // destroy() closes the descriptor and lets the event loop end.
      stream.destroy();
    },
  };
}

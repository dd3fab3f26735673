// TUI hook: the output stream's size, re-read on every 'resize' so the app re-lays out.

import { useEffect, useState } from 'react';
import { useStdout } from 'ink';
import type { TerminalSize } from '../state/layout.js';

const read = (stdout: NodeJS.WriteStream): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });

/**
 * Columns and rows of ink's stdout (80x24 when it is not a terminal).
 *
 * @example
 * const { columns, rows } = useTerminalSize();
 */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = () => {
      const next = read(stdout);
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

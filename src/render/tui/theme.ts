// TUI styling stage: semantic tokens (what a thing is) → ink Text props (how it looks). Components
// name tokens, never colours, so the palette changes in one place and agrees with the text table.

import type { TcpState } from '../../analysis/flow-record.js';
import type { Severity } from '../../diagnosis/finding.js';

/** The subset of ink's Text props a token sets. */
export interface TextStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

/** Same palette as the `flows` table (src/render/flows.ts): leaks red, closing yellow, done dim. */
const STATE: Record<TcpState, TextStyle> = {
  CLOSE_WAIT: { color: 'red', bold: true },
  LAST_ACK: { color: 'yellow' },
  FIN_WAIT_1: { color: 'yellow' },
  FIN_WAIT_2: { color: 'yellow' },
  CLOSING: { color: 'yellow' },
  TIME_WAIT: { dimColor: true },
  CLOSED: { dimColor: true },
  ESTABLISHED: { color: 'green' },
  UNKNOWN: { color: 'magenta' },
  SYN_SENT: { color: 'cyan' },
  SYN_RECEIVED: { color: 'cyan' },
};

const SEVERITY: Record<Severity, TextStyle> = {
  error: { color: 'red', bold: true },
  warning: { color: 'yellow', bold: true },
  info: { color: 'cyan' },
};

export const theme = {
  state: (s: TcpState): TextStyle => STATE[s],
  severity: (s: Severity): TextStyle => SEVERITY[s],
  /** The selected row of a list. */
  selection: { inverse: true } as TextStyle,
  title: { bold: true } as TextStyle,
  heading: { bold: true, underline: true } as TextStyle,
  columnHeader: { bold: true, dimColor: true } as TextStyle,
  muted: { dimColor: true } as TextStyle,
  accent: { color: 'cyan' } as TextStyle,
  live: { color: 'green', bold: true } as TextStyle,
  status: {
    info: { color: 'cyan' } as TextStyle,
    success: { color: 'green' } as TextStyle,
    error: { color: 'red', bold: true } as TextStyle,
  },
  filter: {
    prompt: { color: 'cyan', bold: true } as TextStyle,
    error: { color: 'red' } as TextStyle,
    /** The character an error points at. */
    errorAt: { color: 'red', inverse: true } as TextStyle,
  },
  ladder: {
    orig: { color: 'cyan' } as TextStyle,
    resp: { color: 'magenta' } as TextStyle,
    /** SYN, FIN and RST arrows stand out from data and pure ACKs. */
    syn: { color: 'green' } as TextStyle,
    fin: { color: 'yellow', bold: true } as TextStyle,
    rst: { color: 'red', bold: true } as TextStyle,
    gap: { color: 'blue' } as TextStyle,
    end: { bold: true } as TextStyle,
  },
};

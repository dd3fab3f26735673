// TCP state → colour and CSS class, shared by the ladder, the timeline and the HTML report.

import type { TcpState } from '../../analysis/flow-record.js';

/** Every state name in the contract, in the order a connection usually passes through them. */
export const TCP_STATES: readonly TcpState[] = [
  'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING',
  'LAST_ACK', 'TIME_WAIT', 'CLOSED', 'UNKNOWN',
];

/** Colours chosen so the states that matter for leaks (CLOSE_WAIT red, FIN_WAIT_2 orange) stand
 *  out against the normal ones (ESTABLISHED green); colour is never the only cue: names are drawn too. */
export const STATE_COLOR: Readonly<Record<TcpState, string>> = {
  SYN_SENT: '#9ecae1',
  SYN_RECEIVED: '#6baed6',
  ESTABLISHED: '#31a354',
  FIN_WAIT_1: '#fdae6b',
  FIN_WAIT_2: '#e6550d',
  CLOSE_WAIT: '#d62728',
  CLOSING: '#9467bd',
  LAST_ACK: '#c51b8a',
  TIME_WAIT: '#8c8c8c',
  CLOSED: '#d9d9d9',
  UNKNOWN: '#c7c7c7',
};

/** CSS class for a state: `st-close-wait`. State names are a closed set, so the class is safe. */
export function stateClass(state: TcpState): string {
  return 'st-' + state.toLowerCase().replace(/_/g, '-');
}

/** CSS rules giving each state class its fill (for bars) under a root selector. */
export function stateCss(root: string): string {
  return TCP_STATES.map((s) => `${root} .${stateClass(s)}{fill:${STATE_COLOR[s]}}`).join('\n');
}

/** Monospace stack: the first one installed wins; DejaVu Sans Mono is what resvg finds on Debian. */
export const MONO_FONT_STACK = `ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace`;

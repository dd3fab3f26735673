// TCP tracking: the per-endpoint state machine (RFC 9293 §3.3.2 names) as one pure transition table.
// (state, event) → next state; the tracker derives the events from each segment and records changes.

import type { TcpState } from '../analysis/flow-record.js';

export type { TcpState };

/** Numeric state codes (hot path); STATE_NAMES maps them to the contract's spellings. */
export const S_UNKNOWN = 0;
export const S_CLOSED = 1;
export const S_SYN_SENT = 2;
export const S_SYN_RECEIVED = 3;
export const S_ESTABLISHED = 4;
export const S_FIN_WAIT_1 = 5;
export const S_FIN_WAIT_2 = 6;
export const S_CLOSE_WAIT = 7;
export const S_CLOSING = 8;
export const S_LAST_ACK = 9;
export const S_TIME_WAIT = 10;
const STATE_COUNT = 11;

export const STATE_NAMES: readonly TcpState[] = [
  'UNKNOWN', 'CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
];

export function stateCode(name: TcpState): number {
  return STATE_NAMES.indexOf(name);
}

/** What an endpoint did or had done to it, as the wire shows it. */
export const E_SEND_SYN = 0;        // sent a SYN without ACK (first one, or one with a new ISN)
export const E_SEND_SYN_ACK = 1;    // sent a SYN+ACK
export const E_RECV_SYN = 2;        // received a SYN without ACK
export const E_RECV_SYN_ACK = 3;    // received a SYN+ACK
export const E_SYN_ACKED = 4;       // the peer acknowledged our SYN with a non-SYN segment
export const E_SEND_ACK = 5;        // sent a non-SYN, non-RST segment with ACK: we are synchronized
export const E_SEND_DATA = 6;       // sent payload outside a SYN: we are synchronized and open
export const E_SEND_FIN = 7;        // sent a FIN (first one; retransmissions are not events)
export const E_RECV_FIN = 8;        // received the peer's FIN (first one)
export const E_FIN_ACKED = 9;       // the peer acknowledged our FIN (ack >= FIN seq + 1)
export const E_SEND_RST = 10;       // sent an acceptable RST: we have no connection any more
export const E_RECV_RST = 11;       // received an RST that passed the window check
export const E_TIME_WAIT_EXPIRED = 12; // kernel timer: 2MSL (Linux: 60 s) passed in TIME_WAIT
export const E_FIN_TIMEOUT = 13;    // kernel timer: orphaned FIN_WAIT_2 reaped (tcp_fin_timeout)
const EVENT_COUNT = 14;

export const EVENT_NAMES: readonly string[] = [
  'send-syn', 'send-syn-ack', 'recv-syn', 'recv-syn-ack', 'syn-acked', 'send-ack', 'send-data',
  'send-fin', 'recv-fin', 'fin-acked', 'send-rst', 'recv-rst', 'time-wait-expired', 'fin-timeout',
];

type Row = { [event: number]: number };

/**
 * The transition table. A missing entry means "no change": the state machine never throws and
 * never guesses; an event the state does not expect (a FIN in SYN_SENT, data in TIME_WAIT) leaves
 * the state as it is.
 */
const TABLE: { [state: number]: Row } = {
  [S_UNKNOWN]: {
    // Capture started mid-flow: the first evidence decides.
    [E_SEND_SYN]: S_SYN_SENT,        // a SYN from an endpoint we knew nothing about: active open
    [E_SEND_SYN_ACK]: S_SYN_RECEIVED, // we missed the SYN; its answer shows the passive open
    [E_RECV_SYN_ACK]: S_ESTABLISHED, // we missed our SYN; the answer completes our handshake
    [E_SEND_ACK]: S_ESTABLISHED,     // an ACK-bearing segment proves the endpoint is synchronized
    [E_SEND_DATA]: S_ESTABLISHED,    // same, with data
    [E_SEND_FIN]: S_FIN_WAIT_1,      // active close of a connection we saw only mid-flow
    [E_RECV_FIN]: S_CLOSE_WAIT,      // the peer closed first; this endpoint now owes a FIN
    [E_SEND_RST]: S_CLOSED,          // abort
    [E_RECV_RST]: S_CLOSED,          // reset by the peer
  },
  [S_CLOSED]: {
    // No socket for this 4-tuple (yet, or any more).
    [E_SEND_SYN]: S_SYN_SENT,        // active open (RFC 9293: CLOSED → SYN-SENT on "active OPEN")
    [E_SEND_SYN_ACK]: S_SYN_RECEIVED, // passive open: the listener answered the SYN (LISTEN → SYN-RECEIVED)
  },
  [S_SYN_SENT]: {
    [E_RECV_SYN]: S_SYN_RECEIVED,    // simultaneous open (RFC 9293 §3.5, figure 8)
    [E_RECV_SYN_ACK]: S_ESTABLISHED, // normal three-way handshake, step 3
    [E_SEND_ACK]: S_ESTABLISHED,     // we missed the SYN+ACK, but its ACK proves it arrived
    [E_SEND_DATA]: S_ESTABLISHED,    // same, with data
    [E_SEND_FIN]: S_FIN_WAIT_1,      // missed SYN+ACK, then an active close
    [E_SEND_RST]: S_CLOSED,          // connect() abandoned
    [E_RECV_RST]: S_CLOSED,          // "connection refused": RST acknowledging our SYN
  },
  [S_SYN_RECEIVED]: {
    [E_RECV_SYN_ACK]: S_ESTABLISHED, // simultaneous open completes
    [E_SYN_ACKED]: S_ESTABLISHED,    // third segment of the handshake acknowledges our SYN
    [E_SEND_ACK]: S_ESTABLISHED,     // a full socket answers with plain ACKs (a request sock only re-sends SYN+ACK)
    [E_SEND_DATA]: S_ESTABLISHED,    // we missed that ACK, but we are sending data
    [E_SEND_FIN]: S_FIN_WAIT_1,      // RFC 9293: close in SYN-RECEIVED sends FIN → FIN-WAIT-1
    [E_RECV_FIN]: S_CLOSE_WAIT,      // the handshake ACK was lost or not captured; FIN still closes
    [E_SEND_RST]: S_CLOSED,          // listener refused after all (backlog, policy)
    [E_RECV_RST]: S_CLOSED,          // RFC 9293: RST in SYN-RECEIVED ends the attempt
  },
  [S_ESTABLISHED]: {
    [E_SEND_FIN]: S_FIN_WAIT_1,      // we close first (active close)
    [E_RECV_FIN]: S_CLOSE_WAIT,      // peer closed first; we now owe a FIN (the leak starts here)
    [E_SEND_RST]: S_CLOSED,          // abortive close (SO_LINGER 0, process killed with data unread)
    [E_RECV_RST]: S_CLOSED,          // reset by the peer
  },
  [S_FIN_WAIT_1]: {
    [E_FIN_ACKED]: S_FIN_WAIT_2,     // our FIN is acknowledged; waiting for the peer's FIN
    [E_RECV_FIN]: S_CLOSING,         // simultaneous close: the peer's FIN arrives before its ACK of ours
    [E_SEND_RST]: S_CLOSED,
    [E_RECV_RST]: S_CLOSED,
  },
  [S_FIN_WAIT_2]: {
    [E_RECV_FIN]: S_TIME_WAIT,       // the peer closed too; we ACK it and wait 2MSL
    [E_FIN_TIMEOUT]: S_CLOSED,       // orphaned socket reaped by tcp_fin_timeout; the peer may still be in CLOSE_WAIT
    [E_SEND_RST]: S_CLOSED,
    [E_RECV_RST]: S_CLOSED,
  },
  [S_CLOSE_WAIT]: {
    [E_SEND_FIN]: S_LAST_ACK,        // the application finally called close()
    [E_SEND_RST]: S_CLOSED,          // closed with unread data (Linux sends RST), or aborted
    [E_RECV_RST]: S_CLOSED,          // peer gave up (e.g. its orphaned FIN_WAIT_2 is gone and it answers our write with RST)
  },
  [S_CLOSING]: {
    [E_FIN_ACKED]: S_TIME_WAIT,      // simultaneous close: our FIN acknowledged too
    [E_SEND_RST]: S_CLOSED,
    [E_RECV_RST]: S_CLOSED,
  },
  [S_LAST_ACK]: {
    [E_FIN_ACKED]: S_CLOSED,         // passive close complete
    [E_SEND_RST]: S_CLOSED,
    [E_RECV_RST]: S_CLOSED,
  },
  [S_TIME_WAIT]: {
    [E_TIME_WAIT_EXPIRED]: S_CLOSED, // 2MSL elapsed (Linux TCP_TIMEWAIT_LEN, 60 s)
    [E_RECV_RST]: S_CLOSED,          // Linux (tcp_rfc1337 = 0) lets an RST end TIME_WAIT early
    // A SYN with a new ISN here is port reuse: the tracker opens a new connection instead.
  },
};

/** Flattened table for the hot path: NEXT[state * EVENT_COUNT + event], -1 when no change. */
const NEXT = new Int8Array(STATE_COUNT * EVENT_COUNT).fill(-1);
for (const [state, row] of Object.entries(TABLE)) {
  for (const [event, next] of Object.entries(row)) NEXT[Number(state) * EVENT_COUNT + Number(event)] = next;
}

/** The state after `event`, or -1 when the event does not change `state`. */
export function nextState(state: number, event: number): number {
  return NEXT[state * EVENT_COUNT + event]!;
}

/** States in which the endpoint has closed its sending side (sent a FIN) or is gone. */
export function isClosedOrClosing(state: number): boolean {
  return state === S_CLOSED || state === S_TIME_WAIT || state === S_FIN_WAIT_1 || state === S_FIN_WAIT_2
    || state === S_CLOSING || state === S_LAST_ACK;
}

// The contract's per-connection record (flows --format ndjson keys), produced from a Connection.

import type { Finding } from '../diagnosis/finding.js';

export type TcpState =
  | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2' | 'CLOSE_WAIT'
  | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSED' | 'UNKNOWN';

export type ZeekConnState =
  | 'S0' | 'S1' | 'SF' | 'REJ' | 'S2' | 'S3' | 'RSTO' | 'RSTR' | 'RSTOS0' | 'RSTRH' | 'SH' | 'SHR' | 'OTH';

/** One row of `finscope flows`; keys and meanings are fixed by the contract. */
export interface FlowRecord {
  id: number;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  ts: number;
  duration: number;
  orig_pkts: number;
  resp_pkts: number;
  orig_bytes: number;
  resp_bytes: number;
  conn_state: ZeekConnState;
  history: string;
  orig_state: TcpState;
  resp_state: TcpState;
  first_fin: 'orig' | 'resp' | null;
  findings: Finding[];
  /** Bytes of each side its peer acknowledged but the capture never showed, ending its sequence
   *  space (its last segments were lost, perhaps with its FIN): when > 0, the states that loss could
   *  change are UNKNOWN. Beyond the contract's keys. */
  orig_acked_unseen?: number;
  resp_acked_unseen?: number;
}

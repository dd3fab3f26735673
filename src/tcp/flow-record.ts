// TCP tracking → output: one Connection as the contract's flow record (flows --format ndjson keys).
// Findings are attached later by the diagnosis stage.

import type { AddressTable } from '../segment/address-table.js';
import type { FlowRecord, ZeekConnState } from '../analysis/flow-record.js';
import type { Connection } from './connection.js';

export function toFlowRecord(conn: Connection, addresses: AddressTable): FlowRecord {
  return {
    id: conn.id,
    // IPv6 printed plain (no brackets), as Zeek's conn.log does
    orig_h: addresses.toText(conn.orig.addr),
    orig_p: conn.orig.port,
    resp_h: addresses.toText(conn.resp.addr),
    resp_p: conn.resp.port,
    ts: conn.ts,
    duration: conn.duration,
    orig_pkts: conn.orig.packets,
    resp_pkts: conn.resp.packets,
    // Zeek's *_bytes: payload from sequence numbers (TCP_Endpoint::Size); the raw sum of payload
    // lengths (retransmissions included) is Endpoint.payloadBytes.
    orig_bytes: conn.orig.z.size(),
    resp_bytes: conn.resp.z.size(),
    conn_state: conn.connState as ZeekConnState,
    history: conn.history,
    orig_state: conn.origState,
    resp_state: conn.respState,
    first_fin: conn.firstFin,
    findings: [],
    orig_acked_unseen: conn.orig.ackedUnseen,
    resp_acked_unseen: conn.resp.ackedUnseen,
  };
}

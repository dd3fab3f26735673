// TCP tracking stage: public API (segments in → connections with per-endpoint states out).

export { ConnectionTracker, DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from './connection-tracker.js';
export { Connection, Endpoint, type EndpointRole, type StateChange } from './connection.js';
export { SegmentStore } from './segment-store.js';
export { toFlowRecord } from './flow-record.js';
export {
  STATE_NAMES, stateCode, nextState, EVENT_NAMES, type TcpState,
} from './endpoint-state.js';
export { ZeekSession, ZeekEndpoint, ZEEK_STATE_NAMES } from './zeek-session.js';
export { isLikelyServerPort } from './likely-server-ports.js';
export { seqAdd, seqDiff, seqLt, seqLeq, seqGt, seqGeq, seqBetween, seqMax } from './sequence-number.js';

// Diagnosis policy: every limit a rule uses, named and documented, with defaults (CLI-overridable).
// The engine says what happened; these numbers decide what to call it (Zeek's policy/mechanism split).

export interface Thresholds {
  // ---- fin-not-returned -------------------------------------------------------------------
  /** Seconds in CLOSE_WAIT below which fin-not-returned is only info: a close() may simply be in
   *  flight when the capture stopped (`--min-age`, default 5). */
  minAge: number;
  /** Seconds in CLOSE_WAIT at or above which fin-not-returned is an error (default 60: longer than
   *  any sane request, and longer than the peer's orphaned FIN_WAIT_2 lives with tcp_fin_timeout). */
  errorAge: number;

  // ---- unanswered-request / idle-pool-close-wait ----------------------------------------------
  /** Seconds of silence between the peer's last data and its FIN/RST for that close to count as
   *  "gave up waiting" rather than a normal end of exchange (default 1). */
  minIdle: number;
  /** Seconds within which an application that watches its idle sockets answers the peer's FIN with
   *  its own (it reacts to EOF at once); an end still open after this did not notice (default 0.2). */
  closeReaction: number;

  // ---- peer-timeout -------------------------------------------------------------------------
  /** Connections that must share one idle time before it is called a timeout (default 3). */
  peerTimeoutMinCount: number;
  /** Share of the group's idle closes the cluster must hold (default 0.5). */
  peerTimeoutMinShare: number;
  /** Cluster width: idle times within max(abs, rel × value) of each other are the same timer
   *  (defaults 0.25 s and 2 %). */
  peerTimeoutToleranceAbs: number;
  peerTimeoutToleranceRel: number;
  /** Tolerance for naming a well-known default that matches the measured value (defaults 0.5 s, 3 %). */
  knownTimeoutToleranceAbs: number;
  knownTimeoutToleranceRel: number;

  // ---- duplicate-connection -----------------------------------------------------------------
  /** Seconds after the server's FIN on the CLOSE_WAIT connection within which the new connection
   *  from the same host must start: a client that reconnects at once saw the EOF, so the socket
   *  staying open points at a second holder of the descriptor (default 10). */
  reconnectWindow: number;

  // ---- time-wait-pile-up --------------------------------------------------------------------
  /** TIME_WAIT sockets on one host towards one service at capture end: info / warning / error.
   *  Linux's default ephemeral range (32768–60999) holds 28,232 ports per destination. */
  timeWaitInfo: number;
  timeWaitWarning: number;
  timeWaitError: number;

  // ---- syn-unanswered / accept-backlog-overflow / connection-refused -------------------------
  /** Seconds a SYN may stay unanswered at capture end before it counts (Linux retransmits after 1 s). */
  synMinAge: number;
  /** Refused connections to one port from which the finding becomes a warning (default 3). */
  refusedWarningCount: number;

  // ---- zero-window --------------------------------------------------------------------------
  /** Seconds a zero window must last (or last until capture end) to be a warning (default 1). */
  zeroWindowMinDuration: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  minAge: 5,
  errorAge: 60,
  minIdle: 1,
  closeReaction: 0.2,
  peerTimeoutMinCount: 3,
  peerTimeoutMinShare: 0.5,
  peerTimeoutToleranceAbs: 0.25,
  peerTimeoutToleranceRel: 0.02,
  knownTimeoutToleranceAbs: 0.5,
  knownTimeoutToleranceRel: 0.03,
  reconnectWindow: 10,
  timeWaitInfo: 500,
  timeWaitWarning: 10_000,
  timeWaitError: 25_000,
  synMinAge: 1,
  refusedWarningCount: 3,
  zeroWindowMinDuration: 1,
});

/** Defaults overridden by the given values (undefined values are ignored). */
export function resolveThresholds(overrides: Partial<Thresholds> | undefined): Thresholds {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS };
  if (overrides) {
    for (const key of Object.keys(overrides) as (keyof Thresholds)[]) {
      const v = overrides[key];
      if (typeof v === 'number' && Number.isFinite(v)) t[key] = v;
    }
  }
  return t;
}

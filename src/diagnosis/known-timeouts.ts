// Diagnosis data: well-known idle/read timeout defaults, for naming what a measured idle time matches.
// A match is a hint, never a certainty: many products share round numbers, and configs override them.

/** Which end of a connection usually runs the timer (to order hints by who closed). */
export type TimerSide = 'server' | 'client' | 'proxy' | 'kernel';

export interface KnownTimeout {
  seconds: number;
  /** What the user would grep their config for. */
  name: string;
  side: TimerSide;
}

/** Defaults as documented by each project (versions noted where they changed). */
export const KNOWN_TIMEOUTS: readonly KnownTimeout[] = [
  { seconds: 2, name: 'gunicorn keepalive (2 s)', side: 'server' },
  { seconds: 5, name: 'Node.js http server.keepAliveTimeout (5 s before Node 24)', side: 'server' },
  { seconds: 5, name: 'Apache httpd KeepAliveTimeout (5 s)', side: 'server' },
  { seconds: 5, name: 'uvicorn --timeout-keep-alive (5 s)', side: 'server' },
  { seconds: 5, name: 'nginx lingering_timeout (5 s)', side: 'server' },
  { seconds: 5, name: 'Java HttpURLConnection keep-alive (5 s)', side: 'client' },
  { seconds: 15, name: 'Apache httpd 2.0 KeepAliveTimeout (15 s)', side: 'server' },
  { seconds: 20, name: 'Tomcat connectionTimeout/keepAliveTimeout (20 s in the shipped server.xml)', side: 'server' },
  { seconds: 20, name: 'Puma persistent_timeout (20 s)', side: 'server' },
  { seconds: 30, name: 'Jetty idleTimeout (30 s)', side: 'server' },
  { seconds: 50, name: 'HAProxy timeout client/server (50 s in the packaged example config)', side: 'proxy' },
  { seconds: 60, name: 'nginx proxy_read_timeout / send_timeout / client_header_timeout (60 s)', side: 'proxy' },
  { seconds: 60, name: 'nginx upstream keepalive_timeout (60 s)', side: 'proxy' },
  { seconds: 60, name: 'Tomcat connectionTimeout without server.xml (60 s)', side: 'server' },
  { seconds: 60, name: 'Apache httpd Timeout (60 s)', side: 'server' },
  { seconds: 60, name: 'Node.js server.headersTimeout (60 s)', side: 'server' },
  { seconds: 60, name: 'AWS Application Load Balancer idle timeout (60 s)', side: 'proxy' },
  { seconds: 60, name: 'Linux tcp_fin_timeout (60 s, orphaned FIN_WAIT_2)', side: 'kernel' },
  { seconds: 65, name: 'Node.js http server.keepAliveTimeout (65 s from Node 24)', side: 'server' },
  { seconds: 75, name: 'nginx keepalive_timeout (75 s)', side: 'server' },
  { seconds: 90, name: 'Go net/http DefaultTransport IdleConnTimeout (90 s)', side: 'client' },
  { seconds: 240, name: 'Azure Load Balancer idle timeout (4 min)', side: 'proxy' },
  { seconds: 300, name: 'Node.js server.requestTimeout (300 s, Node 18+)', side: 'server' },
  { seconds: 300, name: 'OkHttp ConnectionPool keep-alive (5 min)', side: 'client' },
  { seconds: 300, name: 'a common proxy_read_timeout override (300 s)', side: 'proxy' },
  { seconds: 350, name: 'AWS Network Load Balancer idle timeout (350 s)', side: 'proxy' },
  { seconds: 600, name: 'PgBouncer server_idle_timeout (600 s)', side: 'proxy' },
  { seconds: 610, name: 'Google Cloud HTTP(S) load balancer keep-alive (610 s)', side: 'proxy' },
  { seconds: 3600, name: 'Envoy idle_timeout (1 h)', side: 'proxy' },
  { seconds: 7200, name: 'Linux tcp_keepalive_time (2 h)', side: 'kernel' },
  { seconds: 28800, name: 'MySQL wait_timeout (8 h)', side: 'server' },
];

/**
 * Known defaults within max(abs, rel × seconds) of `seconds` that the closing side could be running:
 * its own kind of timer, a proxy's (a proxy is the server of one connection and the client of the
 * next), or the kernel's; its own kind first. A client's read timeout is never a server keep-alive.
 */
export function matchKnownTimeouts(
  seconds: number,
  closerSide: 'server' | 'client',
  tolerance: { abs: number; rel: number },
): KnownTimeout[] {
  const out: KnownTimeout[] = [];
  for (const k of KNOWN_TIMEOUTS) {
    if (k.side !== closerSide && k.side !== 'proxy' && k.side !== 'kernel') continue;
    if (Math.abs(k.seconds - seconds) <= Math.max(tolerance.abs, tolerance.rel * k.seconds)) out.push(k);
  }
  const rank = (k: KnownTimeout) => (k.side === closerSide ? 0 : k.side === 'proxy' ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b));
}

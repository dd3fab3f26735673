// TCP tracking: Zeek's `likely_server_ports` for TCP, used only to pick the originator of a
// connection whose first segment is not a SYN (TCPAnalyzer::WantConnection).
//
// Zeek builds this set from the `ports` option of every protocol script it loads
// (`redef likely_server_ports += { ports }`), so the exact set depends on the scripts. This list is
// the TCP ports registered by the scripts a default `zeek -r` loads (base/protocols/*): dce-rpc,
// dnp3, dns, ftp, http, imap, irc, krb, ldap, modbus, mqtt, mysql, pop3, postgresql, rdp, redis, smb,
// smtp, socks, ssh, ssl, xmpp. Ports nobody registers (9000, 8081, ...) never make Zeek flip.

import { ACK, SYN } from '../segment/tcp-segment.js';

const PORTS = [
  21, 22, 25, 53, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587, 614, 631,
  636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432,
  6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
];

const SET = new Uint8Array(65536);
for (const p of PORTS) SET[p] = 1;

export function isLikelyServerPort(port: number): boolean {
  return SET[port] === 1;
}

/**
 * Zeek's decision for a connection whose first segment is not a plain SYN: flip the roles (make
 * the receiver of that segment the originator) when the source port looks like a server's.
 */
export function zeekFlipsAtStart(flags: number, sport: number, dport: number): boolean {
  const isSyn = (flags & SYN) !== 0;
  if (isSyn && (flags & ACK) === 0) return false;
  if (!isLikelyServerPort(sport)) return false;
  if (isLikelyServerPort(dport)) return !isSyn && sport < dport; // both plausible: favour the lower port as server
  return true;
}

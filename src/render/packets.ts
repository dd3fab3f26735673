// Renders one TcpSegment as a line for `finscope packets`: tcpdump-like text (as `tcpdump -S -tt -n`
// prints it) or an NDJSON object with the contract's keys.

import type { AddressTable } from '../segment/address-table.js';
import { ACK, FIN, RST, SYN, URG, flagString, type TcpSegment } from '../segment/tcp-segment.js';
import { escapeTerminal, jsonSafe } from './escape.js';

/** `1700000000.123456`: epoch seconds with microseconds, as tcpdump -tt prints them. */
export function formatEpochMicros(seg: TcpSegment): string {
  const micros = Math.floor(seg.tsNsec / 1000);
  return `${seg.tsSec}.${String(micros).padStart(6, '0')}`;
}

/**
 * `1700000000.123456 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S.], seq 1, ack 2, win 3, options [mss 1460], length 0`.
 * Absolute sequence numbers; `seq` only where tcpdump prints it (payload, or SYN/FIN/RST), `ack`
 * only with the ACK flag. Options are listed in a fixed order (the capture's order and NOPs are
 * not kept). `flowId` is not part of tcpdump's line and is not printed.
 */
export function formatPacketText(seg: TcpSegment, addresses: AddressTable, _flowId?: number): string {
  const ip = addresses.isV6(seg.src) || seg.ipVersion === 6 ? 'IP6' : 'IP';
  // Host names from tcpdump text are capture data: escaped (a plain-text fast path) before a terminal sees them.
  let line = `${formatEpochMicros(seg)} ${ip} ${escapeTerminal(addresses.toText(seg.src))}.${seg.sport} > ${escapeTerminal(addresses.toText(seg.dst))}.${seg.dport}: Flags [${flagString(seg.flags)}]`;
  if (seg.payloadLength > 0) line += `, seq ${seg.seq}:${(seg.seq + seg.payloadLength) % 4294967296}`;
  else if ((seg.flags & (SYN | FIN | RST)) !== 0) line += `, seq ${seg.seq}`;
  if ((seg.flags & ACK) !== 0) line += `, ack ${seg.ack}`;
  line += `, win ${seg.window}`;
  if ((seg.flags & URG) !== 0) line += `, urg ${seg.urgent}`;
  const options = formatOptions(seg);
  if (options) line += `, options [${options}]`;
  line += `, length ${seg.payloadLength}`;
  return line;
}

function formatOptions(seg: TcpSegment): string {
  const parts: string[] = [];
  if (seg.mss >= 0) parts.push(`mss ${seg.mss}`);
  if (seg.sackPermitted) parts.push('sackOK');
  if (seg.hasTimestamps) parts.push(`TS val ${seg.tsVal} ecr ${seg.tsEcr}`);
  if (seg.windowScale >= 0) parts.push(`wscale ${seg.windowScale}`);
  if (seg.sackCount > 0) {
    let sack = `sack ${seg.sackCount}`;
    for (let i = 0; i < seg.sackCount; i++) sack += ` {${seg.sackEdges[2 * i]}:${seg.sackEdges[2 * i + 1]}}`;
    parts.push(sack);
  }
  return parts.join(',');
}

/**
 * `{"ts":1700000000.123456,"src":"10.0.0.1","sport":1234,"dst":"10.0.0.2","dport":80,"flags":"S.",
 * "seq":1,"ack":2,"win":3,"len":0,"flow":7}`: exactly the contract's keys. `ts` keeps six decimals
 * in the text; `ack` is the header field whether or not the ACK flag is set.
 */
export function formatPacketNdjson(seg: TcpSegment, addresses: AddressTable, flowId: number): string {
  return `{"ts":${formatEpochMicros(seg)},"src":${jsonSafe(JSON.stringify(addresses.toText(seg.src)))},"sport":${seg.sport},` +
    `"dst":${jsonSafe(JSON.stringify(addresses.toText(seg.dst)))},"dport":${seg.dport},"flags":"${flagString(seg.flags)}",` +
    `"seq":${seg.seq},"ack":${seg.ack},"win":${seg.window},"len":${seg.payloadLength},"flow":${flowId}}`;
}

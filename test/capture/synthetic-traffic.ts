// Test helper: a small deterministic mix of TCP frames (Ethernet, VLAN, IPv4 and IPv6, options,
// SACK, snap-length cuts, a few non-TCP frames) with µs timestamps, some of them equal.

import { ethernetFrame, ipv4Packet, ipv6Packet, opt, tcpBytes, type PcapRecord } from './capture-writer.js';

export function syntheticRecords(count: number, seed = 1): PcapRecord[] {
  let state = seed >>> 0 || 1;
  const rand = (n: number): number => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state % n;
  };
  const records: PcapRecord[] = [];
  let sec = 1_700_000_000, micros = 0;
  for (let i = 0; i < count; i++) {
    if (rand(5) !== 0) micros += rand(300000); // every fifth shares the previous timestamp
    sec += Math.floor(micros / 1e6);
    micros %= 1e6;
    const kind = rand(10);
    const payloadLength = rand(3) === 0 ? 0 : rand(1400);
    const options = kind === 0 ? [...opt.mss(1460), ...opt.sackOk(), ...opt.ts(rand(1e9), 0), 1, ...opt.wscale(rand(15))]
      : kind === 1 ? [...opt.ts(rand(1e9), rand(1e9)), ...opt.sack(rand(2 ** 32), rand(2 ** 32))]
        : kind < 5 ? opt.ts(rand(1e9), rand(1e9)) : [];
    const tcp = tcpBytes({
      sport: 1024 + rand(60000), dport: [80, 443, 22, 8080][rand(4)]!, seq: rand(2 ** 32), ack: rand(2 ** 32),
      flags: [0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14][rand(7)]!, win: rand(65536), options, payloadLength,
    });
    let frame: Buffer;
    if (kind === 9) {
      frame = ethernetFrame(0x0800, ipv4Packet({ src: '10.9.9.9', dst: '10.8.8.8', protocol: 17 }, Buffer.alloc(20)));
    } else if (kind >= 7) {
      frame = ethernetFrame(0x86dd, ipv6Packet({ src: `2001:db8::${rand(9) + 1}`, dst: `2001:db8:1::${rand(9) + 1}` }, tcp));
    } else {
      const ip = ipv4Packet({ src: `10.0.${rand(4)}.${rand(250) + 1}`, dst: `192.0.2.${rand(250) + 1}` }, tcp);
      frame = ethernetFrame(0x0800, ip, kind === 6 ? [[0x8100, rand(4095)]] : []);
    }
    const snap = rand(8) === 0 ? Math.min(frame.length, 96) : frame.length;
    records.push({ sec, frac: micros, data: frame.subarray(0, snap), origLen: frame.length });
  }
  return records;
}

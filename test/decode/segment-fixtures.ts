// Two TCP segments the decode tests wrap in every link layer and tunnel: a SYN with every common
// option, and a data segment with timestamps.

import { opt, tcpBytes } from '../capture/capture-writer.js';

export const syn = tcpBytes({ sport: 40000, dport: 443, seq: 4000000000, flags: 0x02, win: 64240,
  options: [...opt.mss(1460), ...opt.sackOk(), ...opt.ts(123456, 0), 1, ...opt.wscale(7)] });
export const data = tcpBytes({ sport: 443, dport: 40000, seq: 17, ack: 4000000001, flags: 0x18, win: 501, payloadLength: 100,
  options: opt.ts(999, 123456) });

// A tcpdump text capture (as `tcpdump -r` prints it without -n) whose host names hold markup, quotes
// and a control character (C1 NEL as UTF-8; C0 controls or DEL would make it not text at all):
// a forking echo server that never closes, plus one unrelated SYN at the end.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const EVIL_CLIENT = `evil<b>&"x'.example`;
export const EVIL_SERVER = 'srv&amp;<i>\u0085.local';

export function writeHostileCapture(dir: string): string {
  const c = `${EVIL_CLIENT}.41234`, s = `${EVIL_SERVER}.9000`;
  const lines = [
    `12:00:00.000000 IP ${c} > ${s}: Flags [S], seq 1000, win 65495, options [mss 65495], length 0`,
    `12:00:00.000021 IP ${s} > ${c}: Flags [S.], seq 5000, ack 1001, win 65483, options [mss 65495], length 0`,
    `12:00:00.000035 IP ${c} > ${s}: Flags [.], ack 1, win 512, length 0`,
    `12:00:00.001200 IP ${c} > ${s}: Flags [P.], seq 1:7, ack 1, win 512, length 6`,
    `12:00:00.001250 IP ${s} > ${c}: Flags [.], ack 7, win 512, length 0`,
    `12:00:00.001600 IP ${s} > ${c}: Flags [P.], seq 1:7, ack 7, win 512, length 6`,
    `12:00:00.001620 IP ${c} > ${s}: Flags [.], ack 7, win 512, length 0`,
    `12:00:02.003100 IP ${c} > ${s}: Flags [F.], seq 7, ack 7, win 512, length 0`,
    `12:00:02.043200 IP ${s} > ${c}: Flags [.], ack 8, win 512, length 0`,
    `12:06:52.005000 IP 10.0.0.1.5555 > 10.0.0.2.80: Flags [S], seq 1, win 100, length 0`,
  ];
  const file = join(dir, 'hostile.txt');
  writeFileSync(file, lines.join('\n') + '\n', 'utf8');
  return file;
}

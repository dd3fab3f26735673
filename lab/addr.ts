// Address spelling: ss, tcpdump and finscope text → one canonical form so 4-tuples compare equal.

/**
 * IPv4 stays dotted; IPv4-mapped IPv6 (`::ffff:127.0.0.1`, what a dual-stack socket shows in ss)
 * becomes plain IPv4 because that is what goes on the wire; other IPv6 is lower case and
 * compressed per RFC 5952 (longest run of zero groups, leftmost on ties, runs of one group kept).
 */
export function canonicalAddr(raw: string): string {
  let a = raw.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const pct = a.indexOf('%'); // scope / bound-device suffix as ss prints it (127.0.0.1%lo)
  if (pct >= 0) a = a.slice(0, pct);
  if (!a.includes(':')) return a;
  const groups = expandIpv6(a.toLowerCase());
  if (groups === null) return a.toLowerCase();
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const g6 = groups[6] ?? 0;
    const g7 = groups[7] ?? 0;
    return `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function expandIpv6(a: string): number[] | null {
  let s = a;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const parts = last.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return null;
    tail.push(((parts[0] ?? 0) << 8) | (parts[1] ?? 0), ((parts[2] ?? 0) << 8) | (parts[3] ?? 0));
    s = `${s.slice(0, lastColon + 1)}0:0`; // two placeholder groups, replaced below
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string | undefined): number[] =>
    h === undefined || h === '' ? [] : h.split(':').map((g) => Number.parseInt(g, 16));
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 0) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (tail.length) groups = [...groups.slice(0, groups.length - 2), ...tail];
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  return groups;
}

/** `ip:port`, IPv6 in brackets: the endpoint spelling finscope findings use. */
export function endpointKey(addr: string, port: number): string {
  const a = canonicalAddr(addr);
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

/** Splits ss's `addr:port` / `[v6]:port` / `*:*` column. */
export function splitHostPort(col: string): { addr: string; port: number | null } {
  const i = col.lastIndexOf(':');
  if (i < 0) return { addr: col, port: null };
  const host = col.slice(0, i);
  const p = col.slice(i + 1);
  return { addr: host === '*' ? '*' : canonicalAddr(host), port: p === '*' ? null : Number(p) };
}

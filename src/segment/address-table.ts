// Interns endpoint addresses (IPv4, IPv6, or host names from tcpdump text without -n) into small
// integer ids, so that flow keys are numbers and the per-packet path builds no strings.

const KIND_V4 = 4;
const KIND_V6 = 6;
const KIND_NAME = 0;

export class AddressTable {
  private readonly v4 = new Map<number, number>();
  /** IPv6: hash of the 4 words -> id; collisions probe hash+1, hash+2, ... */
  private readonly v6 = new Map<number, number>();
  private readonly names = new Map<string, number>();
  private kinds = new Uint8Array(1024);
  /** IPv4 value in word 0; IPv6 in words 0..3 (big-endian words of the address). */
  private words = new Uint32Array(4096);
  private readonly text: (string | undefined)[] = [];
  private nameOf: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Id for an IPv4 address given as an unsigned 32-bit number (network order value). */
  internV4(value: number): number {
    const id = this.v4.get(value);
    if (id !== undefined) return id;
    const nid = this.allocate(KIND_V4);
    this.words[nid * 4] = value;
    this.v4.set(value, nid);
    return nid;
  }

  /** Id for the IPv6 address at bytes[offset .. offset+16). */
  internV6(bytes: Uint8Array, offset: number): number {
    const w0 = word(bytes, offset), w1 = word(bytes, offset + 4);
    const w2 = word(bytes, offset + 8), w3 = word(bytes, offset + 12);
    return this.internV6Words(w0, w1, w2, w3);
  }

  internV6Words(w0: number, w1: number, w2: number, w3: number): number {
    // 48-bit hash: exact keys would need 128 bits; probing resolves the rare collision.
    let h = (Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(w1, 0xc2b2ae35) ^ Math.imul(w2, 0x27d4eb2f) ^ w3) >>> 0;
    h = h * 65536 + ((w3 ^ (w0 >>> 16)) & 0xffff);
    for (;;) {
      const id = this.v6.get(h);
      if (id === undefined) break;
      const b = id * 4;
      if (this.words[b] === w0 && this.words[b + 1] === w1 && this.words[b + 2] === w2 && this.words[b + 3] === w3) return id;
      h++;
    }
    const nid = this.allocate(KIND_V6);
    const b = nid * 4;
    this.words[b] = w0; this.words[b + 1] = w1; this.words[b + 2] = w2; this.words[b + 3] = w3;
    this.v6.set(h, nid);
    return nid;
  }

  /** Id for a host name as printed by tcpdump without -n (kept verbatim: it cannot be resolved back). */
  internName(name: string): number {
    const id = this.names.get(name);
    if (id !== undefined) return id;
    const nid = this.allocate(KIND_NAME);
    this.nameOf[nid] = name;
    this.names.set(name, nid);
    return nid;
  }

  /** Printable form: dotted quad, RFC 5952 IPv6 (as tcpdump prints), or the name. */
  toText(id: number): string {
    const cached = this.text[id];
    if (cached !== undefined) return cached;
    let s: string;
    const kind = this.kinds[id];
    const b = id * 4;
    if (kind === KIND_V4) s = v4Text(this.words[b]!);
    else if (kind === KIND_V6) s = v6Text(this.words[b]!, this.words[b + 1]!, this.words[b + 2]!, this.words[b + 3]!);
    else s = this.nameOf[id] ?? '?';
    this.text[id] = s;
    return s;
  }

  isV6(id: number): boolean {
    return this.kinds[id] === KIND_V6;
  }

  isName(id: number): boolean {
    return this.kinds[id] === KIND_NAME;
  }

  private allocate(kind: number): number {
    const id = this.count++;
    if (id >= this.kinds.length) {
      const kinds = new Uint8Array(this.kinds.length * 2);
      kinds.set(this.kinds);
      this.kinds = kinds;
      const words = new Uint32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    this.kinds[id] = kind;
    return id;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function v4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text (longest run of two or more zero groups becomes ::; first run wins on ties),
 *  with an embedded IPv4 tail for ::ffff:a.b.c.d and ::a.b.c.d as inet_ntop prints them. */
export function v6Text(w0: number, w1: number, w2: number, w3: number): string {
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  // inet_ntop: IPv4-compatible (::a.b.c.d, not ::1 / ::) and IPv4-mapped (::ffff:a.b.c.d)
  if (w0 === 0 && w1 === 0 && (w2 === 0xffff || (w2 === 0 && (w3 >>> 16) !== 0))) {
    return (w2 === 0xffff ? '::ffff:' : '::') + v4Text(w3);
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (n: number) => n.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  const head = g.slice(0, bestStart).map(hex).join(':');
  const tail = g.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** Parse a dotted quad; -1 when it is not one (so a host name falls through to internName). */
export function parseV4(s: string): number {
  const parts = s.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || !/^[0-9]+$/.test(p)) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

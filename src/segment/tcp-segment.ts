// The format-neutral currency between input stages (pcap decode, tcpdump text) and TCP tracking.
// One mutable TcpSegment is reused for every packet: readers overwrite it in place and hand it to
// the next stage, which must copy what it keeps before asking for the next segment. This keeps the
// per-packet path free of allocations.

/** TCP flag bits, in the header's own bit positions (so `flags = byte13 | (byte12 & 1) << 8`). */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;
/** Accurate ECN (RFC 9768), the low bit of the reserved nibble; tcpdump prints it as `e`. */
export const AE = 0x100;

/** Where a segment came from, kept for evidence and warnings. */
export const enum SourceKind {
  Pcap = 0,
  Pcapng = 1,
  Text = 2,
}

export class TcpSegment {
  /** Whole seconds since the epoch (text input without a date: since midnight of day 0). */
  tsSec = 0;
  /** Nanoseconds within the second, 0..999,999,999. Exact: no double rounding. */
  tsNsec = 0;
  /** Interned address ids (see AddressTable). */
  src = 0;
  dst = 0;
  sport = 0;
  dport = 0;
  /** 4 or 6 (text input with host names: the IP keyword of the line). */
  ipVersion = 4;
  /** Absolute sequence and acknowledgement numbers, unsigned 32-bit. */
  seq = 0;
  ack = 0;
  /** Bit set of FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE. */
  flags = 0;
  /** Raw 16-bit window field, not scaled. */
  window = 0;
  urgent = 0;
  /** TCP payload length from the IP header (a packet cut by snaplen still has its full length). */
  payloadLength = 0;
  /** Options: -1 when absent. */
  mss = -1;
  windowScale = -1;
  sackPermitted = false;
  /** Timestamps option (tsVal/tsEcr valid only when hasTimestamps). */
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;
  /** Number of SACK blocks; their edges are in sackEdges[0 .. 2*sackCount). */
  sackCount = 0;
  readonly sackEdges = new Float64Array(8);
  /** False when the capture shows a bad TCP checksum (tcpdump -v `incorrect`); true when unknown. */
  checksumOk = true;
  /** Captured bytes were fewer than the packet (snaplen): payload was not all seen. */
  truncated = false;
  /** Where it came from: input index (0-based, in command-line order), kind, record number
   *  (1-based, counting every record of that input, TCP or not) and byte offset of the record
   *  in the (decompressed) input, or the line number for text. */
  input = 0;
  kind: SourceKind = SourceKind.Pcap;
  record = 0;
  byteOffset = 0;
  /** Link-layer direction when known (SLL/SLL2 packet type, `In`/`Out` in text): -1 unknown,
   *  0 to us / incoming, 4 outgoing. Used to spot the same segment captured twice on `-i any`. */
  direction = -1;
  /** Interface index within the input (pcapng IDB number; SLL2 ifindex), -1 unknown. */
  interfaceId = -1;

  /** Copy every field of `other` into this one (for stages that must keep a segment). */
  copyFrom(other: TcpSegment): this {
    this.tsSec = other.tsSec; this.tsNsec = other.tsNsec;
    this.src = other.src; this.dst = other.dst; this.sport = other.sport; this.dport = other.dport;
    this.ipVersion = other.ipVersion; this.seq = other.seq; this.ack = other.ack;
    this.flags = other.flags; this.window = other.window; this.urgent = other.urgent;
    this.payloadLength = other.payloadLength; this.mss = other.mss; this.windowScale = other.windowScale;
    this.sackPermitted = other.sackPermitted; this.hasTimestamps = other.hasTimestamps;
    this.tsVal = other.tsVal; this.tsEcr = other.tsEcr; this.sackCount = other.sackCount;
    this.sackEdges.set(other.sackEdges); this.checksumOk = other.checksumOk;
    this.truncated = other.truncated; this.input = other.input; this.kind = other.kind;
    this.record = other.record; this.byteOffset = other.byteOffset;
    this.direction = other.direction; this.interfaceId = other.interfaceId;
    return this;
  }

  /** Reset the per-packet option fields before a decoder fills them. */
  clearOptions(): void {
    this.mss = -1; this.windowScale = -1; this.sackPermitted = false;
    this.hasTimestamps = false; this.tsVal = 0; this.tsEcr = 0; this.sackCount = 0;
    this.checksumOk = true; this.truncated = false; this.urgent = 0;
    this.direction = -1; this.interfaceId = -1;
  }
}

/** tcpdump's flag letters in its order (print-tcp.c): F S R P . U E W e; `none` when empty. */
export function flagString(flags: number): string {
  if ((flags & 0x1ff) === 0) return 'none';
  let s = '';
  if (flags & FIN) s += 'F';
  if (flags & SYN) s += 'S';
  if (flags & RST) s += 'R';
  if (flags & PSH) s += 'P';
  if (flags & ACK) s += '.';
  if (flags & URG) s += 'U';
  if (flags & ECE) s += 'E';
  if (flags & CWR) s += 'W';
  if (flags & AE) s += 'e';
  return s;
}

/** Inverse of flagString; -1 for a letter tcpdump never prints. */
export function parseFlagString(text: string): number {
  if (text === 'none') return 0;
  let flags = 0;
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case 70: flags |= FIN; break; // F
      case 83: flags |= SYN; break; // S
      case 82: flags |= RST; break; // R
      case 80: flags |= PSH; break; // P
      case 46: flags |= ACK; break; // .
      case 85: flags |= URG; break; // U
      case 69: flags |= ECE; break; // E
      case 87: flags |= CWR; break; // W
      case 101: flags |= AE; break; // e
      default: return -1;
    }
  }
  return flags;
}

// pcapng -> TcpSegment: sections (either byte order), interface descriptions (link type, snap
// length, timestamp resolution and offset, FCS length) and packet blocks (EPB with its direction
// flags, SPB, obsolete PB), parsed in place from the InputBuffer; every other block type is skipped.

import { FrameDecoder } from '../decode/decode-frame.js';
import { SourceKind, type TcpSegment } from '../segment/tcp-segment.js';
import type { InputBuffer } from './input-buffer.js';
import { TimestampConverter } from './pcapng-timestamp.js';
import { Step, type ReaderContext, type SegmentReader } from './segment-reader.js';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002;
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const OPTION_END = 0;
const OPTION_EPB_FLAGS = 2;
const OPTION_IF_FCSLEN = 13;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;
const DEFAULT_TSRESOL = 6;
/** No sane block is bigger (a 16 MiB packet plus its framing); beyond it the file is damaged. */
const MAX_BLOCK_LENGTH = 32 * 1024 * 1024;

interface Interface {
  linkType: number;
  snaplen: number;
  fcsLength: number;
  timestamps: TimestampConverter;
}

export class PcapngReader implements SegmentReader {
  want = 0;
  /** Packet blocks read (EPB, SPB, PB), TCP or not. */
  records = 0;
  /** Set when the input does not start like a pcapng file; the driver throws it. */
  fatal: string | null = null;
  /** Link types of every interface seen, in order of first appearance. */
  readonly linkTypes: number[] = [];
  sections = 0;
  /** Any interface with a timestamp resolution finer than microseconds. */
  nanosecond = false;

  private done = false;
  private littleEndian = true;
  private interfaces: Interface[] = [];
  /** SPBs carry no timestamp: they get the previous packet's. */
  private lastSec = 0;
  private lastNsec = 0;
  private readonly decoder: FrameDecoder;

  constructor(private readonly input: InputBuffer, private readonly ctx: ReaderContext) {
    this.decoder = new FrameDecoder(ctx.addresses, ctx.issues, ctx.inputName);
  }

  next(seg: TcpSegment): Step {
    if (this.done) return Step.End;
    const input = this.input;
    for (;;) {
      const start = input.start;
      const available = input.end - start;
      if (available < 12) return this.shortBlock(start, available, 12);
      const buf = input.buf;
      let le = this.littleEndian;
      let type = le ? buf.readUInt32LE(start) : buf.readUInt32BE(start);
      if (type === BLOCK_SHB) {
        // The block type reads the same in both orders; the byte-order magic decides.
        const bom = buf.readUInt32LE(start + 8);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
        else return this.badBlock(start, `section header with byte-order magic ${bom.toString(16).padStart(8, '0')}, expected 1a2b3c4d`);
        this.littleEndian = le;
      } else if (this.sections === 0) {
        this.fatal = `not a pcapng file: it starts with block type 0x${type.toString(16).padStart(8, '0')}, not a section header`;
        this.done = true;
        return Step.End;
      }
      const length = le ? buf.readUInt32LE(start + 4) : buf.readUInt32BE(start + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK_LENGTH) {
        return this.badBlock(start, `block of type 0x${type.toString(16)} has total length ${length} (must be a multiple of 4, at least 12, at most ${MAX_BLOCK_LENGTH})`);
      }
      if (available < length) return this.shortBlock(start, available, length);
      const trailer = le ? buf.readUInt32LE(start + length - 4) : buf.readUInt32BE(start + length - 4);
      if (trailer !== length) {
        return this.badBlock(start, `block of type 0x${type.toString(16)} has total length ${length} at its start and ${trailer} at its end`);
      }
      input.start = start + length;
      switch (type) {
        case BLOCK_EPB:
        case BLOCK_PB:
        case BLOCK_SPB:
          if (this.readPacket(type, buf, start, length, le, seg)) return Step.Segment;
          break;
        case BLOCK_IDB:
          this.readInterface(buf, start, length, le);
          break;
        case BLOCK_SHB:
          if (length < 28) return this.badBlock(start, `section header block of ${length} bytes, at least 28 needed`);
          this.sections++;
          this.interfaces = [];
          break;
        default:
          break; // name resolution, statistics, decryption secrets, custom blocks: not needed
      }
    }
  }

  /** Decode one packet block (already framed and checked). True when it held a TCP segment. */
  private readPacket(type: number, buf: Buffer, start: number, length: number, le: boolean, seg: TcpSegment): boolean {
    const record = ++this.records;
    seg.record = record;
    seg.byteOffset = this.input.base + start;
    seg.input = this.ctx.inputIndex;
    seg.kind = SourceKind.Pcapng;
    let interfaceId: number, caplen: number, origLen: number, dataStart: number;
    if (type === BLOCK_SPB) {
      interfaceId = 0;
      origLen = le ? buf.readUInt32LE(start + 8) : buf.readUInt32BE(start + 8);
      dataStart = start + 12;
      caplen = Math.min(origLen, length - 16);
    } else {
      if (length < 32) {
        this.issue('bad-block', record, start, `packet block of ${length} bytes, at least 32 needed; skipped`);
        return false;
      }
      interfaceId = type === BLOCK_EPB
        ? (le ? buf.readUInt32LE(start + 8) : buf.readUInt32BE(start + 8))
        : (le ? buf.readUInt16LE(start + 8) : buf.readUInt16BE(start + 8));
      caplen = le ? buf.readUInt32LE(start + 20) : buf.readUInt32BE(start + 20);
      origLen = le ? buf.readUInt32LE(start + 24) : buf.readUInt32BE(start + 24);
      dataStart = start + 28;
      if (caplen > length - 32) {
        this.issue('bad-record-length', record, start, `packet block claims ${caplen} captured bytes but has room for ${length - 32}; skipped`);
        return false;
      }
    }
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      this.issue('bad-block', record, start, `packet block for interface ${interfaceId}, but the section describes ${this.interfaces.length}; skipped`);
      return false;
    }
    if (type === BLOCK_SPB) {
      if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
      seg.tsSec = this.lastSec;
      seg.tsNsec = this.lastNsec;
    } else {
      const high = le ? buf.readUInt32LE(start + 12) : buf.readUInt32BE(start + 12);
      const low = le ? buf.readUInt32LE(start + 16) : buf.readUInt32BE(start + 16);
      iface.timestamps.set(seg, high, low);
      if (seg.tsSec < 0) {
        // A negative if_tsoffset put it before 1970: the engine counts from the epoch (-1 s means
        // "never"), so the packet is left out, and said so.
        this.issue('bad-block', record, start, `packet time ${seg.tsSec + seg.tsNsec / 1e9} s is before 1970-01-01 (interface ${interfaceId} has a negative if_tsoffset); skipped`);
        return false;
      }
      this.lastSec = seg.tsSec;
      this.lastNsec = seg.tsNsec;
    }
    if (!this.decoder.decode(iface.linkType, buf, dataStart, caplen, origLen, iface.fcsLength, seg)) return false;
    if (seg.interfaceId < 0) seg.interfaceId = interfaceId;
    if (type === BLOCK_EPB && seg.direction < 0) {
      const optionsStart = dataStart + ((caplen + 3) & ~3);
      if (optionsStart + 4 <= start + length - 4) seg.direction = this.epbDirection(buf, optionsStart, start + length - 4, le);
    }
    return true;
  }

  /** Direction from the epb_flags option (bits 0-1: 1 inbound, 2 outbound), as TcpSegment.direction. */
  private epbDirection(buf: Buffer, p: number, end: number, le: boolean): number {
    while (p + 4 <= end) {
      const code = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      const size = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
      if (code === OPTION_END || p + 4 + size > end) return -1;
      if (code === OPTION_EPB_FLAGS && size === 4) {
        const bits = (le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4)) & 3;
        return bits === 1 ? 0 : bits === 2 ? 4 : -1;
      }
      p += 4 + ((size + 3) & ~3);
    }
    return -1;
  }

  private readInterface(buf: Buffer, start: number, length: number, le: boolean): void {
    if (length < 20) {
      this.issue('bad-block', this.records, start, `interface description block of ${length} bytes, at least 20 needed`);
      // Keep interface numbering aligned with the writer's: later packets name it by position.
      this.addInterface(-1, 0, 0, DEFAULT_TSRESOL, 0);
      return;
    }
    const linkType = le ? buf.readUInt16LE(start + 8) : buf.readUInt16BE(start + 8);
    const snaplen = le ? buf.readUInt32LE(start + 12) : buf.readUInt32BE(start + 12);
    let tsresol = DEFAULT_TSRESOL;
    let offsetSeconds = 0;
    let fcsLength = 0;
    const end = start + length - 4;
    for (let p = start + 16; p + 4 <= end;) {
      const code = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      const size = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
      if (code === OPTION_END) break;
      const value = p + 4;
      if (value + size > end) {
        this.issue('bad-block', this.records, start, `interface option ${code} of ${size} bytes runs past its block`);
        break;
      }
      if (code === OPTION_IF_TSRESOL && size >= 1) tsresol = buf[value]!;
      else if (code === OPTION_IF_TSOFFSET && size >= 8) offsetSeconds = Number(le ? buf.readBigInt64LE(value) : buf.readBigInt64BE(value));
      else if (code === OPTION_IF_FCSLEN && size >= 1) fcsLength = buf[value]!;
      p = value + ((size + 3) & ~3);
    }
    this.addInterface(linkType, snaplen, fcsLength, tsresol, offsetSeconds);
  }

  private addInterface(linkType: number, snaplen: number, fcsLength: number, tsresol: number, offsetSeconds: number): void {
    const timestamps = new TimestampConverter(tsresol, offsetSeconds);
    if (timestamps.subMicrosecond) this.nanosecond = true;
    this.interfaces.push({ linkType, snaplen, fcsLength, timestamps });
    if (linkType >= 0 && !this.linkTypes.includes(linkType)) this.linkTypes.push(linkType);
  }

  private shortBlock(start: number, available: number, need: number): Step {
    const input = this.input;
    if (!input.eof) {
      this.want = need;
      return Step.NeedMore;
    }
    if (available > 0) {
      if (this.sections === 0) {
        this.fatal = `not a usable pcapng file: it ends inside its first block (${available} of ${need} bytes)`;
      } else {
        this.issue('truncated-file', this.records + 1, start,
          `the file ends inside a block (record ${this.records + 1} or a non-packet block): ${available} of ${need} bytes present; everything before it was read`);
      }
    }
    this.done = true;
    return Step.End;
  }

  private badBlock(start: number, detail: string): Step {
    if (this.sections === 0) this.fatal = `not a usable pcapng file: ${detail}`;
    else this.issue('bad-block', this.records + 1, start, `${detail}; reading stopped here`);
    this.done = true;
    return Step.End;
  }

  private issue(code: 'bad-block' | 'bad-record-length' | 'truncated-file', record: number, start: number, detail: string): void {
    this.ctx.issues.add(code, this.ctx.inputName, record, this.input.offsetOf(start), 0, detail);
  }
}

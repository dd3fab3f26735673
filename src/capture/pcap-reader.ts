// Classic pcap (libpcap savefile) -> TcpSegment: file header in either byte order with µs or ns
// timestamps, then records parsed in place from the InputBuffer and decoded link -> IP -> TCP.

import { FrameDecoder } from '../decode/decode-frame.js';
import { linkTypeName } from '../decode/link-type.js';
import { SourceKind, type TcpSegment } from '../segment/tcp-segment.js';
import type { InputBuffer } from './input-buffer.js';
import { Step, type ReaderContext, type SegmentReader } from './segment-reader.js';

const FILE_HEADER_LENGTH = 24;
/** A record may legitimately exceed a small snap length (some writers ignore it): allow this much. */
const MIN_CAPLEN_LIMIT = 262144;
/** No record is bigger than this, whatever the header says: beyond it the file is damaged. */
const MAX_CAPLEN_LIMIT = 16 * 1024 * 1024;

export class PcapReader implements SegmentReader {
  want = 0;
  records = 0;
  /** Set when the file header is unusable; the driver turns it into a CaptureFormatError. */
  fatal: string | null = null;
  /** Link types seen in this input (one for pcap). */
  readonly linkTypes: number[] = [];
  /** Timestamp precision of the file, for the summary. */
  nanosecond = false;

  private started = false;
  private done = false;
  private littleEndian = true;
  /** 16, or 24 in the "modified" (Kuznetzov) format that adds ifindex/protocol/type. */
  private recordHeaderLength = 16;
  private linkType = 0;
  private fcsLength = 0;
  private maxCaplen = MIN_CAPLEN_LIMIT;
  private readonly decoder: FrameDecoder;

  constructor(private readonly input: InputBuffer, private readonly ctx: ReaderContext) {
    this.decoder = new FrameDecoder(ctx.addresses, ctx.issues, ctx.inputName);
  }

  next(seg: TcpSegment): Step {
    if (this.done) return Step.End;
    const input = this.input;
    if (!this.started) {
      const step = this.readFileHeader();
      if (step !== Step.Segment) return step;
    }
    const decoder = this.decoder;
    const headerLength = this.recordHeaderLength;
    const littleEndian = this.littleEndian;
    const nano = this.nanosecond;
    for (;;) {
      const start = input.start;
      const available = input.end - start;
      if (available < headerLength) return this.shortRecord(start, available, headerLength);
      const buf = input.buf;
      let sec: number, frac: number, caplen: number, origLen: number;
      if (littleEndian) {
        sec = buf.readUInt32LE(start); frac = buf.readUInt32LE(start + 4);
        caplen = buf.readUInt32LE(start + 8); origLen = buf.readUInt32LE(start + 12);
      } else {
        sec = buf.readUInt32BE(start); frac = buf.readUInt32BE(start + 4);
        caplen = buf.readUInt32BE(start + 8); origLen = buf.readUInt32BE(start + 12);
      }
      if (caplen > this.maxCaplen) {
        this.ctx.issues.add('bad-record-length', this.ctx.inputName, this.records + 1, input.offsetOf(start), 0,
          `record claims ${caplen} captured bytes, beyond the sane limit of ${this.maxCaplen}: the file is damaged from here on; reading stopped`);
        this.done = true;
        return Step.End;
      }
      const total = headerLength + caplen;
      if (available < total) return this.shortRecord(start, available, total);
      input.start = start + total;
      seg.record = ++this.records;
      seg.byteOffset = input.base + start;
      seg.input = this.ctx.inputIndex;
      seg.kind = SourceKind.Pcap;
      if (nano) {
        if (frac >= 1e9) { sec += Math.floor(frac / 1e9); frac %= 1e9; }
        seg.tsSec = sec;
        seg.tsNsec = frac;
      } else {
        if (frac >= 1e6) { sec += Math.floor(frac / 1e6); frac %= 1e6; }
        seg.tsSec = sec;
        seg.tsNsec = frac * 1000;
      }
      if (decoder.decode(this.linkType, buf, start + headerLength, caplen, origLen, this.fcsLength, seg)) return Step.Segment;
    }
  }

  /** The next record (or its header) is not all in the buffer: ask for more, or report the cut. */
  private shortRecord(start: number, available: number, need: number): Step {
    const input = this.input;
    if (!input.eof) {
      this.want = need;
      return Step.NeedMore;
    }
    if (available > 0) {
      this.ctx.issues.add('truncated-file', this.ctx.inputName, this.records + 1, input.offsetOf(start), 0,
        `the file ends inside record ${this.records + 1}: ${available} of ${need} bytes present; the records before it were read`);
    }
    this.done = true;
    return Step.End;
  }

  private readFileHeader(): Step {
    const input = this.input;
    const start = input.start;
    if (input.end - start < FILE_HEADER_LENGTH) {
      if (!input.eof) {
        this.want = FILE_HEADER_LENGTH;
        return Step.NeedMore;
      }
      this.fatal = `not a usable pcap file: it ends inside the ${FILE_HEADER_LENGTH}-byte file header (${input.end - start} bytes)`;
      this.done = true;
      return Step.End;
    }
    const buf = input.buf;
    const magic = buf.readUInt32BE(start);
    switch (magic) {
      case 0xd4c3b2a1: this.littleEndian = true; break;
      case 0x4d3cb2a1: this.littleEndian = true; this.nanosecond = true; break;
      case 0x34cdb2a1: this.littleEndian = true; this.recordHeaderLength = 24; break;
      case 0xa1b2c3d4: this.littleEndian = false; break;
      case 0xa1b23c4d: this.littleEndian = false; this.nanosecond = true; break;
      case 0xa1b2cd34: this.littleEndian = false; this.recordHeaderLength = 24; break;
      default:
        this.fatal = `not a pcap file: magic number ${magic.toString(16).padStart(8, '0')}`;
        this.done = true;
        return Step.End;
    }
    const le = this.littleEndian;
    const major = le ? buf.readUInt16LE(start + 4) : buf.readUInt16BE(start + 4);
    const snaplen = le ? buf.readUInt32LE(start + 16) : buf.readUInt32BE(start + 16);
    const linkField = le ? buf.readUInt32LE(start + 20) : buf.readUInt32BE(start + 20);
    if (major !== 2) {
      this.ctx.issues.add('bad-header', this.ctx.inputName, 0, input.offsetOf(start + 4), 0,
        `pcap major version ${major}, expected 2; reading it as version 2`);
    }
    // pcap-savefile(5): low 16 bits are the link type; bit 26 says bits 28..31 hold the FCS length
    // in 16-bit words, carried at the end of every frame.
    this.linkType = linkField & 0xffff;
    this.fcsLength = (linkField & 0x04000000) !== 0 ? ((linkField >>> 28) & 0xf) * 2 : 0;
    this.maxCaplen = Math.min(MAX_CAPLEN_LIMIT, Math.max(snaplen, MIN_CAPLEN_LIMIT));
    this.linkTypes.push(this.linkType);
    input.start = start + FILE_HEADER_LENGTH;
    this.started = true;
    return Step.Segment;
  }

  /** Human name of the link type, for summaries. */
  get linkTypeName(): string {
    return linkTypeName(this.linkType);
  }
}

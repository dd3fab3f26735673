// The interface every input format implements (pcap, pcapng, tcpdump text): step through an
// InputBuffer and write each TCP segment into a caller-owned TcpSegment.

import type { TcpSegment } from '../segment/tcp-segment.js';

export const enum Step {
  /** `seg` now holds the next TCP segment. */
  Segment = 0,
  /** The next record is incomplete: refill the buffer with at least `want` bytes, then call again. */
  NeedMore = 1,
  /** No more segments (end of input, or damage the reader cannot get past: already reported). */
  End = 2,
}

export interface SegmentReader {
  /** Advance to the next TCP segment. Records that carry no TCP segment are skipped (and counted). */
  next(seg: TcpSegment): Step;
  /** With NeedMore: bytes needed from the buffer's `start` to make progress. */
  readonly want: number;
  /** Records (or lines) read so far, TCP or not. */
  readonly records: number;
}

export type InputFormat = 'pcap' | 'pcapng' | 'tcpdump';

/** What every reader is given besides its bytes. */
export interface ReaderContext {
  /** Input name as the user gave it (`-` for stdin), for messages. */
  readonly inputName: string;
  /** 0-based position of this input on the command line; stored in TcpSegment.input. */
  readonly inputIndex: number;
  readonly addresses: import('../segment/address-table.js').AddressTable;
  readonly issues: import('../segment/input-issues.js').IssueLog;
  /** Text input only: YYYY-MM-DD to anchor time-of-day timestamps (--date), or undefined. */
  readonly date?: string | undefined;
}

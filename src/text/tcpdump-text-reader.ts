// tcpdump text lines -> TcpSegment. (Placeholder: being written for issue 3.)

import type { InputBuffer } from '../capture/input-buffer.js';
import { Step, type ReaderContext, type SegmentReader } from '../capture/segment-reader.js';
import type { TcpSegment } from '../segment/tcp-segment.js';

export class TcpdumpTextReader implements SegmentReader {
  want = 0;
  records = 0;
  constructor(readonly input: InputBuffer, readonly ctx: ReaderContext) {}
  next(_seg: TcpSegment): Step {
    return Step.End;
  }
}

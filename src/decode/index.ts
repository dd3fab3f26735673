// Public face of the packet decoders: frame bytes of a known link type -> TcpSegment fields.

export { FrameDecoder } from './decode-frame.js';
export { linkTypeName, isDecodedLinkType } from './link-type.js';

// Public face of the capture stage: inputs (files, stdin, gzip; pcap, pcapng, tcpdump text) ->
// TcpSegments in time order.

export { readSegments, type ReadOptions, type ReadSummary, type InputSummary } from './read-inputs.js';
export { detectFormat, describeBytes, type DetectedFormat } from './detect-format.js';
export { PcapReader } from './pcap-reader.js';
export { PcapngReader } from './pcapng-reader.js';
export { Step, type InputFormat, type ReaderContext, type SegmentReader } from './segment-reader.js';
export { InputBuffer } from './input-buffer.js';
export { FileByteSource, StreamByteSource, type ByteSource } from './byte-source.js';

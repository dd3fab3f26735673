// Format sniffing: the first bytes of an input -> pcap, pcapng, gzip or tcpdump text; anything else
// is a CaptureFormatError that shows what the bytes looked like.

import { CaptureFormatError } from '../errors.js';
import type { InputFormat } from './segment-reader.js';

export type DetectedFormat = InputFormat | 'gzip';

/** How many leading bytes detection looks at (fewer is fine near the end of a short input). */
export const DETECT_BYTES = 512;

const PCAP_MAGICS = new Set([
  0xa1b2c3d4, 0xd4c3b2a1, // microseconds, big / little endian
  0xa1b23c4d, 0x4d3cb2a1, // nanoseconds
  0xa1b2cd34, 0x34cdb2a1, // "modified" pcap (Kuznetzov patches)
]);
const PCAPNG_SHB = 0x0a0d0d0a;

/**
 * Detect the format from the first bytes of `head` (as many as are available, up to DETECT_BYTES).
 * `eof` says the input has no more bytes than these (so a lone partial UTF-8 character at the end is
 * an error rather than a cut).
 */
export function detectFormat(head: Uint8Array, inputName: string, eof = true): DetectedFormat {
  if (head.length === 0) throw new CaptureFormatError(inputName, 'empty input: not a capture (0 bytes)');
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4) {
    const magic = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    if (PCAP_MAGICS.has(magic)) return 'pcap';
    if (magic === PCAPNG_SHB) return 'pcapng';
  }
  if (looksLikeText(head.subarray(0, DETECT_BYTES), eof)) return 'tcpdump';
  throw new CaptureFormatError(inputName, `not a capture: starts with ${describeBytes(head)} — expected pcap, pcapng, gzip or tcpdump text`);
}

/** Printable UTF-8 with no control characters other than tab, CR, LF and form feed. */
function looksLikeText(bytes: Uint8Array, eof: boolean): boolean {
  let end = bytes.length;
  if (!eof) {
    // Do not judge a UTF-8 sequence that the window cut in two.
    let back = 0;
    while (back < 3 && end - back > 0 && (bytes[end - back - 1]! & 0xc0) === 0x80) back++;
    if (end - back > 0 && bytes[end - back - 1]! >= 0xc0) end -= back + 1;
  }
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
    if (b === 0x7f) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** `50 4b 03 04 ("PK..")`: the first up to 8 bytes in hex, and as text with dots for the rest. */
export function describeBytes(head: Uint8Array): string {
  const shown = head.subarray(0, 8);
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(shown, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} (${JSON.stringify(text)})`;
}

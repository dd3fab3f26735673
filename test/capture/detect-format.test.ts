// Format sniffing from the first bytes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat } from '../../src/capture/detect-format.js';
import { CaptureFormatError } from '../../src/errors.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

describe('detectFormat', () => {
  it('recognises every pcap magic in both byte orders, pcapng and gzip', () => {
    for (const m of ['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d', '34cdb2a1', 'a1b2cd34']) assert.equal(detectFormat(hex(m + '02000400'), 'x'), 'pcap', m);
    assert.equal(detectFormat(hex('0a0d0d0a 1c000000 4d3c2b1a'), 'x'), 'pcapng');
    assert.equal(detectFormat(hex('1f8b0800'), 'x'), 'gzip');
  });

  it('takes printable text as tcpdump output', () => {
    assert.equal(detectFormat(Buffer.from('12:03:41.123456 IP 10.0.0.9.51234 > 10.0.0.5.8080: Flags [.], ack 1, win 502, length 0\n'), 'x'), 'tcpdump');
    assert.equal(detectFormat(Buffer.from('reading from file x.pcap, link-type EN10MB (Ethernet)\r\n\tü'), 'x'), 'tcpdump');
    // a UTF-8 character cut by the detection window is not held against the text
    assert.equal(detectFormat(Buffer.from('host-ü').subarray(0, 6), 'x', false), 'tcpdump');
  });

  it('rejects binary that is not a capture, showing its first bytes', () => {
    assert.throws(() => detectFormat(hex('504b0304 14000000 0800'), 'x.bin'), (e: unknown) => {
      assert.ok(e instanceof CaptureFormatError);
      assert.equal(e.message, '"x.bin": not a capture: starts with 50 4b 03 04 14 00 00 00 ("PK......") — expected pcap, pcapng, gzip or tcpdump text');
      return true;
    });
    assert.throws(() => detectFormat(hex('7f454c46'), 'a.out'), /7f 45 4c 46 \("\.ELF"\)/);
    assert.throws(() => detectFormat(Buffer.from([0xff, 0xfe, 0x41]), 'bom'), CaptureFormatError);
  });

  it('rejects empty input', () => {
    assert.throws(() => detectFormat(Buffer.alloc(0), 'e.pcap'), /"e\.pcap": empty input/);
  });
});

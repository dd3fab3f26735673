// Number, time and text formatting used in diagrams and reports.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clip, formatAge, formatBytes, formatCount, formatDuration, formatTimestamp, niceStep, px, textLength, timestampFormatter, wrapText,
} from '../../src/render/svg/format.js';

describe('format', () => {
  it('durations, ages, bytes and counts', () => {
    assert.deepEqual([0, 45e-6, 2.1e-3, 1.25, 300, 412.4].map(formatDuration), ['0 µs', '45 µs', '2.1 ms', '1.250 s', '300.0 s', '412.4 s']);
    assert.deepEqual([0.048, 3.4, 410.0019].map(formatAge), ['48.0 ms', '3.400 s', '410 s']);
    assert.deepEqual([512, 12_345, 96_523_680, 2.5e9].map(formatBytes), ['512 B', '12.3 kB', '96.52 MB', '2.50 GB']);
    assert.deepEqual([0, 999, 1000, 100_000, 1_234_567].map(formatCount), ['0', '999', '1,000', '100,000', '1,234,567']);
    assert.deepEqual([1.04, -0.01, 12.35, 3].map(px), ['1', '0', '12.4', '3']);
  });

  it('timestamps in UTC with nanoseconds; day-0 text times without a date', () => {
    assert.equal(formatTimestamp(1_714_564_800, 5_000_000), '2024-05-01 12:00:00.005000 UTC');
    assert.equal(formatTimestamp(1_714_564_800 + 86_399, 999_999_999, 9), '2024-05-02 11:59:59.999999999 UTC');
    assert.equal(formatTimestamp(43_200 + 61, 1, 9), '12:01:01.000000001');
    const f = timestampFormatter(9);
    for (const [s, ns] of [[0, 0], [86_399, 1], [86_400, 0], [1_714_564_800, 123], [1_714_651_199, 999_999_999], [1_714_651_200, 0]] as const) {
      assert.equal(f(s, ns), formatTimestamp(s, ns, 9));
    }
  });

  it('clips and wraps by characters, never splitting a surrogate pair', () => {
    assert.equal(clip('abcdef', 4), 'abc…');
    assert.equal(clip('ab😀cd', 5), 'ab😀cd');
    assert.equal(textLength('a😀b'), 3);
    assert.deepEqual(wrapText('one two three four', 9), ['one two', 'three', 'four']);
    assert.deepEqual(wrapText('aaaaaaaaaaaaaaaaaaaa', 8), ['aaaaaaaa', 'aaaaaaaa', 'aaaa']);
    const w = wrapText('a b c d e f g h i j k l m n o p', 8, 2, '  ');
    assert.equal(w.length, 2);
    assert.ok(w[1]!.endsWith('…') && w[1]!.startsWith('  '));
  });

  it('nice tick steps', () => {
    assert.deepEqual([[270, 8], [1, 5], [0.004, 4], [60, 5]].map(([s, n]) => niceStep(s!, n!)), [50, 0.2, 0.001, 10]);
  });
});

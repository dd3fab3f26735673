// The text ladder's lines: state changes right after the segment that caused them, timer changes
// by time, idle gaps (including the silence up to capture end), evidence, relative numbers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLadder, IDLE_GAP_SECONDS, type LadderLine } from '../../src/render/tui/state/ladder-lines.js';
import { ACK, FIN, SYN } from '../../src/segment/tcp-segment.js';
import { closeWaitDetail, finNotReturned, smallFlows, T0 } from './tui-fixtures.js';

function kinds(lines: LadderLine[]): string[] {
  return lines.map((l) => {
    switch (l.kind) {
      case 'segment': return `seg#${l.segment.index}`;
      case 'state': return `${l.change.endpoint}:${l.change.to}`;
      case 'gap': return l.atEnd ? 'gap-end' : 'gap';
      case 'end': return 'end';
      case 'omitted': return `omitted ${l.count}`;
    }
  });
}

test('half-close: changes follow their segments; the silence to capture end is marked', () => {
  const flows = smallFlows();
  const detail = closeWaitDetail(flows);
  const model = buildLadder(detail, [finNotReturned()], T0 + 301);
  assert.deepEqual(kinds(model.lines), [
    'seg#0', 'orig:SYN_SENT', 'resp:SYN_RECEIVED',
    'seg#1', 'orig:ESTABLISHED',
    'seg#2', 'resp:ESTABLISHED',
    // 0.998 s from #2 to #3: under IDLE_GAP_SECONDS, so no gap line
    'seg#3', 'orig:FIN_WAIT_1', 'resp:CLOSE_WAIT',
    'seg#4', 'orig:FIN_WAIT_2',
    'gap-end', 'end',
  ]);
  assert.equal(IDLE_GAP_SECONDS, 1);
  const endGap = model.lines.find((l) => l.kind === 'gap' && l.atEnd);
  assert.ok(endGap && endGap.kind === 'gap');
  assert.ok(Math.abs(endGap.seconds - 299.999) < 1e-6);
  assert.deepEqual(model.evidenceLines.map((i) => kinds(model.lines)[i]), ['seg#3', 'seg#4']);
  const last = model.lines[model.lines.length - 1]!;
  assert.deepEqual(last.kind === 'end' ? [last.origState, last.respState] : [], ['FIN_WAIT_2', 'CLOSE_WAIT']);
});

test('sequence and ack numbers are relative to each side\'s first sequence number, as tcpdump prints', () => {
  const model = buildLadder(closeWaitDetail(smallFlows()), [], T0 + 2);
  const segs = model.lines.filter((l) => l.kind === 'segment');
  const rel = segs.map((l) => (l.kind === 'segment' ? [l.relSeq, l.relAck] : []));
  // tcpdump: S seq 0; S. seq 0 ack 1; . ack 1; FP. seq 1:11 ack 1; . ack 12
  assert.deepEqual(rel, [[0, 0], [0, 1], [1, 1], [1, 1], [1, 12]]);
  assert.equal(segs[0]!.kind === 'segment' && segs[0]!.segment.flags, SYN);
  assert.equal(segs[3]!.kind === 'segment' && (segs[3]!.segment.flags & (FIN | ACK)), FIN | ACK);
});

test('a timer change (segment -1) is placed by its time; a long pause gets a gap line', () => {
  const detail = closeWaitDetail(smallFlows());
  const timed = { endpoint: 'orig' as const, from: 'FIN_WAIT_2' as const, to: 'CLOSED' as const, segment: -1, time: T0 + 61.001 };
  const late = { ...detail.segments[4]!, index: 9, time: T0 + 100, flags: ACK };
  const model = buildLadder({ ...detail, segments: [...detail.segments, late], stateChanges: [...detail.stateChanges, timed] }, [], T0 + 100);
  const k = kinds(model.lines);
  const at = k.indexOf('orig:CLOSED');
  assert.ok(at > k.indexOf('seg#4') && at < k.indexOf('seg#9'), k.join(' '));
  assert.equal(k[k.indexOf('seg#9') - 1], 'gap');
  assert.ok(!k.includes('gap-end'), 'no gap when the capture ends with this segment');
});

test('segments the store did not keep are counted, and a connection without segments still ends', () => {
  const flows = smallFlows();
  const d = closeWaitDetail(flows);
  assert.deepEqual(kinds(buildLadder({ ...d, segments: d.segments.slice(0, 1), stateChanges: [], omittedSegments: 4 }, [], T0).lines), ['seg#0', 'omitted 4', 'end']);
  assert.deepEqual(kinds(buildLadder({ ...d, segments: [], stateChanges: [], omittedSegments: 0 }, [], T0 + 5).lines), ['end']);
});

test('evidence takes the most severe finding that cites the segment', () => {
  const d = closeWaitDetail(smallFlows());
  const model = buildLadder(d, [finNotReturned({ severity: 'info', evidence: [3] }), finNotReturned({ severity: 'error', evidence: [3] })], T0 + 2);
  const seg3 = model.lines.find((l) => l.kind === 'segment' && l.segment.index === 3);
  assert.equal(seg3?.kind === 'segment' && seg3.evidence, 'error');
});

// The tracker's change log (src/tcp/change-log.ts): many per-connection lists in shared typed
// columns, with the edits the tracker makes (append, insert after a record, remove one, swap roles,
// free a whole list). Checked against the plainest model there is: one array of objects per list.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChangeLog, type ChangeList, type StateChange } from '../../src/tcp/change-log.js';
import { STATE_NAMES } from '../../src/tcp/endpoint-state.js';

const REASONS = [undefined, 'time-wait-expired', 'fin-timeout', 'simultaneous-close', 'acked-unseen'];

type Op =
  | { kind: 'append'; list: number; role: number; from: number; to: number; reason: number; segment: number; sec: number; nsec: number }
  | { kind: 'insert'; list: number; at: number; to: number }
  | { kind: 'remove'; list: number; at: number }
  | { kind: 'rewrite'; list: number; at: number; from: number; to: number; reason: number }
  | { kind: 'flip'; list: number }
  | { kind: 'clear'; list: number };

const LISTS = 4;
const list = fc.integer({ min: 0, max: LISTS - 1 });
const state = fc.integer({ min: 0, max: STATE_NAMES.length - 1 });
const reason = fc.integer({ min: 0, max: REASONS.length - 1 });
const at = fc.nat(20);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('append' as const), list, role: fc.integer({ min: 0, max: 1 }), from: state, to: state, reason,
    // seconds past 2038 and segment indices past 2^31 must survive too
    segment: fc.oneof(fc.constant(-1), fc.nat(), fc.constant(2 ** 33 + 5)),
    sec: fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }), fc.constant(4_102_444_800)),
    nsec: fc.integer({ min: 0, max: 999_999_999 }),
  }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), list, at, to: state }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), list, at }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rewrite' as const), list, at, from: state, to: state, reason }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip' as const), list }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), list }) },
);

interface Owner extends ChangeList { records: number[] }

describe('change log', () => {
  it('keeps every list as an array of objects would, through appends, edits and frees', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const log = new ChangeLog(2); // tiny, so that it grows while lists are live
      const owners: Owner[] = Array.from({ length: LISTS }, () => ({ changeHead: -1, changeTail: -1, records: [] }));
      const model: StateChange[][] = Array.from({ length: LISTS }, () => []);
      for (const o of ops) {
        const owner = owners[o.list]!, m = model[o.list]!;
        switch (o.kind) {
          case 'append':
            owner.records.push(log.append(owner, o.role, o.from, o.to, o.reason, o.segment, o.sec, o.nsec));
            m.push({ endpoint: o.role === 0 ? 'orig' : 'resp', from: STATE_NAMES[o.from]!, to: STATE_NAMES[o.to]!,
              segment: o.segment, tsSec: o.sec, tsNsec: o.nsec, reason: REASONS[o.reason] });
            break;
          case 'insert': {
            if (m.length === 0) break;
            const k = o.at % m.length, after = owner.records[k]!, base = m[k]!;
            const r = log.insertAfter(owner, after, log.role(after), log.to(after), o.to, 3, log.segment(after), log.tsSec(after), log.tsNsec(after));
            owner.records.splice(k + 1, 0, r);
            m.splice(k + 1, 0, { ...base, from: base.to, to: STATE_NAMES[o.to]!, reason: 'simultaneous-close' });
            break;
          }
          case 'remove': {
            if (m.length === 0) break;
            const k = o.at % m.length;
            log.remove(owner, owner.records[k]!);
            owner.records.splice(k, 1);
            m.splice(k, 1);
            break;
          }
          case 'rewrite': {
            if (m.length === 0) break;
            const k = o.at % m.length;
            log.rewrite(owner.records[k]!, o.from, o.to, o.reason);
            m[k] = { ...m[k]!, from: STATE_NAMES[o.from]!, to: STATE_NAMES[o.to]!, reason: REASONS[o.reason] };
            break;
          }
          case 'flip':
            log.flipRoles(owner);
            for (const c of m) c.endpoint = c.endpoint === 'orig' ? 'resp' : 'orig';
            break;
          case 'clear':
            log.clear(owner);
            owner.records = [];
            m.length = 0;
            break;
        }
      }
      for (let i = 0; i < LISTS; i++) {
        assert.deepEqual(log.toArray(owners[i]!), model[i]);
        assert.equal(owners[i]!.changeTail, owners[i]!.records.at(-1) ?? -1);
      }
      // freed records are reused, never leaked: the log holds exactly the listed ones
      assert.equal(log.size, model.reduce((n, m) => n + m.length, 0));
    }), { numRuns: 300 });
  });

  it('keeps records in whole pages that are never copied, and refuses a page size that is not a power of two', () => {
    const log = new ChangeLog(4);
    const owner: ChangeList = { changeHead: -1, changeTail: -1 };
    assert.equal(log.bytes, 0);
    for (let i = 0; i < 9; i++) log.append(owner, 0, 1, 2, 0, i, 1_700_000_000 + i, i);
    assert.equal(log.bytes, 3 * 4 * 28); // 9 records: pages of 4, 4 and 1
    assert.deepEqual(log.toArray(owner).map((c) => c.segment), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.throws(() => new ChangeLog(3), /not a power of two/);
  });

  it('reuses freed records, so a bounded tracker in a SYN flood does not grow it', () => {
    const log = new ChangeLog(4);
    const owner: ChangeList = { changeHead: -1, changeTail: -1 };
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      seen.add(log.append(owner, 0, 1, 2, 0, i, 1_700_000_000, 0));
      log.clear(owner);
    }
    assert.equal(seen.size, 1);
    assert.equal(log.size, 0);
  });
});

// The tracker's object makers (src/tcp/field-copier.ts): objects built from a template by one
// literal, with the per-segment fields laid out first, and recycled objects reset to the template.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Connection, Endpoint, newConnection, newEndpoint } from '../../src/tcp/connection.js';
import { fieldCopier, layout, literalMaker } from '../../src/tcp/field-copier.js';
import { ZeekEndpoint, ZeekSession, newZeekSession } from '../../src/tcp/zeek-session.js';

describe('literal maker', () => {
  test('copies every field of the template, the named ones first and the rest in declaration order', () => {
    const template = { a: 1, b: 'two', c: null as number | null, d: true, e: -1 };
    const make = literalMaker(template, ['d', 'b']);
    const made = make(template);
    assert.deepEqual(Object.keys(made), ['d', 'b', 'a', 'c', 'e']);
    assert.deepEqual({ ...made }, template);
    assert.notEqual(made, template);
  });

  test('refuses a name that is not a field (a renamed field must not drop out of the hot list silently)', () => {
    assert.throws(() => layout({ a: 1 }, ['b' as 'a']), /layout: b is not a field/);
  });

  test('fieldCopier resets every field to the template', () => {
    const template = { a: 1, b: 'two', c: false };
    const other = { a: 9, b: 'x', c: true };
    fieldCopier(template)(template, other);
    assert.deepEqual(other, template);
  });
});

describe('tracker objects', () => {
  const z = new ZeekEndpoint(true);

  test('an endpoint made for the tracker is an Endpoint with the hot fields first and every field fresh', () => {
    const fresh = new Endpoint(7, 80, 3, z);
    const made = newEndpoint(7, 80, 3, z);
    assert.ok(made instanceof Endpoint);
    assert.equal(Object.keys(made)[0], 'state');
    assert.deepEqual(Object.keys(made).sort(), Object.keys(fresh).sort());
    for (const k of Object.keys(fresh) as (keyof Endpoint)[]) assert.equal(made[k], fresh[k], k);
  });

  test('a connection and its Zeek session made for the tracker hold every field of one built by new', () => {
    const session = newZeekSession(1, 2, false, 2);
    const byNew = new ZeekSession(1, 2, false, 2);
    assert.ok(session.orig instanceof ZeekEndpoint && session.resp instanceof ZeekEndpoint);
    assert.deepEqual(Object.keys(session.orig).sort(), Object.keys(byNew.orig).sort());
    assert.equal(Object.keys(session.orig)[0], 'state');
    const a = newEndpoint(1, 1000, 0, session.orig), b = newEndpoint(2, 80, 0, session.resp);
    const made = newConnection(5, a, b, session, 1, 2, 0, 4);
    const byNewConn = new Connection(5, a, b, session, 1, 2, 0, 4);
    assert.ok(made instanceof Connection);
    assert.equal(Object.keys(made)[0], 'orig');
    assert.deepEqual(Object.keys(made).sort(), Object.keys(byNewConn).sort());
    for (const k of Object.keys(byNewConn) as (keyof Connection)[]) assert.equal(made[k], byNewConn[k], k);
  });

  test("an endpoint's flags are independent bits of one field, false when new and after reuse", () => {
    const flags = ['sawSyn', 'sentPureSyn', 'sentSynAck', 'peerAckIgnored', 'seqKnown', 'ackKnown', 'finSent', 'finAcked',
      'dataKnown', 'prevValid', 'prevHasTs', 'notOrphan', 'crossedFin'] as const;
    const e = newEndpoint(1, 2, 3, z);
    for (const f of flags) assert.equal(e[f], false, f);
    for (const f of flags) {
      e[f] = true;
      for (const g of flags) assert.equal(e[g], g === f, `${f} set, ${g} read`);
      e[f] = false;
    }
    assert.equal(e.bits, 0);
    for (const f of flags) e[f] = true;
    assert.ok(!Object.keys(e).some((k) => (flags as readonly string[]).includes(k)), 'no flag is an own field');
    e.reuse(1, 2, 3, z);
    for (const f of flags) assert.equal(e[f], false, `${f} after reuse`);
  });

  test('a recycled endpoint is reset to fresh values', () => {
    const e = newEndpoint(1, 2, 3, z);
    e.packets = 99;
    e.finSent = true;
    e.prevSeq = 12345;
    e.reuse(4, 5, 6, z);
    const fresh = new Endpoint(4, 5, 6, z);
    for (const k of Object.keys(fresh) as (keyof Endpoint)[]) assert.equal(e[k], fresh[k], k);
  });
});

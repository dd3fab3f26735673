// The nine-line excerpt of issue 3 (an incident write-up's tcpdump text) read through the library:
// exactly one finding, fin-not-returned on the server 127.0.0.1:9000.

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { analyze } from '../../src/index.js';
import { buildSummary, renderSummary } from '../../src/render/summary.js';
import { EXCERPT } from '../text/issue-excerpt.js';


test('the issue-3 excerpt yields exactly one fin-not-returned, on 127.0.0.1:9000, citing the FIN and its ACK', async () => {
  const result = await analyze('-', { stdin: Readable.from([EXCERPT]) });
  assert.equal(result.flows.length, 1);
  assert.deepEqual(result.findings.map((f) => `${f.code} ${f.endpoint}`), ['fin-not-returned 127.0.0.1:9000']);
  const f = result.findings[0]!;
  assert.equal(f.flow, 1);
  // lines 8 (client FIN) and 9 (server ACK) are segments 7 and 8, 0-based
  assert.deepEqual(f.evidence, [7, 8]);
  // 39.3 ms before the capture ends: far below --min-age, so only info
  assert.equal(f.severity, 'info');
  assert.ok(Math.abs(f.age - 0.039324) < 1e-6, `age ${f.age}`);
  assert.deepEqual(result.flows[0]!.findings, [f]);

  const model = buildSummary(result);
  assert.deepEqual(model.endpoints.map((r) => [r.endpoint, r.role, r.states]), [
    ['127.0.0.1:9000', 'server', { CLOSE_WAIT: 1 }],
    ['127.0.0.1', 'client', { FIN_WAIT_2: 1 }],
  ]);
  const text = renderSummary(result, { format: 'text' });
  assert.match(text, /^ {2}127\.0\.0\.1:9000 +CLOSE_WAIT 1$/m);
  assert.match(text, /INFO +fin-not-returned +127\.0\.0\.1:9000/);
});

// Oracle test: the suricata-verify cases (../shared/corpus/other) whose flow event expects a TCP
// state. Suricata keeps one state per flow, named from the side that received the first FIN
// (close_wait: that side has not closed yet; last_ack: it has, and waits for the last ACK); so the
// expected state must show on the endpoint that did not send the first FIN. syn_sent is checked on
// the SYN's sender.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { toFlowRecord } from '../../src/tcp/flow-record.js';
import { CORPUS_DIR, normalizeAddress, trackCapture } from './corpus.js';

interface FlowExpectation {
  srcIp: string;
  srcPort: number;
  destIp: string;
  destPort: number;
  state: string;
}

/** The flow-event filters of a suricata-verify test.yaml that name a tcp.state (a tiny YAML subset). */
function flowExpectations(yaml: string): FlowExpectation[] {
  const out: FlowExpectation[] = [];
  for (const block of yaml.split(/-\s+filter:/).slice(1)) {
    const get = (key: string) => new RegExp(`\\n\\s*${key.replace('.', '\\.')}:\\s*"?'?([^"'\\n]+)`).exec(block)?.[1]?.trim();
    if (get('event_type') !== 'flow' || get('tcp.state') === undefined || get('src_ip') === undefined) continue;
    out.push({
      srcIp: normalizeAddress(get('src_ip')!), srcPort: Number(get('src_port')),
      destIp: normalizeAddress(get('dest_ip')!), destPort: Number(get('dest_port')), state: get('tcp.state')!,
    });
  }
  return out;
}

test('Suricata close_wait / last_ack / syn_sent flows show that state on the right endpoint', async (t) => {
  if (CORPUS_DIR === null) {
    t.skip('oracle corpus not found at ../shared/corpus (relative to the repository): skipped');
    return;
  }
  const base = `${CORPUS_DIR}other/suricata-verify/`;
  let checked = 0;
  const seen = new Set<string>();
  for (const dir of readdirSync(base)) {
    let yaml: string;
    try { yaml = readFileSync(`${base}${dir}/test.yaml`, 'utf8'); } catch { continue; }
    const pcap = readdirSync(`${base}${dir}`).find((f) => f.endsWith('.pcap'));
    if (pcap === undefined) continue;
    for (const exp of flowExpectations(yaml)) {
      if (!['close_wait', 'last_ack', 'syn_sent'].includes(exp.state)) continue;
      const { tracker, addresses } = await trackCapture(`other/suricata-verify/${dir}/${pcap}`);
      const flows = tracker.connections.map((c) => toFlowRecord(c, addresses));
      const f = flows.find((x) => normalizeAddress(x.orig_h) === exp.srcIp && x.orig_p === exp.srcPort
        && normalizeAddress(x.resp_h) === exp.destIp && x.resp_p === exp.destPort);
      assert.ok(f, `${dir}: no connection ${exp.srcIp}:${exp.srcPort} > ${exp.destIp}:${exp.destPort}`);
      const want = exp.state.toUpperCase();
      if (exp.state === 'syn_sent') {
        assert.equal(f.orig_state, want, `${dir}: the SYN sender`);
      } else {
        assert.ok(f.first_fin !== null, `${dir}: a FIN was expected`);
        const receiver = f.first_fin === 'orig' ? f.resp_state : f.orig_state;
        assert.equal(receiver, want, `${dir}: the endpoint that received the first FIN`);
      }
      console.log(`${dir}: ${exp.state} -> orig ${f.orig_state}, resp ${f.resp_state} (first FIN: ${f.first_fin})`);
      seen.add(exp.state);
      checked++;
    }
  }
  assert.ok(seen.has('close_wait') && seen.has('last_ack'), 'the corpus has a close_wait and a last_ack case');
  assert.ok(checked >= 3);
});

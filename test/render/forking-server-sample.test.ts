// The forking-server sample (a real capture from the lab): its ladder must show the handshake, the
// request, the echo, the client FIN, the server's ACK of it, the ghost FIN and the CLOSE_WAIT label.
// tcpdump reads the same file as the oracle for every arrow's flags and numbers.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/analysis/analyze.js';
import { ACK, FIN, SYN, flagString } from '../../src/segment/tcp-segment.js';
import { ladderModelForFlows, renderLadder, svgToPng, type DiagramSource } from '../../src/render/svg/index.js';
import { layoutLadder } from '../../src/render/svg/ladder-layout.js';
import { assertRenderableSvg } from './render-helpers.js';

const SAMPLE = fileURLToPath(new URL('../../samples/forking-server.pcap', import.meta.url));
const skip = existsSync(SAMPLE) ? false : 'samples/forking-server.pcap not present yet';
const work = mkdtempSync(join(tmpdir(), 'finscope-sample-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('forking-server sample ladder', { skip }, () => {
  it('shows handshake, request, echo, client FIN, server ACK, ghost FIN and CLOSE_WAIT', async () => {
    const result = (await analyze(SAMPLE, { keepSegments: true })) as unknown as DiagramSource & { flows: { id: number; resp_state: string }[] };
    const flow = result.flows.find((f) => f.resp_state === 'CLOSE_WAIT');
    assert.ok(flow, 'a connection whose server is in CLOSE_WAIT at capture end');
    const model = ladderModelForFlows(result, [flow.id]);
    const segs = model.segments;
    const from = (orig: boolean) => segs.filter((s) => s.fromOrig === orig);
    const fin = from(true).find((s) => s.flags & FIN);
    assert.ok(segs[0] && segs[0].flags === SYN && segs[0].fromOrig, 'client SYN first');
    assert.ok(from(false).some((s) => s.flags === (SYN | ACK)), 'server SYN-ACK');
    assert.ok(from(true).some((s) => s.payloadLength > 0), 'request');
    assert.ok(from(false).some((s) => s.payloadLength > 0), 'echo / response');
    assert.ok(fin, 'client FIN');
    const finEnd = fin.seq + fin.payloadLength + 1;
    assert.ok(from(false).some((s) => (s.flags & ACK) !== 0 && s.ack === finEnd), 'server ACKs the FIN');
    assert.ok(!from(false).some((s) => s.flags & FIN), 'server never sends FIN');

    const layout = layoutLadder(model);
    const page = layout.pages.at(-1)!;
    const ghost = page.arrows.find((a) => a.cls === 'ghost');
    assert.ok(ghost && /^no FIN: CLOSE_WAIT for \S+ \S+ at capture end$/.test(ghost.label), ghost?.label);
    assert.ok(page.badges.some((b) => b.kind === 'final' && b.text === 'CLOSE_WAIT'));
    assert.ok(layout.pages.flatMap((p) => p.badges).some((b) => b.kind === 'change' && b.text === 'CLOSE_WAIT'));

    // Oracle: tcpdump's own reading of the same packets, arrow by arrow.
    if (spawnSync('tcpdump', ['--version']).status === 0) {
      const r = spawnSync('tcpdump', ['-n', '-r', SAMPLE], { encoding: 'utf8' });
      const c = model.connections[0]!;
      const dot = (l: string) => l.replace(/^\[(.*)\]:(\d+)$/, '$1.$2').replace(/:(\d+)$/, '.$1');
      const mine = new Set([`${dot(c.origLabel)} > ${dot(c.respLabel)}`, `${dot(c.respLabel)} > ${dot(c.origLabel)}`]);
      const flags = r.stdout.split('\n')
        .map((l) => /IP6? (\S+ > \S+): Flags \[([^\]]*)\]/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && mine.has(m[1]!.replace(/:$/, '')))
        .map((m) => m[2]);
      assert.deepEqual(segs.map((s) => flagString(s.flags)), flags);
    }

    const svgs = renderLadder(model);
    svgs.forEach((svg, k) => assertRenderableSvg(svg, `sample page ${k + 1}`));
    const png = join(work, 'forking-server.png');
    writeFileSync(png, svgToPng(svgs[0]!));
  });
});

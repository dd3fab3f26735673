// `finscope diagram`: SVG (or PNG) ladder diagram of selected connections, or a timeline of many.

import { writeFileSync } from 'node:fs';
import { analyze } from '../../analysis/analyze.js';
import type { AnalysisResult } from '../../analysis/analysis-result.js';
import { ladderModelForFlows, renderLadderWithStats, renderTimeline, svgToPng, timelineModelFromConnections } from '../../render/svg/index.js';
import { UsageError } from '../../errors.js';
import { OutputWriter } from '../output.js';
import { Progress } from '../progress.js';
import { reportInputIssues, reportLimits } from '../input-warnings.js';
import { failOnCode } from './fail-on.js';
import { common } from './packets.js';
import { parseFilterOption } from './flows.js';
import type { CommonOptions } from '../options.js';

type DiagramOptions = CommonOptions & { flow?: number[]; timeline: boolean; format: 'svg' | 'png' };

export async function runDiagram(options: DiagramOptions): Promise<number> {
  const predicate = parseFilterOption(options.filter);
  for (const id of options.flow ?? []) {
    if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--flow must be a connection id (a positive integer), got ${JSON.stringify(id)}`);
  }
  const progress = new Progress(options.quiet);
  const result = await analyze(options.capture, { ...common(options), keepSegments: true, onProgress: (r, t) => progress.update(r, t) });
  progress.done();

  let selected = result.connections.filter((_, i) => !predicate || predicate(result.flows[i]!));
  if (options.flow?.length) {
    const wanted = new Set(options.flow);
    const missing = options.flow.filter((id) => !result.connections[id - 1]);
    if (missing.length) throw new UsageError(`no connection with id ${missing.join(', ')} (the capture has ${result.connections.length}; see finscope flows)`);
    selected = selected.filter((c) => wanted.has(c.id));
  }

  let pages: string[];
  if (options.timeline) {
    const model = timelineModelFromConnections(selected, result.addresses, result.findings, result.captureStart, result.captureEnd);
    pages = [renderTimeline(model)];
  } else {
    if (selected.length === 0) throw new UsageError('no connection selected (see finscope flows for ids)');
    if (!options.flow?.length && !predicate && selected.length > 1) {
      throw new UsageError(`the capture has ${selected.length} connections: choose with --flow ID or --filter EXPR (e.g. ${suggest(result)}), or draw them all with --timeline`);
    }
    // More than 20 connections on one ladder is unreadable: the model takes the first 20 and says so.
    const model = ladderModelForFlows(result, selected.map((c) => c.id));
    pages = renderLadderWithStats(model).pages;
  }
  await writePages(pages, options);
  reportLimits(result.limits, options.quiet);
  const inputCode = reportInputIssues(result.issues, options.quiet, options.strict);
  return inputCode || failOnCode(result.findings, options.failOn);
}

function suggest(result: AnalysisResult): string {
  const flagged = result.flows.filter((f) => f.findings.some((x) => x.severity !== 'info')).slice(0, 3).map((f) => `--flow ${f.id}`);
  return flagged.length ? flagged.join(' or ') : '--filter "state CLOSE_WAIT"';
}

/** One page: to -o or standard output. Several: FILE, FILE-p2, … (or ladder-pN.svg here). */
async function writePages(pages: string[], options: DiagramOptions): Promise<void> {
  const ext = options.format;
  const bytes = (svg: string) => (ext === 'png' ? svgToPng(svg) : Buffer.from(svg));
  if (pages.length === 1 && (options.output || ext === 'svg')) {
    const out = new OutputWriter(options.output);
    await out.writeBytes(bytes(pages[0]!));
    await out.close();
    return;
  }
  const base = options.output ? options.output.replace(new RegExp(`\\.${ext}$`), '') : 'ladder';
  const written: string[] = [];
  pages.forEach((svg, i) => {
    const name = pages.length === 1 ? `${base}.${ext}` : `${base}-p${i + 1}.${ext}`;
    writeFileSync(name, bytes(svg));
    written.push(name);
  });
  if (!options.quiet) process.stderr.write(`finscope: wrote ${written.length} page${written.length > 1 ? 's' : ''}: ${written.map((n) => JSON.stringify(n)).join(' ')}\n`);
}

// `finscope report`: one self-contained HTML postmortem report, or Markdown with SVGs beside it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { analyze } from '../../analysis/analyze.js';
import { renderHtmlReport, renderMarkdownReport } from '../../render/report/index.js';
import { renderSummary } from '../../render/summary.js';
import { VERSION } from '../../version.js';
import { OutputWriter } from '../output.js';
import { Progress } from '../progress.js';
import { reportInputIssues, reportLimits } from '../input-warnings.js';
import { failOnCode } from './fail-on.js';
import { common } from './packets.js';
import { narrow } from './summary.js';
import { parseFilterOption } from './flows.js';
import type { CommonOptions } from '../options.js';

export async function runReport(options: CommonOptions & { format: 'html' | 'md' }): Promise<number> {
  const predicate = parseFilterOption(options.filter);
  const progress = new Progress(options.quiet);
  const full = await analyze(options.capture, { ...common(options), keepSegments: true, onProgress: (r, t) => progress.update(r, t) });
  progress.done();
  const result = predicate ? narrow(full, predicate) : full;
  const generator = `finscope ${VERSION}`;
  const out = new OutputWriter(options.output);
  if (options.format === 'md') {
    const assetDir = options.output ? `${basename(options.output).replace(/\.md$/, '')}-files` : 'finscope-report-files';
    const md = renderMarkdownReport(result, { generator, assetDir, summaryMarkdown: renderSummary(result, { format: 'md' }) });
    const base = options.output ? dirname(options.output) : '.';
    for (const f of md.files) {
      const path = join(base, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    await out.write(md.markdown);
  } else {
    await out.write(renderHtmlReport(result, { generator, summaryText: renderSummary(result, { format: 'text', color: false }) }));
  }
  await out.close();
  reportLimits(full.limits, options.quiet);
  const inputCode = reportInputIssues(full.issues, options.quiet, options.strict);
  return inputCode || failOnCode(full.findings, options.failOn);
}

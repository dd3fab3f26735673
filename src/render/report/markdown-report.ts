// Markdown postmortem report: AnalysisResult → Markdown text plus the SVG files it links (for wikis).
// The caller writes `files` beside the Markdown file; links are relative (`<assetDir>/timeline.svg`).

import type { TcpState } from '../../analysis/flow-record.js';
import { escapeTerminal } from '../escape.js';
import { formatAge, formatBytes, formatCount, formatDuration, formatEpoch } from '../svg/format.js';
import { buildReportData, type ReportOptions, type ReportResult } from './report-data.js';

export interface MarkdownReportOptions extends ReportOptions {
  /** Folder (relative to the Markdown file) the SVGs go into; default `finscope-report`. */
  assetDir?: string;
}

export interface MarkdownReport {
  markdown: string;
  /** Relative path (using `/`) → SVG text. */
  files: { path: string; content: string }[];
}

/** Escape text from the capture for Markdown: backslash the punctuation CommonMark treats as markup
 *  (emphasis, code, links, HTML, tables), so a host name like `<b>_x_|y` stays literal, also in tables. */
export function escapeMarkdown(text: string): string {
  const t = escapeTerminal(text).replace(/[\\`*_[\]#!|<>&~]/g, (c) => '\\' + c);
  // A list marker or numbered item only means something at the start of a line.
  return t.replace(/^([-+])(?=\s)|^(\d+)([.)])(?=\s)/, (_all, sign: string | undefined, num: string | undefined, dot: string | undefined) =>
    sign !== undefined ? '\\' + sign : `${num}\\${dot}`);
}

/** Inline code that cannot be broken out of: backticks in the text get a longer fence. */
function code(text: string): string {
  const t = escapeTerminal(text);
  const runs = t.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  return `${fence}${t.startsWith('`') || t.endsWith('`') ? ` ${t} ` : t}${fence}`;
}

export function renderMarkdownReport(result: ReportResult, options: MarkdownReportOptions = {}): MarkdownReport {
  const d = buildReportData(result, options);
  const dir = (options.assetDir ?? 'finscope-report').replace(/\/+$/, '');
  const files: MarkdownReport['files'] = [];
  const m = escapeMarkdown;
  const out: string[] = [];
  out.push(`# ${m(d.title)}`, '');
  out.push(`Capture ${m(d.captureStart)} → ${m(d.captureEnd)} (${m(formatDuration(d.durationSeconds))}); ` +
    `${formatCount(d.segmentCount)} TCP segments, ${formatCount(d.connectionCount)} connections.`, '');

  out.push('## Summary', '');
  out.push(`- connections: ${formatCount(d.connectionCount)}`);
  out.push(`- findings: ${formatCount(d.severityCounts.error)} errors, ${formatCount(d.severityCounts.warning)} warnings, ${formatCount(d.severityCounts.info)} notes`);
  out.push('');
  if (options.summaryMarkdown) out.push(options.summaryMarkdown.trimEnd(), '');
  else if (options.summaryText) out.push('```', options.summaryText.trimEnd().split('\n').map((l) => escapeTerminal(l).replace(/```/g, '` ` `')).join('\n'), '```', '');
  if (d.stateCounts.length > 0) {
    out.push('| state at capture end | originators | responders |', '|---|--:|--:|');
    for (const s of d.stateCounts) out.push(`| ${s.state} | ${formatCount(s.orig)} | ${formatCount(s.resp)} |`);
    out.push('');
  }
  for (const n of d.notes) out.push(`*${m(n)}*`, '');

  out.push('## Findings', '');
  if (d.findings.length === 0) out.push('No findings.', '');
  for (const v of d.findings) {
    const f = v.finding;
    out.push(`### ${v.n}. ${f.severity.toUpperCase()} ${code(f.code)} ${code(f.endpoint)}`, '');
    out.push(m(f.message), '');
    const facts = [`since ${m(formatEpoch(f.since))}`];
    if (Number.isFinite(f.age)) facts.push(`for ${m(formatAge(f.age))}`);
    if (f.flow !== undefined) facts.push(`connection #${f.flow}`);
    if (f.flows && f.flows.length > 0) facts.push(`connections ${f.flows.slice(0, 20).map((id) => `#${id}`).join(', ')}${f.flows.length > 20 ? ', …' : ''}`);
    out.push(facts.join(' · '), '');
    if (v.evidence.length > 0) {
      out.push('| segment | time | from → to | flags | seq | ack | win | len |', '|--:|---|---|---|--:|--:|--:|--:|');
      for (const r of v.evidence) {
        out.push(`| #${r.number} | ${m(r.time)} | ${m(r.from)} → ${m(r.to)} | ${m(`[${r.flags}]`)} | ${r.seq} | ${r.ack} | ${r.win} | ${r.len} |`);
      }
      out.push('');
    }
    if (v.moreEvidence > 0) out.push(`*${formatCount(v.moreEvidence)} more evidence segments not listed.*`, '');
  }
  if (d.moreFindings > 0) out.push(`*${formatCount(d.moreFindings)} more findings not listed.*`, '');

  if (d.timelineSvg) {
    const path = `${dir}/timeline.svg`;
    files.push({ path, content: d.timelineSvg });
    out.push('## Timeline', '', `![Connections over time](${path})`, '');
  }
  if (d.ladders.length > 0) {
    out.push('## Ladder diagrams', '');
    for (const l of d.ladders) {
      out.push(`### ${m(l.title)}`, '', `Example for finding${l.forFindings.length > 1 ? 's' : ''} ${l.forFindings.join(', ')}.`, '');
      l.pages.forEach((svg, k) => {
        const path = `${dir}/ladder-${l.flow}${l.pages.length > 1 || l.totalPages > 1 ? `-p${k + 1}` : ''}.svg`;
        files.push({ path, content: svg });
        out.push(`![connection #${l.flow}${l.totalPages > 1 ? `, page ${k + 1}` : ''}](${path})`, '');
      });
      if (l.totalPages > l.pages.length) out.push(`*${l.totalPages - l.pages.length} more pages: \`finscope diagram --flow ${l.flow}\` draws them all.*`, '');
    }
  }

  out.push('## Connections', '');
  out.push('| id | originator | responder | start | duration | conn_state | history | orig_state | resp_state | pkts →/← | bytes →/← | findings |');
  out.push('|--:|---|---|---|--:|---|---|---|---|--:|--:|---|');
  for (const r of d.tableRows) {
    const ep = (h: string, p: number) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);
    const codes = [...new Set(r.findings.map((f) => f.code))].join(', ');
    out.push(`| ${r.id} | ${m(ep(r.orig_h, r.orig_p))} | ${m(ep(r.resp_h, r.resp_p))} | ${m(formatEpoch(r.ts))} | ${m(formatDuration(r.duration))} | ` +
      `${r.conn_state} | ${m(r.history)} | ${state(r.orig_state)} | ${state(r.resp_state)} | ${r.orig_pkts} / ${r.resp_pkts} | ` +
      `${m(formatBytes(r.orig_bytes))} / ${m(formatBytes(r.resp_bytes))} | ${m(codes)} |`);
  }
  out.push('');
  if (d.moreRows > 0) out.push(`*${formatCount(d.moreRows)} more connections not listed.*`, '');
  if (d.issues.length > 0) {
    out.push('## Input issues', '', '| issue | count |', '|---|--:|');
    for (const i of d.issues) out.push(`| ${m(i.code)} | ${formatCount(i.count)} |`);
    out.push('');
    if (d.issueExamples.length > 0) out.push('```', ...d.issueExamples.map((x) => escapeTerminal(x).replace(/```/g, '` ` `')), '```', '');
  }
  if (d.generator) out.push(`*Generated by ${m(d.generator)}.*`, '');
  return { markdown: out.join('\n'), files };
}

function state(s: TcpState): string {
  return s === 'CLOSE_WAIT' || s === 'FIN_WAIT_2' ? `**${s}**` : s;
}

// HTML postmortem report: AnalysisResult → one self-contained HTML file (inline CSS, inline SVG,
// no scripts, no network: a Content-Security-Policy forbids every fetch). The markup is also
// well-formed XML after the doctype (void elements self-closed), so tests can check it strictly.

import type { TcpState } from '../../analysis/flow-record.js';
import { escapeXml } from '../escape.js';
import { formatAge, formatBytes, formatCount, formatDuration, formatEpoch } from '../svg/format.js';
import { STATE_COLOR, stateClass } from '../svg/state-style.js';
import { buildReportData, type ReportData, type ReportOptions, type ReportResult } from './report-data.js';

const e = escapeXml;

/** Escape text that keeps its line breaks and tabs (escapeXml shows every control character, \n too). */
function eLines(text: string): string {
  return text.split(/(\r?\n|\t)/).map((part) => (part === '\n' || part === '\r\n' || part === '\t' ? part.replace('\r', '') : e(part))).join('');
}

const CSS = `
:root{color-scheme:light}
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1b1b1b;background:#fff;margin:0}
main{max-width:1280px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}
code,pre,.mono,td.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,'Liberation Mono',monospace;font-size:13px}
pre{background:#f6f6f6;padding:10px;overflow-x:auto;white-space:pre-wrap}
.meta{color:#555}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card strong{display:block;font-size:22px}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right}
.sev{display:inline-block;border-radius:3px;padding:0 6px;font-weight:bold;font-size:12px;color:#fff}
.sev-error{background:#c00}.sev-warning{background:#b35806}.sev-info{background:#666}
.finding{border-left:4px solid #999;padding:4px 12px;margin:12px 0}
.finding.error{border-color:#c00}.finding.warning{border-color:#b35806}
.finding .msg{margin:4px 0}
.figure{overflow-x:auto;border:1px solid #e3e3e3;margin:8px 0;max-height:1600px;overflow-y:auto}
.figure svg{display:block}
.figure svg.fs-timeline{max-width:100%;height:auto}
.state{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:baseline}
.note{color:#555;font-style:italic}
footer{margin-top:40px;color:#777;font-size:13px}
`;

/** Render the report; see ReportOptions for limits. Deterministic: same result, same bytes. */
export function renderHtmlReport(result: ReportResult, options: ReportOptions = {}): string {
  return htmlFromData(buildReportData(result, options), options);
}

function sevBadge(s: string): string {
  const cls = s === 'error' || s === 'warning' ? s : 'info';
  return `<span class="sev sev-${cls}">${e(s.toUpperCase())}</span>`;
}

function stateChip(state: TcpState): string {
  const color = STATE_COLOR[state] ?? '#ccc';
  return `<span class="state ${stateClass(state)}" style="background:${color}"></span>${e(state)}`;
}

export function htmlFromData(d: ReportData, options: ReportOptions = {}): string {
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${e(d.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    `<h1>${e(d.title)}</h1>`,
    `<p class="meta">Capture ${e(d.captureStart)} → ${e(d.captureEnd)} (${e(formatDuration(d.durationSeconds))}); ` +
      `${e(formatCount(d.segmentCount))} TCP segments, ${e(formatCount(d.connectionCount))} connections.</p>`,
  );

  // ---- summary ----
  out.push('<h2 id="summary">Summary</h2>', '<div class="cards">');
  out.push(`<div class="card"><strong>${formatCount(d.connectionCount)}</strong>connections</div>`);
  out.push(`<div class="card"><strong>${formatCount(d.severityCounts.error)}</strong>errors</div>`);
  out.push(`<div class="card"><strong>${formatCount(d.severityCounts.warning)}</strong>warnings</div>`);
  out.push(`<div class="card"><strong>${formatCount(d.severityCounts.info)}</strong>notes</div>`);
  out.push('</div>');
  if (d.findings.length > 0) {
    out.push('<p>Top findings:</p><ol>');
    for (const v of d.findings.slice(0, 5)) {
      out.push(`<li>${sevBadge(v.finding.severity)} <a href="#finding-${v.n}"><code>${e(v.finding.code)}</code></a> ${e(v.finding.endpoint)}</li>`);
    }
    out.push('</ol>');
  } else {
    out.push('<p>No findings.</p>');
  }
  if (options.summaryText) out.push(`<pre>${eLines(options.summaryText)}</pre>`);
  if (d.stateCounts.length > 0) {
    out.push('<h3>Endpoint states at capture end</h3><table><tr><th>state</th><th>originators</th><th>responders</th></tr>');
    for (const s of d.stateCounts) {
      out.push(`<tr><td>${stateChip(s.state)}</td><td class="num">${formatCount(s.orig)}</td><td class="num">${formatCount(s.resp)}</td></tr>`);
    }
    out.push('</table>');
  }
  if (d.inputs.length > 0) {
    out.push('<h3>Inputs</h3><table><tr><th>input</th><th>format</th><th>records</th><th>TCP segments</th><th>bytes</th></tr>');
    for (const i of d.inputs) {
      out.push(`<tr><td class="mono">${e(i.name)}</td><td>${e(i.format)}${i.gzip ? ' (gzip)' : ''}</td><td class="num">${formatCount(i.records)}</td>` +
        `<td class="num">${formatCount(i.segments)}</td><td class="num">${e(formatBytes(i.bytes))}</td></tr>`);
    }
    out.push('</table>');
  }
  for (const n of d.notes) out.push(`<p class="note">${e(n)}</p>`);

  // ---- findings ----
  out.push('<h2 id="findings">Findings</h2>');
  if (d.findings.length === 0) out.push('<p>No findings.</p>');
  for (const v of d.findings) {
    const f = v.finding;
    const sevCls = f.severity === 'error' || f.severity === 'warning' ? f.severity : 'info';
    out.push(`<section class="finding ${sevCls}" id="finding-${v.n}">`);
    out.push(`<h3>${v.n}. ${sevBadge(f.severity)} <code>${e(f.code)}</code> · <span class="mono">${e(f.endpoint)}</span></h3>`);
    out.push(`<p class="msg">${e(f.message)}</p>`);
    const facts: string[] = [`since ${e(formatEpoch(f.since))}`];
    if (Number.isFinite(f.age)) facts.push(`for ${e(formatAge(f.age))}`);
    if (f.flow !== undefined) facts.push(`connection <a href="#flow-${f.flow}">#${f.flow}</a>`);
    if (f.flows && f.flows.length > 0) {
      const shown = f.flows.slice(0, 20).map((id) => `<a href="#flow-${id}">#${id}</a>`).join(', ');
      facts.push(`connections ${shown}${f.flows.length > 20 ? `, … (${formatCount(f.flows.length)} in all)` : ''}`);
    }
    if (v.exampleFlow !== undefined && d.ladders.some((l) => l.flow === v.exampleFlow)) facts.push(`<a href="#ladder-${v.exampleFlow}">ladder diagram</a>`);
    out.push(`<p class="meta">${facts.join(' · ')}</p>`);
    if (v.evidence.length > 0) {
      out.push('<table class="evidence"><tr><th>segment</th><th>time</th><th>from → to</th><th>flags</th><th>seq</th><th>ack</th><th>win</th><th>len</th></tr>');
      for (const r of v.evidence) {
        out.push(`<tr><td class="num">#${r.number}</td><td class="mono">${e(r.time)}</td><td class="mono">${e(r.from)} → ${e(r.to)}</td>` +
          `<td class="mono">[${e(r.flags)}]</td><td class="num mono">${r.seq}</td><td class="num mono">${r.ack}</td><td class="num">${r.win}</td><td class="num">${r.len}</td></tr>`);
      }
      out.push('</table>');
    }
    if (v.moreEvidence > 0) out.push(`<p class="note">${formatCount(v.moreEvidence)} more evidence segments not listed.</p>`);
    out.push('</section>');
  }
  if (d.moreFindings > 0) out.push(`<p class="note">${formatCount(d.moreFindings)} more findings not listed (see <code>finscope summary --format json</code>).</p>`);

  // ---- timeline ----
  if (d.timelineSvg) {
    out.push('<h2 id="timeline">Timeline</h2>', `<div class="figure">${d.timelineSvg}</div>`);
  }

  // ---- ladders ----
  if (d.ladders.length > 0) {
    out.push('<h2 id="ladders">Ladder diagrams</h2>');
    for (const l of d.ladders) {
      out.push(`<h3 id="ladder-${l.flow}">${e(l.title)}</h3>`);
      out.push(`<p class="meta">Example for finding${l.forFindings.length > 1 ? 's' : ''} ${l.forFindings.map((n) => `<a href="#finding-${n}">${n}</a>`).join(', ')}.</p>`);
      for (const p of l.pages) out.push(`<div class="figure">${p}</div>`);
      if (l.totalPages > l.pages.length) {
        out.push(`<p class="note">${l.totalPages - l.pages.length} more pages: <code>finscope diagram --flow ${l.flow}</code> draws them all.</p>`);
      }
    }
  }

  // ---- connection table ----
  out.push('<h2 id="connections">Connections</h2>');
  out.push('<table class="flows"><tr><th>id</th><th>originator</th><th>responder</th><th>start</th><th>duration</th><th>conn_state</th><th>history</th>' +
    '<th>orig_state</th><th>resp_state</th><th>pkts →/←</th><th>bytes →/←</th><th>findings</th></tr>');
  for (const r of d.tableRows) {
    const codes = [...new Set(r.findings.map((f) => f.code))].join(', ');
    out.push(
      `<tr id="flow-${r.id}"><td class="num">${r.id}</td><td class="mono">${e(endpoint(r.orig_h, r.orig_p))}</td><td class="mono">${e(endpoint(r.resp_h, r.resp_p))}</td>` +
        `<td class="mono">${e(formatEpoch(r.ts))}</td><td class="num">${e(formatDuration(r.duration))}</td><td>${e(r.conn_state)}</td><td class="mono">${e(r.history)}</td>` +
        `<td>${stateChip(r.orig_state)}</td><td>${stateChip(r.resp_state)}</td><td class="num">${r.orig_pkts} / ${r.resp_pkts}</td>` +
        `<td class="num">${e(formatBytes(r.orig_bytes))} / ${e(formatBytes(r.resp_bytes))}</td><td>${e(codes)}</td></tr>`,
    );
  }
  out.push('</table>');
  if (d.moreRows > 0) out.push(`<p class="note">${formatCount(d.moreRows)} more connections not listed (see <code>finscope flows</code>).</p>`);

  // ---- input issues ----
  if (d.issues.length > 0) {
    out.push('<h2 id="issues">Input issues</h2><table><tr><th>issue</th><th>count</th></tr>');
    for (const i of d.issues) out.push(`<tr><td><code>${e(i.code)}</code></td><td class="num">${formatCount(i.count)}</td></tr>`);
    out.push('</table>');
    if (d.issueExamples.length > 0) out.push(`<pre>${eLines(d.issueExamples.join('\n'))}</pre>`);
  }

  out.push(`<footer>${d.generator ? `Generated by ${e(d.generator)}. ` : ''}Self-contained: no scripts, no network access.</footer>`);
  out.push('</main></body></html>\n');
  return out.join('\n');
}

function endpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// Postmortem reports: a self-contained HTML file, or Markdown with SVG files beside it.

export { renderHtmlReport, htmlFromData } from './html-report.js';
export { renderMarkdownReport, escapeMarkdown, type MarkdownReport, type MarkdownReportOptions } from './markdown-report.js';
export {
  buildReportData, rankFindings, evidenceRows, type ReportData, type ReportOptions, type ReportResult,
} from './report-data.js';

// TUI layout arithmetic: terminal size → how many lines each screen's scrolling body gets.
// Shared by the reducer (to clamp and page) and the components (to slice), so both agree.

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** ink clears the whole terminal on every frame once its output reaches the last row; one spare
 *  row keeps it on the cheap line-diff path. */
export function frameHeight(size: TerminalSize): number {
  return Math.max(4, size.rows - 1);
}

/** Title, filter bar, column header, status line. */
export const TABLE_CHROME = 4;
export function tableBodyRows(size: TerminalSize): number {
  return Math.max(1, frameHeight(size) - TABLE_CHROME);
}

/** Title and status line. */
export const SUMMARY_CHROME = 2;
export function summaryBodyRows(size: TerminalSize): number {
  return Math.max(1, frameHeight(size) - SUMMARY_CHROME);
}

/** At most this many findings are listed above the ladder; the rest are counted. */
export const DETAIL_MAX_FINDINGS = 4;
export function detailFindingLines(findingCount: number): number {
  if (findingCount === 0) return 1;
  return Math.min(findingCount, DETAIL_MAX_FINDINGS) + (findingCount > DETAIL_MAX_FINDINGS ? 1 : 0);
}
/** Title, connection line, findings heading, findings, lane header, status line. */
export function detailBodyRows(size: TerminalSize, findingCount: number): number {
  return Math.max(1, frameHeight(size) - 5 - detailFindingLines(findingCount));
}

export function helpBodyRows(size: TerminalSize): number {
  return Math.max(1, frameHeight(size) - 2);
}

/** Keep `cursor` inside [top, top + height): the new top. */
export function scrollToShow(top: number, cursor: number, height: number): number {
  if (cursor < top) return cursor;
  if (cursor >= top + height) return cursor - height + 1;
  return top;
}

export function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

// Ladder diagram layout: LadderModel → pages of lanes, arrows, state bars and texts as plain numbers.
//
// Pure: no DOM, no text measurement (a monospace font and a fixed character width), no module state.
// Time flows down. Each drawn segment gets a row whose height grows a little with the real time
// since the previous row; gaps of `idleGapSeconds` or more collapse into an `N s idle` marker, and
// long runs of plain data/ACK segments collapse into an `N segments elided` marker. Rows are cut
// into pages so that no page is taller than `maxPageHeight` (librsvg refuses > 32,767 px).

import { ACK, FIN, RST, SYN, flagString } from '../../segment/tcp-segment.js';
import { clip, formatAge, formatBytes, formatCount, formatDuration, formatTimestamp, textLength, timestampFormatter, wrapText } from './format.js';
import {
  MARK_DUPLICATE_ACK, MARK_EVIDENCE, MARK_KEEPALIVE, MARK_RETRANSMISSION, MARK_WINDOW_PROBE, MARK_ZERO_WINDOW,
  type LadderModel, type LadderSegment, type LaneRole, type Side, type TcpState,
} from './ladder-model.js';

export interface LadderLayoutOptions {
  /** Font size of labels in px; the SVG uses a monospace stack. */
  fontSize: number;
  /** Advance of one character in px (DejaVu Sans Mono: 0.602 em; a little more for other fonts). */
  charWidth: number;
  /** Extra vertical space per second of real time between rows, capped by maxExtraPx. */
  pxPerSecond: number;
  maxExtraPx: number;
  /** Gaps at least this long (seconds) are drawn as a compressed `N s idle` marker. */
  idleGapSeconds: number;
  /** Elide runs of plain data/ACK segments longer than elideRunLength, keeping elideKeep at each end. */
  elide: boolean;
  elideRunLength: number;
  elideKeep: number;
  /** Page limits: a new page starts when either would be exceeded. */
  maxRowsPerPage: number;
  maxPageHeight: number;
  /** Vertical slant of arrows in px, from the one-way delay (half the handshake RTT). */
  minSlant: number;
  maxSlant: number;
  slantPxPerSecond: number;
  /** At most this many findings are listed under the last page. */
  maxFindings: number;
}

export const DEFAULT_LADDER_OPTIONS: LadderLayoutOptions = {
  fontSize: 12,
  charWidth: 7.4,
  pxPerSecond: 200,
  maxExtraPx: 60,
  idleGapSeconds: 1,
  elide: true,
  elideRunLength: 40,
  elideKeep: 6,
  maxRowsPerPage: 400,
  maxPageHeight: 30_000,
  minSlant: 6,
  maxSlant: 18,
  slantPxPerSecond: 400,
  maxFindings: 20,
};

/** The hard limit of librsvg (and a sane one for browsers); pages never exceed it. */
export const MAX_RENDERABLE_HEIGHT = 32_767;

export type TextAnchor = 'start' | 'middle' | 'end';

export interface LaneHeader {
  x: number;
  label: string;
  sublabel: string;
  role: LaneRole;
}

/** A piece of lane line; dashed through idle and elided stretches. */
export interface LaneLine { x: number; y1: number; y2: number; dashed: boolean }

/** An endpoint's state over a vertical stretch, drawn as a coloured band on its lane. */
export interface StateBar { x: number; y1: number; y2: number; width: number; state: TcpState }

/** A state name in a tinted box beside a lane (`kind` picks the style). */
export interface StateBadge {
  x: number;
  y: number;
  anchor: TextAnchor;
  text: string;
  state: TcpState;
  kind: 'change' | 'repeat' | 'final' | 'timer';
}

export interface TextItem { x: number; y: number; text: string; cls: string; anchor: TextAnchor }

export interface ArrowItem {
  x1: number; y1: number; x2: number; y2: number;
  /** Arrowhead triangle: tip, then the two base corners. */
  head: [number, number, number, number, number, number];
  /** Space-separated CSS classes from data: seg + syn|fin|rst|data|ack + marks, or ghost. */
  cls: string;
  /** Line above the arrow (flags, seq, ack, len) and below it (window, Δt, marks). */
  label: string;
  detail: string;
  lx: number;
  ly1: number;
  ly2: number;
  /** Tooltip text (segment number and absolute time). */
  title: string;
}

/** An idle or elided stretch (text on a white box), or the capture-end line. */
export interface BreakItem {
  kind: 'idle' | 'elided' | 'end';
  y: number;
  height: number;
  x1: number;
  x2: number;
  /** Where the text is centred. */
  tx: number;
  lines: string[];
}

export interface LadderPage {
  /** 1-based. */
  number: number;
  width: number;
  height: number;
  lanes: LaneHeader[];
  laneLines: LaneLine[];
  bars: StateBar[];
  badges: StateBadge[];
  arrows: ArrowItem[];
  breaks: BreakItem[];
  texts: TextItem[];
}

export interface LadderLayout {
  fontSize: number;
  charWidth: number;
  pages: LadderPage[];
  stats: { segments: number; drawn: number; elided: number; rows: number };
}

type Row =
  | { kind: 'seg'; seg: number; extra: number; height: number }
  | { kind: 'idle'; gap: number; untilEnd: boolean; height: number }
  | { kind: 'elided'; first: number; last: number; height: number }
  | { kind: 'timer'; change: number; extra: number; height: number }
  | { kind: 'end'; ghosts: number[]; height: number; findings: number; finalLines: number };

const MARGIN = 16;
const HEADER_LINES = 5; // title, subtitle, lane label, sublabel, role
const LINE = 16;
const BAR_WIDTH = 6;
const MAX_SLOTS = 6;
const IDLE_HEIGHT = 36;
const ELIDED_HEIGHT = 48;
const TIMER_HEIGHT = 24;
const FOOTER_HEIGHT = 28;
const CONTINUE_STRIP = 24;
const MAX_LABEL_CHARS = 64;
const MAX_HEADER_CHARS = 48;
const ARROW_TOP = 30;
const ROW_AIR = 10;

export type LadderStats = LadderLayout['stats'];

/** Lay out a ladder; see the file comment. Never throws on odd data (empty model, unknown lanes). */
export function layoutLadder(model: LadderModel, options: Partial<LadderLayoutOptions> = {}): LadderLayout {
  const pages: LadderPage[] = [];
  let fontSize = 0, charWidth = 0;
  const stats = layoutLadderPages(model, options, (page, meta) => {
    pages.push(page);
    fontSize = meta.fontSize;
    charWidth = meta.charWidth;
  });
  return { fontSize: fontSize || (options.fontSize ?? DEFAULT_LADDER_OPTIONS.fontSize), charWidth: charWidth || (options.charWidth ?? DEFAULT_LADDER_OPTIONS.charWidth), pages, stats };
}

export interface LadderPageMeta { fontSize: number; charWidth: number; pageCount: number }

/**
 * The same layout, handed out one page at a time as each is finished, so a caller that writes
 * pages as it goes keeps only one page of layout objects alive (100,000 segments: a fraction of
 * the memory and garbage-collection time of layoutLadder).
 */
export function layoutLadderPages(
  model: LadderModel,
  options: Partial<LadderLayoutOptions>,
  onPage: (page: LadderPage, meta: LadderPageMeta) => void,
): LadderStats {
  const o: LadderLayoutOptions = { ...DEFAULT_LADDER_OPTIONS, ...options };
  o.maxPageHeight = Math.min(o.maxPageHeight, MAX_RENDERABLE_HEIGHT);
  const cw = o.charWidth;
  const segs = model.segments;
  const n = segs.length;
  const conns = model.connections;
  const multi = conns.length > 1;
  const laneCount = Math.max(1, model.lanes.length);
  const laneOf = (l: number) => Math.min(Math.max(0, l), laneCount - 1);

  // ---- time --------------------------------------------------------------------------------
  const t0Sec = segs[0]?.tsSec ?? model.captureEndSec;
  const t0Nsec = segs[0]?.tsNsec ?? model.captureEndNsec;
  const rel = (sec: number, nsec: number) => sec - t0Sec + (nsec - t0Nsec) / 1e9;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = rel(segs[i]!.tsSec, segs[i]!.tsNsec);
  const lastSegT = n > 0 ? times[n - 1]! : 0;
  const endT = Math.max(lastSegT, rel(model.captureEndSec, model.captureEndNsec));

  // ---- marks, state changes, evidence ---------------------------------------------------------
  const marks = new Int32Array(n);
  for (let i = 0; i < n; i++) marks[i] = segs[i]!.marks;
  for (const f of model.findings) for (const e of f.evidence) if (e >= 0 && e < n) marks[e] = marks[e]! | MARK_EVIDENCE;
  const changesAt = new Map<number, number[]>();
  const timerChanges: number[] = [];
  model.stateChanges.forEach((ch, k) => {
    if (ch.conn < 0 || ch.conn >= conns.length) return;
    if (ch.segment >= 0 && ch.segment < n) {
      const list = changesAt.get(ch.segment);
      if (list) list.push(k); else changesAt.set(ch.segment, [k]);
    } else if (ch.segment < 0 && rel(ch.tsSec, ch.tsNsec) <= endT) {
      timerChanges.push(k);
    }
  });

  // ---- which segments are drawn (elision of bulk runs) ----------------------------------------
  const keep = new Uint8Array(n).fill(1);
  if (o.elide && n > o.elideRunLength) {
    const seenConn = new Uint8Array(conns.length);
    const interesting = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = segs[i]!;
      const c = s.conn >= 0 && s.conn < conns.length ? s.conn : 0;
      const idleBefore = i > 0 && times[i]! - times[i - 1]! >= o.idleGapSeconds;
      const idleAfter = i + 1 < n && times[i + 1]! - times[i]! >= o.idleGapSeconds;
      if ((s.flags & (SYN | FIN | RST)) !== 0 || marks[i] !== 0 || changesAt.has(i) || !seenConn[c] || idleBefore || idleAfter) {
        interesting[i] = 1;
      }
      seenConn[c] = 1;
    }
    // The last segment of each connection is kept too.
    seenConn.fill(0);
    for (let i = n - 1; i >= 0; i--) {
      const c = segs[i]!.conn;
      if (c >= 0 && c < conns.length && !seenConn[c]) { seenConn[c] = 1; interesting[i] = 1; }
    }
    let runStart = -1;
    for (let i = 0; i <= n; i++) {
      if (i < n && !interesting[i]) { if (runStart < 0) runStart = i; continue; }
      if (runStart >= 0) {
        const len = i - runStart;
        if (len > o.elideRunLength) keep.fill(0, runStart + o.elideKeep, i - o.elideKeep);
        runStart = -1;
      }
    }
  }

  // ---- per-connection slant and capture side ---------------------------------------------------
  const slant = new Float64Array(conns.length).fill(o.minSlant);
  const nearOrig = new Int8Array(conns.length).fill(-1); // 1: capture near originator, 0: near responder, -1 unknown
  {
    const tSyn = new Float64Array(conns.length).fill(NaN);
    const tSynAck = new Float64Array(conns.length).fill(NaN);
    const tAck = new Float64Array(conns.length).fill(NaN);
    for (let i = 0; i < n; i++) {
      const s = segs[i]!;
      const c = s.conn;
      if (c < 0 || c >= conns.length || !Number.isNaN(tAck[c]!)) continue;
      const syn = (s.flags & SYN) !== 0, ack = (s.flags & ACK) !== 0;
      if (syn && !ack && s.fromOrig && Number.isNaN(tSyn[c]!)) tSyn[c] = times[i]!;
      else if (syn && ack && !s.fromOrig && !Number.isNaN(tSyn[c]!) && Number.isNaN(tSynAck[c]!)) tSynAck[c] = times[i]!;
      else if (!syn && ack && s.fromOrig && !Number.isNaN(tSynAck[c]!)) tAck[c] = times[i]!;
    }
    for (let c = 0; c < conns.length; c++) {
      const d1 = tSynAck[c]! - tSyn[c]!, d2 = tAck[c]! - tSynAck[c]!;
      if (!(d1 >= 0 && d2 >= 0)) continue;
      const owd = (d1 + d2) / 2;
      slant[c] = Math.min(o.maxSlant, o.minSlant + owd * o.slantPxPerSecond);
      nearOrig[c] = d1 >= d2 ? 1 : 0;
    }
  }
  // Row: flags line, detail line, then the arrow, then a little air before the next row.
  const segRowBase = (c: number) => ARROW_TOP + (slant[c] ?? o.minSlant) + ROW_AIR;

  // ---- labels of drawn segments -----------------------------------------------------------------
  const labels: string[] = new Array(n);
  const details: string[] = new Array(n);
  const pairNeed = new Map<number, number>(); // key lo*4096+hi → chars
  const need = (a: number, b: number, chars: number) => {
    const lo = Math.min(a, b), hi = Math.max(a, b);
    const key = lo * 4096 + hi;
    if ((pairNeed.get(key) ?? 0) < chars) pairNeed.set(key, chars);
  };
  let drawn = 0;
  let prevT = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const s = segs[i]!;
    const c = conns[s.conn];
    const dt = drawn === 0 ? 0 : times[i]! - prevT;
    prevT = times[i]!;
    drawn++;
    labels[i] = clip(segmentLabel(s, multi ? c?.id : undefined), MAX_LABEL_CHARS);
    details[i] = clip(segmentDetail(s, marks[i]!, dt), MAX_LABEL_CHARS);
    if (c) need(laneOf(c.origLane), laneOf(c.respLane), Math.max(textLength(labels[i]!), textLength(details[i]!)));
  }

  // ---- ghost FINs: an endpoint still in CLOSE_WAIT at capture end owes its peer a FIN ----------
  const ghosts: number[] = []; // endpoint ids e = conn*2 + (resp ? 1 : 0)
  const ghostText = new Map<number, [string, string]>();
  conns.forEach((c, ci) => {
    for (const side of ['orig', 'resp'] as const) {
      if ((side === 'orig' ? c.origFinal : c.respFinal) !== 'CLOSE_WAIT') continue;
      const e = ci * 2 + (side === 'resp' ? 1 : 0);
      let since = NaN;
      for (const ch of model.stateChanges) if (ch.conn === ci && ch.side === side && ch.to === 'CLOSE_WAIT') since = rel(ch.tsSec, ch.tsNsec);
      if (Number.isNaN(since)) {
        const f = model.findings.find((x) => x.conn === ci && (x.side === undefined || x.side === side));
        if (f) since = f.since - t0Sec - t0Nsec / 1e9;
      }
      const age = Number.isNaN(since) ? '' : ` for ${formatAge(endT - since)}`;
      const line1 = `no FIN: CLOSE_WAIT${age} at capture end`;
      const who = side === 'orig' ? c.origLabel : c.respLabel;
      const line2 = clip(`${multi ? `#${c.id} ` : ''}${who} never sent its FIN`, MAX_LABEL_CHARS);
      ghosts.push(e);
      ghostText.set(e, [line1, line2]);
      need(laneOf(c.origLane), laneOf(c.respLane), Math.max(textLength(line1), textLength(line2)));
    }
  });

  // ---- lanes and endpoint slots ---------------------------------------------------------------
  const laneEndpoints: number[][] = Array.from({ length: laneCount }, () => []);
  const laneOfEndpoint = new Int32Array(conns.length * 2);
  conns.forEach((c, ci) => {
    laneOfEndpoint[ci * 2] = laneOf(c.origLane);
    laneOfEndpoint[ci * 2 + 1] = laneOf(c.respLane);
    laneEndpoints[laneOf(c.origLane)]!.push(ci * 2);
    laneEndpoints[laneOf(c.respLane)]!.push(ci * 2 + 1);
  });
  const slotOf = new Int32Array(conns.length * 2);
  const laneHalf = new Float64Array(laneCount);
  laneEndpoints.forEach((list, l) => {
    const slots = Math.max(1, Math.min(MAX_SLOTS, list.length));
    list.forEach((e, k) => { slotOf[e] = k % MAX_SLOTS; });
    laneHalf[l] = (slots * (BAR_WIDTH + 2)) / 2;
  });
  const noteChars = (multi ? 5 : 0) + 12; // "#123 SYN_RECEIVED"
  const noteW = noteChars * cw + 14;
  const gutterW = 13 * cw;
  const headerChars = (l: number) => {
    const lane = model.lanes[l];
    if (!lane) return 8;
    return Math.max(textLength(clip(lane.label, MAX_HEADER_CHARS)), textLength(clip(lane.sublabel ?? '', MAX_HEADER_CHARS)), lane.role.length + 2);
  };
  const laneX = new Float64Array(laneCount);
  const leftEdge = MARGIN + gutterW;
  // State notes go on the side of a lane where fewer arrows leave or arrive: left of the client,
  // right of the server, left of further clients between them.
  const touchLeft = new Float64Array(laneCount), touchRight = new Float64Array(laneCount);
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const s = segs[i]!;
    const c = conns[s.conn];
    if (!c) continue;
    const a = laneOf(s.fromOrig ? c.origLane : c.respLane), b = laneOf(s.fromOrig ? c.respLane : c.origLane);
    if (b > a) { touchRight[a] = touchRight[a]! + 1; touchLeft[b] = touchLeft[b]! + 1; }
    else if (b < a) { touchLeft[a] = touchLeft[a]! + 1; touchRight[b] = touchRight[b]! + 1; }
  }
  const noteLeft = new Uint8Array(laneCount);
  for (let l = 0; l < laneCount; l++) {
    noteLeft[l] = laneCount > 1 && (touchLeft[l]! < touchRight[l]! || (touchLeft[l] === touchRight[l] && l === 0)) ? 1 : 0;
  }
  laneX[0] = leftEdge + Math.max((noteLeft[0] ? noteW : 0) + laneHalf[0]! + 4, (headerChars(0) * cw) / 2 + 4);
  const breakChars = 34; // "99,999,999 segments elided" / bytes line
  for (let l = 0; l + 1 < laneCount; l++) {
    const labelChars = Math.max(pairNeed.get(l * 4096 + l + 1) ?? 0, l === 0 ? breakChars : 0);
    const notesInside = noteLeft[l] === 0 || noteLeft[l + 1] === 1 ? noteW : 0;
    const gap = Math.max(
      200,
      labelChars * cw + 2 * notesInside + 2 * laneHalf[l]! + 24,
      ((headerChars(l) + headerChars(l + 1)) * cw) / 2 + 24,
    );
    laneX[l + 1] = laneX[l]! + gap;
  }
  // Arrows that jump over a lane (client → server beside a proxy) need their label to fit too.
  for (const [key, chars] of pairNeed) {
    const lo = Math.floor(key / 4096), hi = key % 4096;
    if (hi - lo < 2) continue;
    const span = laneX[hi]! - laneX[lo]!;
    const want = chars * cw + 24;
    if (span >= want) continue;
    const grow = (want - span) / (hi - lo);
    for (let l = lo + 1; l < laneCount; l++) laneX[l] = laneX[l]! + grow * Math.min(l - lo, hi - lo);
  }
  const lastLane = laneCount - 1;
  const rightNotes = noteLeft[lastLane] ? 0 : noteW;
  const width = Math.ceil(
    Math.max(
      laneX[lastLane]! + laneHalf[lastLane]! + rightNotes + MARGIN,
      laneX[lastLane]! + (headerChars(lastLane) * cw) / 2 + MARGIN,
      laneX[0]! + 240,
    ),
  );
  const textPairX = laneCount > 1 ? (laneX[0]! + laneX[1]!) / 2 : laneX[0]! + 120;
  const noteX = (l: number) => (noteLeft[l] ? laneX[l]! - laneHalf[l]! - 4 : laneX[l]! + laneHalf[l]! + 4);
  const noteAnchor = (l: number): TextAnchor => (noteLeft[l] ? 'end' : 'start');
  const barX = (e: number) => {
    const l = laneOfEndpoint[e]!;
    const slots = Math.max(1, Math.min(MAX_SLOTS, laneEndpoints[l]!.length));
    return laneX[l]! + (slotOf[e]! - (slots - 1) / 2) * (BAR_WIDTH + 2);
  };
  const noteText = (e: number, state: TcpState) => (multi ? `#${conns[e >> 1]!.id} ${state}` : state);

  // ---- findings listed under the capture end, wrapped to the page width ------------------------
  const findingLines: TextItem[] = [];
  {
    const maxChars = Math.floor((width - 2 * MARGIN) / cw);
    for (const f of model.findings.slice(0, o.maxFindings)) {
      const conn = f.conn >= 0 ? conns[f.conn] : undefined;
      const who = multi && conn ? `#${conn.id} ` : '';
      const cls = `finding sev-${severityClass(f.severity)}`;
      wrapText(`${f.severity.toUpperCase()} ${f.code}: ${who}${f.message}`, maxChars, 4, '  ').forEach((text) => {
        findingLines.push({ x: MARGIN, y: 0, text, cls, anchor: 'start' });
      });
    }
    if (model.findings.length > o.maxFindings) {
      findingLines.push({ x: MARGIN, y: 0, text: `… ${model.findings.length - o.maxFindings} more findings`, cls: 'finding', anchor: 'start' });
    }
  }

  // ---- rows ---------------------------------------------------------------------------------
  const rows: Row[] = [];
  {
    let last = NaN; // time of the previous row
    let ti = 0;
    const gapRows = (t: number): number => {
      if (Number.isNaN(last)) return 0;
      const gap = t - last;
      if (gap >= o.idleGapSeconds) {
        rows.push({ kind: 'idle', gap, untilEnd: false, height: IDLE_HEIGHT });
        return 0;
      }
      return Math.min(o.maxExtraPx, Math.max(0, gap) * o.pxPerSecond);
    };
    const timerTime = (k: number) => {
      const ch = model.stateChanges[k]!;
      return rel(ch.tsSec, ch.tsNsec);
    };
    const emitTimersUpTo = (t: number) => {
      while (ti < timerChanges.length && timerTime(timerChanges[ti]!) <= t) {
        const k = timerChanges[ti++]!;
        const tt = timerTime(k);
        const extra = gapRows(tt);
        rows.push({ kind: 'timer', change: k, extra, height: extra + TIMER_HEIGHT });
        last = tt;
      }
    };
    for (let i = 0; i < n; ) {
      emitTimersUpTo(times[i]!);
      if (keep[i]) {
        const extra = gapRows(times[i]!);
        const c = segs[i]!.conn;
        rows.push({ kind: 'seg', seg: i, extra, height: extra + segRowBase(c >= 0 && c < conns.length ? c : 0) });
        last = times[i]!;
        i++;
      } else {
        let j = i;
        while (j < n && !keep[j]) j++;
        rows.push({ kind: 'elided', first: i, last: j - 1, height: ELIDED_HEIGHT });
        last = times[j - 1]!;
        i = j;
      }
    }
    emitTimersUpTo(endT);
    if (!Number.isNaN(last) && endT - last >= o.idleGapSeconds) {
      rows.push({ kind: 'idle', gap: endT - last, untilEnd: true, height: IDLE_HEIGHT });
    }
    const findingCount = findingLines.length;
    let finalLines = 1;
    for (const list of laneEndpoints) finalLines = Math.max(finalLines, Math.min(list.length, 7));
    const ghostHeight = ghosts.reduce((h, e) => h + segRowBase(e >> 1), 0);
    const endHeight = ghostHeight + 20 + finalLines * 20 + 8 + (findingCount > 0 ? 12 + findingCount * LINE : 0);
    rows.push({ kind: 'end', ghosts, height: endHeight, findings: findingCount, finalLines });
  }

  // ---- pages ----------------------------------------------------------------------------------
  const hasSublabel = model.lanes.some((l) => (l.sublabel ?? '') !== '');
  const headerHeight = MARGIN + (HEADER_LINES - (hasSublabel ? 0 : 1)) * LINE + 8;
  const pageStarts: number[] = [0];
  {
    let y = headerHeight;
    let count = 0;
    for (let r = 0; r < rows.length; r++) {
      const h = rows[r]!.height;
      const limit = o.maxPageHeight - FOOTER_HEIGHT - MARGIN;
      if (count > 0 && (count >= o.maxRowsPerPage || y + h > limit)) {
        pageStarts.push(r);
        y = headerHeight + CONTINUE_STRIP;
        count = 0;
      }
      y += h;
      count++;
    }
  }
  const pageCount = pageStarts.length;

  // ---- drawing ----------------------------------------------------------------------------------
  const epCount = conns.length * 2;
  const cur: TcpState[] = [];
  for (let e = 0; e < epCount; e++) cur.push(e & 1 ? conns[e >> 1]!.respInitial : conns[e >> 1]!.origInitial);
  const alive = new Uint8Array(epCount);
  const barStart = new Float64Array(epCount).fill(NaN);
  const lastBadgeY = new Float64Array(epCount).fill(-1e9);
  let page!: LadderPage;
  let y = 0;
  let solidFrom = 0;

  const drawsBar = (s: TcpState) => s !== 'CLOSED';
  const closeBar = (e: number, yEnd: number) => {
    const y1 = barStart[e]!;
    if (!Number.isNaN(y1) && yEnd > y1) {
      page.bars.push({ x: barX(e), y1, y2: yEnd, width: BAR_WIDTH, state: cur[e]! });
    }
    barStart[e] = NaN;
  };
  const badge = (e: number, yAt: number, state: TcpState, kind: StateBadge['kind'], text = noteText(e, state)) => {
    let yb = yAt + 4;
    if (yb - lastBadgeY[e]! < 15) yb = lastBadgeY[e]! + 15;
    lastBadgeY[e] = yb;
    const l = laneOfEndpoint[e]!;
    page.badges.push({ x: noteX(l), y: yb, anchor: noteAnchor(l), text, state, kind });
  };
  const laneSolidTo = (yEnd: number) => {
    if (yEnd > solidFrom) for (let l = 0; l < laneCount; l++) page.laneLines.push({ x: laneX[l]!, y1: solidFrom, y2: yEnd, dashed: false });
  };
  const dashed = (y1: number, y2: number) => {
    laneSolidTo(y1);
    for (let l = 0; l < laneCount; l++) page.laneLines.push({ x: laneX[l]!, y1, y2, dashed: true });
    solidFrom = y2;
  };

  const startPage = (p: number) => {
    page = {
      number: p + 1, width, height: 0, lanes: [], laneLines: [], bars: [], badges: [], arrows: [], breaks: [], texts: [],
    };
    const title = clip(model.title ?? 'TCP ladder diagram', Math.max(20, Math.floor((width - 2 * MARGIN) / (cw * 1.2))));
    page.texts.push({ x: MARGIN, y: MARGIN + 12, text: title, cls: 'title', anchor: 'start' });
    const sub = `t = 0 at ${formatTimestamp(t0Sec, t0Nsec)} · capture end at +${endT.toFixed(3)} s` +
      (pageCount > 1 ? ` · page ${p + 1} of ${pageCount}` : '');
    page.texts.push({ x: MARGIN, y: MARGIN + 12 + LINE, text: clip(sub, Math.floor((width - 2 * MARGIN) / cw)), cls: 'subtitle', anchor: 'start' });
    const hy = MARGIN + 12 + 2 * LINE + 8;
    for (let l = 0; l < laneCount; l++) {
      const lane = model.lanes[l];
      page.lanes.push({
        x: laneX[l]!,
        label: clip(lane?.label ?? '?', MAX_HEADER_CHARS),
        sublabel: clip(lane?.sublabel ?? '', MAX_HEADER_CHARS),
        role: lane?.role ?? 'peer',
      });
      page.texts.push({ x: laneX[l]!, y: hy, text: clip(lane?.label ?? '?', MAX_HEADER_CHARS), cls: 'lane-label', anchor: 'middle' });
      let ly = hy + LINE;
      if (lane?.sublabel) {
        page.texts.push({ x: laneX[l]!, y: ly, text: clip(lane.sublabel, MAX_HEADER_CHARS), cls: 'lane-sub', anchor: 'middle' });
        ly += LINE;
      }
      page.texts.push({ x: laneX[l]!, y: ly, text: `(${lane?.role ?? 'peer'})`, cls: 'lane-role', anchor: 'middle' });
    }
    page.texts.push({ x: MARGIN, y: headerHeight - 6, text: 'time (s)', cls: 'gutter-head', anchor: 'start' });
    y = headerHeight;
    solidFrom = y;
    if (p > 0) {
      page.texts.push({ x: MARGIN, y: y + 14, text: `continued from page ${p}`, cls: 'cont', anchor: 'start' });
      for (let e = 0; e < epCount; e++) {
        lastBadgeY[e] = -1e9;
        if (alive[e] && drawsBar(cur[e]!)) {
          barStart[e] = y;
          badge(e, y + 10, cur[e]!, 'repeat');
        }
      }
      y += CONTINUE_STRIP;
    }
  };
  const endPage = (last: boolean) => {
    laneSolidTo(y);
    for (let e = 0; e < epCount; e++) closeBar(e, y);
    if (!last) {
      page.texts.push({ x: MARGIN, y: y + 18, text: `continued on page ${page.number + 1}`, cls: 'cont', anchor: 'start' });
      page.height = Math.ceil(y + FOOTER_HEIGHT);
    } else {
      page.height = Math.ceil(y + MARGIN);
    }
  };
  const bringAlive = (c: number, yAt: number) => {
    for (const e of [c * 2, c * 2 + 1]) {
      if (alive[e]) continue;
      alive[e] = 1;
      if (drawsBar(cur[e]!)) {
        barStart[e] = yAt;
        badge(e, yAt, cur[e]!, 'repeat');
      }
    }
  };
  const applyChange = (k: number, yAt: number, kind: StateBadge['kind']) => {
    const ch = model.stateChanges[k]!;
    const e = ch.conn * 2 + (ch.side === 'resp' ? 1 : 0);
    closeBar(e, yAt);
    cur[e] = ch.to;
    if (drawsBar(ch.to)) barStart[e] = yAt;
    badge(e, yAt, ch.to, kind);
  };
  const repeatStates = (yAt: number) => {
    for (let e = 0; e < epCount; e++) if (alive[e] && drawsBar(cur[e]!)) badge(e, yAt, cur[e]!, 'repeat');
  };
  const gutter = (yAt: number, t: number) => {
    page.texts.push({ x: MARGIN, y: yAt + 4, text: t.toFixed(6), cls: 'gutter', anchor: 'start' });
  };

  const stamp = timestampFormatter(9);
  let elidedTotal = 0;
  for (let p = 0; p < pageCount; p++) {
    startPage(p);
    const from = pageStarts[p]!, to = p + 1 < pageCount ? pageStarts[p + 1]! : rows.length;
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      if (row.kind === 'seg') {
        const i = row.seg;
        const s = segs[i]!;
        const ci = s.conn >= 0 && s.conn < conns.length ? s.conn : -1;
        const c = ci >= 0 ? conns[ci]! : undefined;
        const top = y + row.extra;
        const a = c ? laneOf(s.fromOrig ? c.origLane : c.respLane) : 0;
        const b = c ? laneOf(s.fromOrig ? c.respLane : c.origLane) : Math.min(1, lastLane);
        const sl = ci >= 0 ? slant[ci]! : o.minSlant;
        const y1 = top + ARROW_TOP, y2 = y1 + sl;
        if (ci >= 0) bringAlive(ci, y1);
        const arrow = makeArrow(laneX[a]!, laneHalf[a]!, laneX[b]!, laneHalf[b]!, y1, y2);
        const tailCaptured = ci < 0 || nearOrig[ci] === -1 || (nearOrig[ci] === 1) === s.fromOrig;
        page.arrows.push({
          x1: arrow.x1, y1: arrow.y1, x2: arrow.x2, y2: arrow.y2, head: arrow.head,
          cls: segmentClass(s, marks[i]!),
          label: labels[i] ?? '',
          detail: details[i] ?? '',
          lx: (arrow.x1 + arrow.x2) / 2,
          ly1: top + 12,
          ly2: top + 25,
          title: `segment #${(s.index >= 0 ? s.index : i) + 1} at ${stamp(s.tsSec, s.tsNsec)}`,
        });
        gutter(tailCaptured ? y1 : y2, times[i]!);
        const list = changesAt.get(i);
        if (list) {
          for (const k of list) {
            const ch = model.stateChanges[k]!;
            const senderSide: Side = s.fromOrig ? 'orig' : 'resp';
            applyChange(k, ch.side === senderSide ? y1 : y2, 'change');
          }
        }
      } else if (row.kind === 'idle') {
        const text = row.untilEnd ? `${formatDuration(row.gap)} idle until capture end` : `${formatDuration(row.gap)} idle`;
        dashed(y, y + row.height);
        page.breaks.push({ kind: 'idle', y, height: row.height, x1: laneX[0]! - 20, x2: laneX[lastLane]! + 20, tx: textPairX, lines: [text] });
        repeatStates(y + row.height / 2);
      } else if (row.kind === 'elided') {
        let rightBytes = 0, leftBytes = 0;
        for (let i = row.first; i <= row.last; i++) {
          const s = segs[i]!;
          const c = conns[s.conn];
          if (!c) continue;
          const a = s.fromOrig ? c.origLane : c.respLane, b = s.fromOrig ? c.respLane : c.origLane;
          if (a <= b) rightBytes += s.payloadLength; else leftBytes += s.payloadLength;
        }
        const count = row.last - row.first + 1;
        elidedTotal += count;
        const span = times[row.last]! - times[row.first]!;
        dashed(y, y + row.height);
        page.breaks.push({
          kind: 'elided', y, height: row.height, x1: laneX[0]! - 20, x2: laneX[lastLane]! + 20, tx: textPairX,
          lines: [`${formatCount(count)} segments elided`, `${formatBytes(rightBytes)} → · ${formatBytes(leftBytes)} ← · ${formatDuration(span)}`],
        });
      } else if (row.kind === 'timer') {
        const ch = model.stateChanges[row.change]!;
        const yAt = y + row.extra + 12;
        gutter(yAt, rel(ch.tsSec, ch.tsNsec));
        applyChange(row.change, yAt, 'timer');
      } else {
        // Capture end: ghost FINs, the end line, final states, findings.
        let yy = y;
        for (const e of row.ghosts) {
          const ci = e >> 1;
          const c = conns[ci]!;
          const a = laneOfEndpoint[e]!, b = laneOfEndpoint[e ^ 1]!;
          const y1 = yy + ARROW_TOP, y2 = y1 + slant[ci]!;
          const arrow = makeArrow(laneX[a]!, laneHalf[a]!, laneX[b]!, laneHalf[b]!, y1, y2);
          const [line1, line2] = ghostText.get(e)!;
          page.arrows.push({
            ...arrow, cls: 'ghost', label: line1, detail: line2, lx: (arrow.x1 + arrow.x2) / 2, ly1: yy + 12, ly2: yy + 25,
            title: `expected FIN from ${clip(e & 1 ? c.respLabel : c.origLabel, MAX_HEADER_CHARS)}`,
          });
          yy += segRowBase(ci);
        }
        const endY = yy + 8;
        laneSolidTo(endY);
        solidFrom = Infinity; // lanes stop at the capture-end line
        for (let e = 0; e < epCount; e++) closeBar(e, endY);
        page.breaks.push({ kind: 'end', y: endY, height: 0, x1: laneX[0]! - laneHalf[0]! - 8, x2: laneX[lastLane]! + laneHalf[lastLane]! + 8, tx: 0, lines: [] });
        gutter(endY, endT);
        page.texts.push({ x: MARGIN, y: endY + 18, text: 'capture end', cls: 'gutter', anchor: 'start' });
        laneEndpoints.forEach((list, l) => {
          list.slice(0, 6).forEach((e, k) => {
            // The model's final state is the engine's verdict (it includes kernel timers).
            const c = conns[e >> 1]!;
            const fin = e & 1 ? c.respFinal : c.origFinal;
            page.badges.push({ x: laneX[l]!, y: endY + 20 + k * 20, anchor: 'middle', text: noteText(e, fin), state: fin, kind: 'final' });
          });
          if (list.length > 6) {
            page.texts.push({ x: laneX[l]!, y: endY + 20 + 6 * 20, text: `… ${list.length - 6} more`, cls: 'note', anchor: 'middle' });
          }
        });
        let fy = endY + 20 + row.finalLines * 20 + 8;
        if (row.findings > 0) {
          fy += 12;
          for (const line of findingLines) {
            page.texts.push({ ...line, y: fy });
            fy += LINE;
          }
        }
        y = Math.max(endY + 20 + row.finalLines * 20 + 8, fy);
        continue;
      }
      y += row.height;
    }
    endPage(p === pageCount - 1);
    onPage(page, { fontSize: o.fontSize, charWidth: cw, pageCount });
  }

  return { segments: n, drawn, elided: elidedTotal, rows: rows.length };
}

function severityClass(s: string): string {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'info';
}

/** Arrow from lane a to lane b, stopping at the edge of each lane's state bars. */
function makeArrow(xa: number, ha: number, xb: number, hb: number, y1: number, y2: number) {
  let x1: number, x2: number;
  if (xb > xa) { x1 = xa + ha + 1; x2 = xb - hb - 1; }
  else if (xb < xa) { x1 = xa - ha - 1; x2 = xb + hb + 1; }
  else { x1 = xa + ha + 1; x2 = xa + ha + 60; } // a connection to itself: a stub
  const dx = x2 - x1, dy = y2 - y1;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len, uy = dy / len;
  const hl = 9, hw = 4;
  const bx = x2 - ux * hl, by = y2 - uy * hl;
  const head: [number, number, number, number, number, number] = [x2, y2, bx - uy * hw, by + ux * hw, bx + uy * hw, by - ux * hw];
  return { x1, y1, x2: bx + ux * 1, y2: by + uy * 1, head };
}

/** `[P.] seq=1:6 ack=1 len=5`, as tcpdump prints relative numbers. */
export function segmentLabel(s: LadderSegment, connId?: number): string {
  const prefix = connId === undefined ? '' : `#${connId} `;
  const seq = s.payloadLength > 0 ? `seq=${s.seq}:${s.seq + s.payloadLength}` : `seq=${s.seq}`;
  const ack = (s.flags & ACK) !== 0 ? ` ack=${s.ack}` : '';
  return `${prefix}[${flagString(s.flags)}] ${seq}${ack} len=${s.payloadLength}`;
}

/** `win=512 · +2.1 ms · retransmission`. */
export function segmentDetail(s: LadderSegment, marks: number, dt: number): string {
  let t = `win=${s.window} · +${formatDuration(dt)}`;
  if (marks & MARK_RETRANSMISSION) t += ' · retransmission';
  if (marks & MARK_KEEPALIVE) t += ' · keep-alive';
  if (marks & MARK_ZERO_WINDOW) t += ' · zero window';
  if (marks & MARK_WINDOW_PROBE) t += ' · window probe';
  if (marks & MARK_DUPLICATE_ACK) t += ' · dup ack';
  if (marks & MARK_EVIDENCE) t += ' · evidence';
  return t;
}

/** CSS classes from data; marks come last so their rules win. */
export function segmentClass(s: LadderSegment, marks: number): string {
  let c = 'seg';
  if (s.flags & RST) c += ' rst';
  else if (s.flags & SYN) c += ' syn';
  else if (s.flags & FIN) c += ' fin';
  else if (s.payloadLength > 0) c += ' data';
  else c += ' ack';
  if (marks & MARK_RETRANSMISSION) c += ' retransmit';
  if (marks & MARK_KEEPALIVE) c += ' keepalive';
  if (marks & MARK_ZERO_WINDOW) c += ' zero-window';
  if (marks & MARK_WINDOW_PROBE) c += ' window-probe';
  if (marks & MARK_DUPLICATE_ACK) c += ' dup-ack';
  if (marks & MARK_EVIDENCE) c += ' evidence';
  return c;
}

// SVG diagrams: ladder (sequence) diagrams of connections and the timeline of many; PNG via resvg.

export type {
  LadderModel, LadderLane, LadderConnection, LadderSegment, LadderStateChange, LadderFinding, LaneRole, Side,
} from './ladder-model.js';
export {
  markSegments, MARK_RETRANSMISSION, MARK_KEEPALIVE, MARK_ZERO_WINDOW, MARK_DUPLICATE_ACK, MARK_EVIDENCE,
  MARK_WINDOW_PROBE,
} from './ladder-model.js';
export type { LadderLayout, LadderLayoutOptions, LadderPage, LadderPageMeta, LadderStats } from './ladder-layout.js';
export { layoutLadder, layoutLadderPages, DEFAULT_LADDER_OPTIONS, MAX_RENDERABLE_HEIGHT } from './ladder-layout.js';
export { renderLadderSvg, renderLadderPage } from './ladder-svg.js';
export type { TimelineModel, TimelineConnection, StateSpan } from './timeline-model.js';
export type { TimelineLayout, TimelineOptions } from './timeline-svg.js';
export { layoutTimeline, renderTimelineSvg, renderTimeline, DEFAULT_TIMELINE_OPTIONS } from './timeline-svg.js';
export type { CaptureEnd, DiagramSource, LadderSourceOptions } from './from-connection.js';
export {
  ladderModelFromConnections, ladderModelForFlows, timelineModelFromConnections, timelineModelForResult, endpointText,
} from './from-connection.js';
export { svgToPng, type PngOptions } from './png.js';

import { layoutLadderPages, type LadderLayoutOptions, type LadderStats } from './ladder-layout.js';
import { renderLadderPage } from './ladder-svg.js';
import type { LadderModel } from './ladder-model.js';

/** Model → one SVG string per page (a short connection is one page). Pages are written as they are
 *  laid out, so only one page of layout objects is alive at a time. */
export function renderLadder(model: LadderModel, options: Partial<LadderLayoutOptions> = {}): string[] {
  return renderLadderWithStats(model, options).pages;
}

/** renderLadder plus the counts (segments, drawn, elided) for a caller's message. */
export function renderLadderWithStats(model: LadderModel, options: Partial<LadderLayoutOptions> = {}): { pages: string[]; stats: LadderStats } {
  const pages: string[] = [];
  const stats = layoutLadderPages(model, options, (page, meta) => pages.push(renderLadderPage(meta, page)));
  return { pages, stats };
}

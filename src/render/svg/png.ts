// SVG string → PNG bytes through @resvg/resvg-js (a prebuilt native binary; no browser, no network).

import { Resvg } from '@resvg/resvg-js';

export interface PngOptions {
  /** Zoom factor (1 = one SVG px per image px). */
  scale?: number;
  /** Background colour; the SVGs draw their own white background anyway. */
  background?: string;
}

/**
 * Render one SVG document to PNG. System fonts are loaded (DejaVu Sans Mono on Debian) and the
 * default monospace family is pinned so the monospace stack resolves the same way everywhere.
 * Throws resvg's error for malformed SVG (a bug in our writer, never bad capture data).
 */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 1;
  const resvg = new Resvg(svg, {
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    background: options.background ?? '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans Mono', monospaceFamily: 'DejaVu Sans Mono' },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

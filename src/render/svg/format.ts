// Number and time formatting shared by the ladder, the timeline and the report: numbers → short text.
// Deterministic (no locale, no time zone): the same input always gives the same characters.

/** Coordinates with one decimal, no trailing `.0` (keeps SVG small and byte-stable). */
export function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A duration in seconds as `45 µs`, `2.1 ms`, `1.250 s`, `300.0 s`, `412 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 1e-3) return `${Math.round(s * 1e6)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  if (s < 10) return `${s.toFixed(3)} s`;
  return `${s.toFixed(1)} s`;
}

/** A long wait in whole seconds (`412 s`); a short one as formatDuration (`3.400 s`, `48.0 ms`). */
export function formatAge(seconds: number): string {
  return seconds >= 10 ? `${Math.round(seconds)} s` : formatDuration(Math.max(0, seconds));
}

/** A byte count: `512 B`, `12.3 kB`, `4.56 MB` (SI units, as tcpdump users read them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** Thousands separators without locale data: 100000 → `100,000`. */
export function formatCount(n: number): string {
  const s = String(Math.trunc(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const DAY = 86_400;

/**
 * An absolute capture time in UTC with nanoseconds: `2024-05-01 12:00:00.123456789 UTC`.
 * tcpdump text without a date starts at day 0: then only `12:00:00.123456789` is printed.
 */
export function formatTimestamp(tsSec: number, tsNsec: number, digits = 6): string {
  const frac = digits > 0 ? '.' + String(Math.trunc(tsNsec)).padStart(9, '0').slice(0, digits) : '';
  const secOfDay = ((tsSec % DAY) + DAY) % DAY;
  const p = (n: number) => String(n).padStart(2, '0');
  const clock = `${p(Math.floor(secOfDay / 3600))}:${p(Math.floor(secOfDay / 60) % 60)}:${p(secOfDay % 60)}${frac}`;
  if (tsSec < DAY) return clock;
  const d = new Date(Math.floor(tsSec / DAY) * DAY * 1000);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${clock} UTC`;
}

/**
 * formatTimestamp for many times in a row: the date part is computed once per day instead of per
 * call (a ladder of 100,000 segments would otherwise build 100,000 Date objects).
 */
export function timestampFormatter(digits = 6): (tsSec: number, tsNsec: number) => string {
  let day = NaN;
  let prefix = '';
  return (tsSec, tsNsec) => {
    const d = Math.floor(tsSec / DAY);
    if (d !== day) {
      day = d;
      const full = formatTimestamp(d * DAY, 0, 0);
      prefix = tsSec < DAY ? '' : full.slice(0, full.indexOf(' ') + 1);
    }
    if (tsSec < DAY) return formatTimestamp(tsSec, tsNsec, digits);
    const frac = digits > 0 ? '.' + String(Math.trunc(tsNsec)).padStart(9, '0').slice(0, digits) : '';
    const secOfDay = tsSec - d * DAY;
    const p = (n: number) => (n < 10 ? '0' + n : String(n));
    return `${prefix}${p(Math.floor(secOfDay / 3600))}:${p(Math.floor(secOfDay / 60) % 60)}:${p(secOfDay % 60)}${frac} UTC`;
  };
}

/** Epoch seconds (a double) as the same text as formatTimestamp. */
export function formatEpoch(epochSeconds: number, digits = 6): string {
  const sec = Math.floor(epochSeconds);
  return formatTimestamp(sec, Math.round((epochSeconds - sec) * 1e9), digits);
}

/** Cut a text to at most `max` characters (code points), ending in `…` when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}

/** Character count as drawn (code points), for fixed-width text metrics. */
export function textLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // count a surrogate pair once
  }
  return n;
}

/** "Nice" tick step (1, 2, 5 × 10^k) so that about `count` ticks cover `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count <= 0) return 1;
  const raw = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  // d3-array's tickIncrement thresholds: √50, √10, √2.
  const nice = norm >= Math.SQRT2 * 5 ? 10 : norm >= Math.sqrt(10) ? 5 : norm >= Math.SQRT2 ? 2 : 1;
  return nice * mag;
}

/** Tick values from 0 to span (inclusive of 0) with a nice step. */
export function niceTicks(span: number, count: number): number[] {
  const step = niceStep(span, count);
  const ticks: number[] = [];
  for (let i = 0; i * step <= span * (1 + 1e-9) && ticks.length < 1000; i++) ticks.push(i * step);
  return ticks;
}

/** A tick label: plain decimals with just enough digits for the step (`0`, `0.5`, `120`). */
export function formatTick(value: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(9, Math.ceil(-Math.log10(step) - 1e-9));
  return value.toFixed(decimals);
}

/**
 * Greedy word wrap to `width` characters (code points); words longer than a line are cut.
 * At most `maxLines` lines; the last one ends in `…` when text was left over.
 */
export function wrapText(text: string, width: number, maxLines = Infinity, indent = ''): string[] {
  const w = Math.max(8, width);
  const words = text.split(/\s+/).filter((x) => x.length > 0);
  const lines: string[] = [];
  let line = '';
  const push = () => { lines.push(line); line = indent; };
  for (let word of words) {
    while (textLength(word) > w - textLength(indent)) {
      if (line.trim() !== '') push();
      const chars = Array.from(word);
      lines.push(indent + chars.slice(0, w - textLength(indent)).join(''));
      word = chars.slice(w - textLength(indent)).join('');
    }
    if (word === '') continue;
    const sep = line.trim() === '' ? '' : ' ';
    if (textLength(line) + sep.length + textLength(word) > w) push();
    line += (line.trim() === '' ? '' : ' ') + word;
  }
  if (line.trim() !== '') lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = clip(kept[maxLines - 1]! + ' …', w);
    if (!kept[maxLines - 1]!.endsWith('…')) kept[maxLines - 1] += '…';
    return kept;
  }
  return lines;
}

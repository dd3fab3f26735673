// Diagnosis wording helpers: times, durations and segment numbers as the messages print them.

/** Time of day `HH:MM:SS.ffffff` (UTC; tcpdump text without a date keeps the time as printed). */
export function clock(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return '?';
  let us = Math.round(epochSeconds * 1e6);
  const day = 86_400_000_000;
  us = ((us % day) + day) % day;
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor(us / 60_000_000) % 60;
  const s = Math.floor(us / 1_000_000) % 60;
  const frac = us % 1_000_000;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(h)}:${p2(m)}:${p2(s)}.${String(frac).padStart(6, '0')}`;
}

/** A duration for people: `0.040 s`, `5.0 s`, `4 min 59 s`, `2 h 03 min`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 0) seconds = 0;
  if (seconds < 1) return `${seconds.toFixed(3)} s`;
  if (seconds < 100) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    return `${m} min ${String(Math.round(seconds - m * 60)).padStart(2, '0')} s`;
  }
  const h = Math.floor(seconds / 3600);
  return `${h} h ${String(Math.round((seconds - h * 3600) / 60)).padStart(2, '0')} min`;
}

/** Segment number as printed in messages: 1-based, like `tcpdump -#` on a TCP-only capture. */
export function seg(index: number): string {
  return index >= 0 ? `#${index + 1}` : '#?';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Seconds with a precision that suits the value (for measured timer values). */
export function secondsValue(s: number): string {
  if (s < 10) return s.toFixed(2);
  if (s < 1000) return s.toFixed(1);
  return s.toFixed(0);
}

/** Evidence list without the unknowns (-1) and without repeats, in capture order. */
export function evidence(...indices: number[]): number[] {
  const out: number[] = [];
  for (const i of indices) if (i >= 0 && !out.includes(i)) out.push(i);
  return out.sort((a, b) => a - b);
}

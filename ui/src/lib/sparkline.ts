// Why: the header's online sparkline is 64 px wide but the room keeps an hour of readings (up to 720),
// and a busy room reports the count many times a second. Drawing every reading meant building and
// parsing a 720-point path on nearly every frame for a picture that has 64 columns of pixels. This
// keeps what those columns can show — each column's lowest and highest reading, plus the first and
// the last — so the line looks the same (peaks and dips included) at a tenth of the points. Pure.

export interface Reading {
  at: number;
  count: number;
}

/**
 * The readings as polyline points in a `width` × 18 box, oldest at the left, scaled between the
 * lowest and the highest so a change shows (y 16.5 at the lowest, 1.5 at the highest; flat at the
 * bottom when steady); '' before there are two readings.
 */
export function sparklinePoints(readings: readonly Reading[], width = 64): string {
  const n = readings.length;
  if (n < 2) return '';
  let min = Infinity;
  let max = -Infinity;
  for (const r of readings) {
    if (r.count < min) min = r.count;
    if (r.count > max) max = r.count;
  }
  const span = Math.max(1, max - min);
  const point = (i: number) =>
    `${((i / (n - 1)) * width).toFixed(1)},${(16.5 - ((readings[i].count - min) / span) * 15).toFixed(1)}`;
  const kept = n <= 2 * width ? null : columnExtremes(readings, width);
  return (kept ?? readings.map((_, i) => i)).map(point).join(' ');
}

/** Indices of each pixel column's lowest and highest reading (in time order), and the ends. */
function columnExtremes(readings: readonly Reading[], width: number): number[] {
  const n = readings.length;
  const kept: number[] = [0];
  let column = -1;
  let lo = 0;
  let hi = 0;
  const flush = () => {
    if (column < 0) return;
    for (const i of lo < hi ? [lo, hi] : hi < lo ? [hi, lo] : [lo]) if (i !== kept[kept.length - 1]) kept.push(i);
  };
  for (let i = 0; i < n; i++) {
    const c = Math.min(width - 1, Math.floor((i / (n - 1)) * width));
    if (c !== column) {
      flush();
      column = c;
      lo = i;
      hi = i;
    } else {
      if (readings[i].count < readings[lo].count) lo = i;
      if (readings[i].count > readings[hi].count) hi = i;
    }
  }
  flush();
  if (kept[kept.length - 1] !== n - 1) kept.push(n - 1);
  return kept;
}

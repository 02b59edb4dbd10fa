// Why: the sparkline must look as it did with every reading drawn — same scale, same ends, peaks and
// dips kept — while a full hour of readings comes down to what 64 pixel columns can show.
import { describe, expect, it } from 'vitest';
import { sparklinePoints, type Reading } from './sparkline';

const series = (counts: number[]): Reading[] => counts.map((count, i) => ({ at: i * 5000, count }));
const parse = (points: string) => points.split(' ').map((p) => p.split(',').map(Number) as [number, number]);

describe('sparklinePoints', () => {
  it('draws nothing before two readings, and a short series point by point', () => {
    expect(sparklinePoints(series([5]))).toBe('');
    expect(sparklinePoints(series([100, 120, 110]))).toBe('0.0,16.5 32.0,1.5 64.0,9.0');
    expect(sparklinePoints(series([5, 5]))).toBe('0.0,16.5 64.0,16.5'); // steady: flat at the bottom
  });

  it("keeps an hour's readings to each pixel column's extremes, with the same ends, peak and dip", () => {
    const counts = Array.from({ length: 720 }, (_, i) => 1000 + Math.round(200 * Math.sin(i / 20)) + (i % 7));
    counts[333] = 5000; // a spike
    counts[500] = 10; // a dip
    const points = parse(sparklinePoints(series(counts)));
    expect(points.length).toBeLessThanOrEqual(2 * 64 + 2);
    // Scaled between the dip (10) and the spike (5000), as when every reading was drawn.
    expect(points[0]).toEqual([0, Number((16.5 - ((counts[0] - 10) / 4990) * 15).toFixed(1))]);
    expect(points.at(-1)![0]).toBe(64);
    // The spike reaches the top and the dip the bottom, where they happened.
    expect(points).toContainEqual([Number(((333 / 719) * 64).toFixed(1)), 1.5]);
    expect(points).toContainEqual([Number(((500 / 719) * 64).toFixed(1)), 16.5]);
    // Oldest to newest, left to right.
    for (let i = 1; i < points.length; i++) expect(points[i][0]).toBeGreaterThanOrEqual(points[i - 1][0]);
  });
});

// Why: one small seeded generator for everything that must replay exactly from a seed — the fake
// room's simulation and the fake's lottery draws — the same in node, jsdom and the browser.

/** mulberry32: tiny, fast, good enough for a simulation, and the same everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Why: a benchmark, not a test — how the console holds up under a busy room. It serves the built UI
// (ui/dist), opens it in the system Chromium (playwright-core, 1280×800) on the in-memory backend, and
// feeds it a synthetic room at BENCH_RATE messages a second (mixed: chat in four scripts, gifts and
// combos, like totals, joins, online counts) the way the app receives them: batches every 16–50 ms on
// the subscription's channel, each one cloned as IPC would deliver it. It prints the ingest rate the
// page sustained, frame times (requestAnimationFrame deltas) p50/p95/p99, long tasks, main-thread time
// by kind, the renderer's CPU time (which, unlike the wall-clock figures, a loaded machine does not
// inflate), DOM nodes and JS heap (after a forced GC, and the peak) — and the same for a baseline run in
// the same browser with the page idle, with ratios, because these machines are noisy. It asserts
// nothing.
//
//   node bench/feed.mjs                  60 s at 1,000 msg/s (and a 60 s baseline)
//   BENCH_SECONDS=10 node bench/feed.mjs a quick run
// Environment: BENCH_SECONDS (60), BENCH_BASELINE_SECONDS (as BENCH_SECONDS), BENCH_RATE (1000),
// BENCH_WARMUP_SECONDS (3), BENCH_JSON=1 (also print the figures as one JSON line), BENCH_PROFILE=<file>
// (record a CPU profile of the feed run there and list its hot spots), BENCH_TRACE=<file> (record a
// Chromium trace of the feed run there and list the renderer main thread's time by kind — script,
// style, layout, paint, commit…; keep the run short, traces grow fast), CHROMIUM_PATH.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort } from './net.mjs';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');

function numberEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const SECONDS = numberEnv('BENCH_SECONDS', 60);
const BASELINE_SECONDS = numberEnv('BENCH_BASELINE_SECONDS', SECONDS);
const RATE = numberEnv('BENCH_RATE', 1000);
const WARMUP = numberEnv('BENCH_WARMUP_SECONDS', 3);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PROFILE = process.env.BENCH_PROFILE;
const TRACE = process.env.BENCH_TRACE;

if (!existsSync(CHROMIUM)) {
  console.error(`The benchmark needs Chromium at ${CHROMIUM}: run 'scripts/setup.sh test' (apt package chromium), or set CHROMIUM_PATH.`);
  process.exit(1);
}

/** Serves ui/dist (rebuilt first if a source is newer) and resolves once it answers. */
async function serve() {
  const port = await freePort();
  const server = spawn(process.execPath, [join(ui, 'e2e', 'serve.mjs'), String(port)], { cwd: ui, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the UI server stopped (exit ${server.exitCode})`);
    try {
      if ((await fetch(url)).ok) return { url, stop: () => server.kill('SIGTERM') };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      server.kill('SIGTERM');
      throw new Error(`the UI server did not answer at ${url}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Runs in the page before the app: a quiet live room on the in-memory backend, and the instruments
 * (frame deltas, long tasks, DOM and heap samples) plus the synthetic feed, started from the bench.
 */
function pageSetup() {
  window.__anchordeskFakeSetup = (Fake) =>
    new Fake({ seed: 1, latencyMs: 0, room: { status: 'live', online: 1200, likes: 20_000, name: 'Bench room' } });

  const bench = {
    frames: [],
    longTasks: [],
    samples: [],
    generated: 0,
    measuring: false,
  };
  window.__bench = bench;

  let last = 0;
  const onFrame = (t) => {
    if (bench.measuring && last > 0) bench.frames.push(t - last);
    last = t;
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  new PerformanceObserver((list) => {
    if (!bench.measuring) return;
    for (const e of list.getEntries()) bench.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: false });

  /** The highest message index the chat shows: everything delivered up to it has been applied. */
  bench.applied = () => {
    const rows = document.querySelectorAll('[data-testid=chat-line]');
    for (let i = rows.length - 1; i >= 0; i--) {
      const m = /^c:b(\d+)$/.exec(rows[i].dataset.key ?? '');
      if (m) return Number(m[1]) + 1;
    }
    return 0;
  };

  bench.sample = () => {
    bench.samples.push({
      at: performance.now(),
      applied: bench.applied(),
      generated: bench.generated,
      dom: document.getElementsByTagName('*').length,
      chatRows: document.querySelectorAll('[data-testid=chat-line]').length,
      // The feed's own count of its rows (the ring buffer, through the filter): the DOM holds a window.
      rowsKept: Number(document.querySelector('[data-testid=chat-feed]')?.dataset.rowCount ?? NaN),
      heap: performance.memory ? performance.memory.usedJSHeapSize : null,
    });
  };
  setInterval(() => bench.measuring && bench.sample(), 1000);

  /** Starts the synthetic room at `rate` messages a second. */
  bench.startFeed = (rate) => {
    const fake = window.__anchordeskFake;
    let seq = fake.snapshot().seq;
    let likes = 20_000;
    let online = 1200;
    let seed = 42;
    const random = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (list) => list[Math.floor(random() * list.length)];
    const lines = [
      'hello from Toronto!', 'this song is so good', 'can you play it one more time?', 'lol', 'GG!',
      'what keyboard is that?', 'first time here 👋', 'the audio is a bit quiet',
      '主播好！', '这首歌太好听了', '来了来了', '哈哈哈哈哈', '支持主播！',
      '안녕하세요!', '노래 너무 좋아요', 'ㅋㅋㅋㅋ', '오늘 방송 최고예요',
      'こんばんは！', 'この曲好き', '草', '初見です',
    ];
    const names = ['ava', 'leo', 'owl', 'maple', '小龙女', '星河', '橘子', '지민', '하늘', 'さくら', 'ハル'];
    const users = Array.from({ length: 600 }, (_, i) => `${names[i % names.length]}_${i}`);
    const gifts = [
      ['rose', 'Rose 🌹', 1],
      ['heart', 'Heart 💖', 5],
      ['lantern', 'Lantern 🏮', 52],
      ['rocket', 'Rocket 🚀', 520],
    ];
    const event = (n, at) => {
      const r = random();
      if (r < 0.8) return { type: 'chat', id: `b${n}`, userId: pick(users), text: pick(lines), at, hidden: false };
      if (r < 0.88) {
        const [giftId, giftName, unitPrice] = pick(gifts);
        return { type: 'gift', id: `g${n}`, userId: pick(users), giftId, giftName, count: random() < 0.7 ? 1 : pick([5, 10, 66, 99]), unitPrice, at };
      }
      if (r < 0.95) return { type: 'likes', total: (likes += 1 + Math.floor(random() * 20)) };
      if (r < 0.98) return { type: 'memberJoined', userId: pick(users), at };
      return { type: 'online', count: (online = Math.max(0, online + Math.floor(random() * 41) - 18)) };
    };
    const started = performance.now();
    const tick = () => {
      // By the clock, not by the tick: a late timer makes a bigger batch, as a real backlog would.
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      const at = Date.now();
      const batch = [];
      while (bench.generated < due) batch.push({ seq: ++seq, event: event(bench.generated++, at) });
      if (batch.length) fake.deliver(batch);
      bench.timer = setTimeout(tick, 16 + Math.floor(random() * 35));
    };
    tick();
  };
  bench.stopFeed = () => clearTimeout(bench.timer);
}

/** The functions the feed run spent most of its own time in (from the CPU profile). */
function hotSpots(cpu) {
  const dt = new Map();
  cpu.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (cpu.timeDeltas[i] ?? 0)));
  const self = new Map();
  let total = 0;
  for (const node of cpu.nodes) {
    const us = dt.get(node.id) ?? 0;
    total += us;
    const f = node.callFrame;
    const file = f.url ? f.url.split('/').pop() : '';
    const name = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + us);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  console.log('Self time, top 15 (of all samples):');
  for (const [name, us] of top) console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
}

/**
 * The renderer main thread's time in a trace, by event name: self time (nested events subtracted), as
 * wall time and as CPU time (what the thread ran; on a loaded machine wall time also counts waiting).
 */
function traceBreakdown(trace, seconds) {
  const events = trace.traceEvents ?? trace;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return console.log('The trace has no renderer main thread.');
  const complete = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number')
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const wall = new Map();
  const cpu = new Map();
  const add = (map, name, us) => map.set(name, (map.get(name) ?? 0) + us);
  const stack = [];
  for (const e of complete) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) {
      add(wall, parent.name, -Math.min(e.dur, parent.ts + parent.dur - e.ts));
      add(cpu, parent.name, -(e.tdur ?? 0));
    }
    add(wall, e.name, e.dur);
    add(cpu, e.name, e.tdur ?? 0);
    stack.push(e);
  }
  const top = [...cpu.entries()].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]).slice(0, 20);
  const total = (map) => [...map.values()].reduce((a, b) => a + Math.max(0, b), 0) / 1000 / seconds;
  console.log(`Renderer main thread, self time by event (ms/s; CPU ${total(cpu).toFixed(0)}, wall ${total(wall).toFixed(0)} in all), top 20 by CPU:`);
  console.log(`  ${'CPU'.padStart(7)}  ${'wall'.padStart(7)}`);
  for (const [name, us] of top) {
    console.log(`  ${(us / 1000 / seconds).toFixed(1).padStart(7)}  ${((wall.get(name) ?? 0) / 1000 / seconds).toFixed(1).padStart(7)}  ${name}`);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** One run in a fresh page: warm up, measure for `seconds` (feeding at `rate`, or idle), then read the figures. */
async function run(browser, url, { seconds, rate }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
  const page = await context.newPage();
  await page.addInitScript(pageSetup);
  await page.goto(url);
  await page.locator('[data-testid=connection-state][data-state=connected]').waitFor({ timeout: 30_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });

  if (rate > 0) await page.evaluate((r) => window.__bench.startFeed(r), rate);
  await page.waitForTimeout(WARMUP * 1000);
  const profile = rate > 0 && PROFILE;
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const trace = rate > 0 && TRACE;
  if (trace) {
    await browser.startTracing(page, {
      path: trace,
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'v8.execute'],
    });
  }

  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  await page.evaluate(() => {
    window.__bench.measuring = true;
    window.__bench.sample();
  });
  const before = await metric();
  let peakHeap = 0;
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    await page.waitForTimeout(1000);
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    peakHeap = Math.max(peakHeap, usedSize);
  }
  const after = await metric();
  const wall = (Date.now() - start) / 1000;
  if (profile) {
    const { profile: cpu } = await cdp.send('Profiler.stop');
    await writeFile(PROFILE, JSON.stringify(cpu));
    console.log(`CPU profile of the feed run written to ${PROFILE} (open it in Chromium's DevTools, Performance panel)`);
    hotSpots(cpu);
  }
  if (trace) {
    await browser.stopTracing();
    console.log(`Trace of the feed run written to ${trace} (open it in Chromium's DevTools, Performance panel)`);
    traceBreakdown(JSON.parse(await readFile(trace, 'utf8')), wall);
  }
  const stats = await page.evaluate(() => {
    const b = window.__bench;
    b.sample();
    b.measuring = false;
    if (b.stopFeed) b.stopFeed();
    return { frames: b.frames, longTasks: b.longTasks, samples: b.samples };
  });

  // Settle, collect garbage, then the heap and DOM that stay.
  await page.waitForTimeout(500);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize: heapAfterGc } = await cdp.send('Runtime.getHeapUsage');
  const counters = await cdp.send('Memory.getDOMCounters');
  const domEnd = await page.evaluate(() => document.getElementsByTagName('*').length);
  await context.close();

  const frames = stats.frames.slice().sort((a, b) => a - b);
  const first = stats.samples[0];
  const lastSample = stats.samples.at(-1);
  const span = (lastSample.at - first.at) / 1000;
  const busy = (key) => (after[key] - before[key]) / wall;
  return {
    seconds: wall,
    offered: rate,
    applied: span > 0 ? (lastSample.applied - first.applied) / span : 0,
    backlog: lastSample.generated - lastSample.applied,
    frames: frames.length,
    fps: frames.length / wall,
    p50: percentile(frames, 50),
    p95: percentile(frames, 95),
    p99: percentile(frames, 99),
    maxFrame: frames.at(-1) ?? NaN,
    over16: frames.filter((d) => d > 16.7 * 1.5).length / Math.max(1, frames.length),
    longTasks: stats.longTasks.length,
    longTaskMs: stats.longTasks.reduce((a, b) => a + b, 0),
    longestTask: stats.longTasks.length ? Math.max(...stats.longTasks) : 0,
    scriptPerS: busy('ScriptDuration') * 1000,
    layoutPerS: busy('LayoutDuration') * 1000,
    stylePerS: busy('RecalcStyleDuration') * 1000,
    taskPerS: busy('TaskDuration') * 1000,
    threadCpuPerS: busy('ThreadTime') * 1000,
    processCpuPerS: busy('ProcessTime') * 1000,
    domEnd,
    domPeak: Math.max(...stats.samples.map((s) => s.dom)),
    domNodesAfterGc: counters.nodes,
    listeners: counters.jsEventListeners,
    chatRows: lastSample.chatRows,
    rowsKept: lastSample.rowsKept,
    heapAfterGc,
    heapPeak: Math.max(peakHeap, ...stats.samples.map((s) => s.heap ?? 0)),
  };
}

const MB = 1024 * 1024;
const ROWS = [
  ['duration (s)', (r) => r.seconds.toFixed(1)],
  ['offered (msg/s)', (r) => r.offered.toFixed(0)],
  ['ingest applied (msg/s)', (r) => r.applied.toFixed(0)],
  ['backlog at end (msg)', (r) => r.backlog.toFixed(0)],
  ['frames (fps)', (r) => r.fps.toFixed(1)],
  ['frame p50 (ms)', (r) => r.p50.toFixed(1)],
  ['frame p95 (ms)', (r) => r.p95.toFixed(1)],
  ['frame p99 (ms)', (r) => r.p99.toFixed(1)],
  ['frame max (ms)', (r) => r.maxFrame.toFixed(1)],
  ['frames > 25 ms (%)', (r) => (r.over16 * 100).toFixed(1)],
  ['long tasks (count)', (r) => String(r.longTasks)],
  ['long tasks (ms total)', (r) => r.longTaskMs.toFixed(0)],
  ['longest task (ms)', (r) => r.longestTask.toFixed(0)],
  ['main thread busy (ms/s)', (r) => r.taskPerS.toFixed(0)],
  ['  script (ms/s)', (r) => r.scriptPerS.toFixed(0)],
  ['  style (ms/s)', (r) => r.stylePerS.toFixed(0)],
  ['  layout (ms/s)', (r) => r.layoutPerS.toFixed(0)],
  ['main thread CPU (ms/s)', (r) => r.threadCpuPerS.toFixed(0)],
  ['renderer CPU, all threads (ms/s)', (r) => r.processCpuPerS.toFixed(0)],
  ['chat rows kept at end (feed)', (r) => (Number.isNaN(r.rowsKept) ? '–' : String(r.rowsKept))],
  ['chat lines in the DOM at end', (r) => String(r.chatRows)],
  ['DOM elements at end', (r) => String(r.domEnd)],
  ['DOM elements peak', (r) => String(r.domPeak)],
  ['DOM nodes after GC (incl. detached)', (r) => String(r.domNodesAfterGc)],
  ['JS heap after GC (MB)', (r) => (r.heapAfterGc / MB).toFixed(1)],
  ['JS heap peak (MB)', (r) => (r.heapPeak / MB).toFixed(1)],
];
/** Rows where a ratio means something (not counts that are zero at rest). */
const RATIO = new Set(['frame p50 (ms)', 'frame p95 (ms)', 'frame p99 (ms)', 'frame max (ms)', 'main thread busy (ms/s)', 'main thread CPU (ms/s)', 'renderer CPU, all threads (ms/s)', 'DOM elements at end', 'DOM elements peak', 'DOM nodes after GC (incl. detached)', 'JS heap after GC (MB)', 'JS heap peak (MB)']);

function table(baseline, feed) {
  const width = Math.max(...ROWS.map(([name]) => name.length));
  const out = [`${'figure'.padEnd(width)}  ${'baseline'.padStart(10)}  ${'feed'.padStart(10)}  ${'ratio'.padStart(7)}`];
  for (const [name, fmt] of ROWS) {
    const b = fmt(baseline);
    const f = fmt(feed);
    const ratio = RATIO.has(name) && Number(b) > 0 ? `${(Number(f) / Number(b)).toFixed(2)}×` : '';
    out.push(`${name.padEnd(width)}  ${b.padStart(10)}  ${f.padStart(10)}  ${ratio.padStart(7)}`);
  }
  return out.join('\n');
}

const server = await serve();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--enable-precise-memory-info'],
});
try {
  console.log(`AnchorDesk feed benchmark: ${RATE} msg/s for ${SECONDS} s (baseline idle ${BASELINE_SECONDS} s), ${WARMUP} s warm-up each`);
  console.log(`Chromium ${browser.version()} headless, 1280×800, ${(await import('node:os')).cpus().length} CPUs, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const baseline = await run(browser, server.url, { seconds: BASELINE_SECONDS, rate: 0 });
  const feed = await run(browser, server.url, { seconds: SECONDS, rate: RATE });
  console.log('');
  console.log(table(baseline, feed));
  console.log('');
  console.log(
    `Aim (issue 6): frame p95 ≤ 16.7 ms at 1,000 msg/s with bounded DOM and heap; here p95 ${feed.p95.toFixed(1)} ms, ` +
      `${feed.applied.toFixed(0)} of ${feed.offered} msg/s applied, ${feed.chatRows} chat lines in the DOM.`,
  );
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ baseline, feed }));
} finally {
  await browser.close();
  server.stop();
}

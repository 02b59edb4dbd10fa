// Why: a benchmark, not a test — how fast the real console comes up. It launches the app binary (the
// release build by default) through WebKitWebDriver (Debian's webkit2gtk-driver; W3C WebDriver over
// plain HTTP) with a fresh data folder, so it starts on its embedded sandbox as a new user's would,
// and reports, over several launches, the time from asking for the window to its first paint
// (WebKit's paint timing when it has it), to DOMContentLoaded, to the first time the window's `.app`
// is seen, and to "room connected" (the connection overlay gone). Times are wall-clock from the moment
// the session is requested, which is when WebKitWebDriver starts the app. It asserts nothing.
//
//   xvfb-run -a node scripts/bench-first-paint.mjs        (make bench-paint builds the release first)
// Environment: ANCHORDESK_BIN (default target/release/anchordesk), PAINT_RUNS (5), PAINT_TIMEOUT_S (60).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../ui/bench/net.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = resolve(process.env.ANCHORDESK_BIN ?? join(root, 'target', 'release', 'anchordesk'));
const RUNS = Number(process.env.PAINT_RUNS ?? 5);
const TIMEOUT_MS = Number(process.env.PAINT_TIMEOUT_S ?? 60) * 1000;

if (!existsSync(BIN)) {
  console.error(`No app binary at ${BIN}: build it with 'cargo build --release' (make bench-paint does), or set ANCHORDESK_BIN.`);
  process.exit(1);
}
if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error("The first-paint benchmark opens a real window and needs a display: run it as 'xvfb-run -a node scripts/bench-first-paint.mjs'.");
  process.exit(1);
}
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`PAINT_RUNS must be a whole number of launches, got ${JSON.stringify(process.env.PAINT_RUNS)}`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One W3C WebDriver command; resolves with `value`, rejects with the driver's error. */
async function wd(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.value?.error ?? ''} ${json.value?.message ?? ''}`.trim());
  return json.value;
}

/** What the page can tell about itself now (run in the window). */
const PROBE = `
  const paint = {};
  for (const e of performance.getEntriesByType('paint')) paint[e.name] = e.startTime;
  const nav = performance.getEntriesByType('navigation')[0];
  const state = document.querySelector('[data-testid=connection-state]');
  return {
    href: location.href,
    timeOrigin: performance.timeOrigin,
    paint,
    domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
    app: document.querySelector('.app') !== null,
    connected: state !== null && state.dataset.state === 'connected' && document.querySelector('[data-testid=connection-overlay]') === null,
  };
`;

async function launch(run) {
  const dataDir = await mkdtemp(join(tmpdir(), 'anchordesk-paint-'));
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], {
    env: {
      ...process.env,
      TAURI_WEBVIEW_AUTOMATION: 'true',
      WEBKIT_DISABLE_DMABUF_RENDERER: '1',
      ANCHORDESK_DATA_DIR: dataDir,
      ANCHORDESK_LOG: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const spawnFailed = new Promise((_, fail) => driver.on('error', (e) => fail(new Error(`WebKitWebDriver did not start (apt package webkit2gtk-driver): ${e.message}`))));
  const base = `http://127.0.0.1:${port}`;
  let session = null;
  try {
    // The driver is up before the clock starts: only the app's start is timed.
    const up = Date.now() + 10_000;
    for (;;) {
      try {
        const status = await Promise.race([wd(base, 'GET', '/status'), spawnFailed]);
        if (status?.ready !== false) break;
      } catch (e) {
        if (e.message.startsWith('WebKitWebDriver did not start') || Date.now() > up) throw e;
      }
      await sleep(50);
    }

    const t0 = Date.now();
    const caps = { 'webkitgtk:browserOptions': { binary: BIN, args: [] } };
    const created = await wd(base, 'POST', '/session', { capabilities: { alwaysMatch: caps } });
    session = created.sessionId;
    const sessionMs = Date.now() - t0;

    let appSeenMs = null;
    let connectedMs = null;
    let last = null;
    while (Date.now() - t0 < TIMEOUT_MS) {
      try {
        last = await wd(base, 'POST', `/session/${session}/execute/sync`, { script: PROBE, args: [] });
      } catch {
        last = null; // the page is still being created
      }
      const now = Date.now();
      if (last?.app && appSeenMs === null) appSeenMs = now - t0;
      if (last?.connected) {
        connectedMs = now - t0;
        break;
      }
      await sleep(10);
    }
    if (connectedMs === null) throw new Error(`launch ${run}: the room did not connect within ${TIMEOUT_MS / 1000} s (last seen: ${JSON.stringify(last)})`);
    // The page's own clock: its time origin is epoch milliseconds, like ours.
    const fromOrigin = (ms) => (ms === null || ms === undefined ? null : last.timeOrigin + ms - t0);
    return {
      session: sessionMs,
      firstPaint: fromOrigin(last.paint['first-paint']),
      firstContentfulPaint: fromOrigin(last.paint['first-contentful-paint']),
      domContentLoaded: fromOrigin(last.domContentLoaded),
      appSeen: appSeenMs,
      connected: connectedMs,
    };
  } finally {
    if (session) await wd(base, 'DELETE', `/session/${session}`).catch(() => {});
    driver.kill('SIGTERM');
    await new Promise((r) => (driver.exitCode !== null ? r() : driver.once('exit', r)));
    await rm(dataDir, { recursive: true, force: true });
  }
}

const FIGURES = [
  ['WebDriver session up', 'session'],
  ['first paint (paint timing)', 'firstPaint'],
  ['first contentful paint', 'firstContentfulPaint'],
  ['DOMContentLoaded', 'domContentLoaded'],
  ['.app seen (polled, upper bound)', 'appSeen'],
  ['room connected (overlay gone)', 'connected'],
];

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`AnchorDesk first paint: ${RUNS} launches of ${BIN} through WebKitWebDriver, fresh data folder each`);
const runs = [];
for (let i = 1; i <= RUNS; i++) {
  const r = await launch(i);
  runs.push(r);
  console.log(`  launch ${i}: ${FIGURES.map(([, k]) => `${k} ${r[k] === null ? '—' : `${Math.round(r[k])} ms`}`).join(', ')}`);
  await sleep(500);
}
const width = Math.max(...FIGURES.map(([n]) => n.length));
console.log('');
console.log(`${'from launch to'.padEnd(width)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}  ${'max'.padStart(8)}`);
for (const [name, key] of FIGURES) {
  const xs = runs.map((r) => r[key]).filter((x) => x !== null);
  if (xs.length === 0) {
    console.log(`${name.padEnd(width)}  ${'(WebKit did not report it)'.padStart(28)}`);
    continue;
  }
  const ms = (x) => `${Math.round(x)} ms`.padStart(8);
  console.log(`${name.padEnd(width)}  ${ms(median(xs))}  ${ms(Math.min(...xs))}  ${ms(Math.max(...xs))}`);
}
console.log('');
console.log('Aim (issue 6): first paint under 1.5 s.');

// Why: the page tests (e2e/*.spec.ts) drive the built UI (ui/dist, served by `vite preview` on
// 127.0.0.1) in the system Chromium — no browser download is possible here — against the in-memory
// FakeBackend each test sets up. 1280×800 is the window the console must fit; one retry would hide a
// flaky test, so there are none.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** The browser: Debian's `chromium` package unless CHROMIUM_PATH says otherwise. */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  throw new Error(
    `The page tests need Chromium at ${chromium}: run 'scripts/setup.sh test' (it installs the apt package chromium), ` +
      'or set CHROMIUM_PATH to a Chromium binary.',
  );
}

/**
 * A free port, picked once: the workers load this file again and inherit the environment, so they
 * agree with the runner on where the server is. ANCHORDESK_E2E_PORT fixes it.
 */
function freePort(): string {
  const probe =
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim();
}
const port = (process.env.ANCHORDESK_E2E_PORT ??= freePort());
const baseURL = `http://127.0.0.1:${port}`;

/** Chromium's sandbox refuses to run as root (CI containers); a normal user keeps it. */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  fullyParallel: true,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 20_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    colorScheme: 'light',
    launchOptions: {
      executablePath: chromium,
      args: asRoot ? ['--no-sandbox'] : [],
    },
    // A trace records every step of every test (slow on two cores); E2E_TRACE=1 keeps one per failure.
    trace: process.env.E2E_TRACE ? 'retain-on-failure' : 'off',
  },
  webServer: {
    // Builds ui/dist first if a source is newer, then serves it as the app embeds it.
    command: `node e2e/serve.mjs ${port}`,
    url: baseURL,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

// Why: the page tests must run against the UI as built (ui/dist, what the app embeds), not a dev
// server; this rebuilds it only when a source is newer than the build (`make ui` usually did already),
// then serves it with `vite preview` on 127.0.0.1 at the port given.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.argv[2];
if (!/^\d+$/.test(port ?? '')) {
  console.error('usage: node e2e/serve.mjs <port>');
  process.exit(2);
}

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function builtAt() {
  try {
    return statSync(join(ui, 'dist', 'index.html')).mtimeMs;
  } catch {
    return -1;
  }
}

const sources = ['src', 'index.html', 'vite.config.ts', 'svelte.config.js', 'package-lock.json'].map((p) => join(ui, p));
if (builtAt() < Math.max(...sources.map(newest))) {
  console.error('ui/dist is older than the sources: building it (vite build)');
  const built = spawnSync(process.execPath, [join(ui, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: ui,
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const vite = join(ui, 'node_modules', 'vite', 'bin', 'vite.js');
const server = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', port, '--strictPort'], {
  cwd: ui,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));

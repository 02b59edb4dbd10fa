// Why: the benchmarks (bench/feed.mjs, and scripts/bench-first-paint.mjs at the top of the repo) each
// start a server of their own — the UI's, or WebKitWebDriver — on a port nothing else holds; this is
// the one way they pick it. Plain Node, no dependencies.
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it; closed again before it is handed over). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Why: one Vite config for dev (Tauri's devUrl on :1420), production build (ui/dist, loaded by Tauri
// from disk, hence relative base) and vitest (components need Svelte's browser build under jsdom).
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig(({ mode }) => ({
  base: './',
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Tauri's webviews are evergreen (WebView2, WKWebView, WebKitGTK ≥ 2.40): no preload polyfill.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
}));

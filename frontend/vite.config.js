// Builds the gateway's browser pages. Hashed scripts, styles, fonts and workers go to gateway/static/
// (served with long cache headers); the two HTML pages go to gateway/pages/ (served by gateway/pages.py,
// which fills in what only the server knows). Run: npm ci && npm run build
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));
const staticDir = resolve(here, '../gateway/static');
const pagesDir = resolve(here, '../gateway/pages');

// Vite writes HTML entries beside their assets; the pages are not immutable, so they move apart.
function pagesOutOfStatic() {
  return {
    name: 'gateway-pages-out-of-static',
    apply: 'build',
    closeBundle() {
      mkdirSync(pagesDir, { recursive: true });
      for (const name of readdirSync(staticDir).filter((file) => file.endsWith('.html'))) {
        renameSync(resolve(staticDir, name), resolve(pagesDir, name));
      }
    },
  };
}

export default defineConfig(() => {
  rmSync(staticDir, { recursive: true, force: true });
  return {
    base: '/static/',
    plugins: [react(), pagesOutOfStatic()],
    worker: { format: 'es' },
    build: {
      outDir: staticDir,
      emptyOutDir: true,
      assetsDir: 'assets',
      // Every asset a file of its own: a data: URL would need a wider Content-Security-Policy.
      assetsInlineLimit: 0,
      // No inline module-preload polyfill (CSP) and no source maps (the package stays small).
      modulePreload: { polyfill: false },
      sourcemap: false,
      chunkSizeWarningLimit: 8000,
      rollupOptions: {
        input: {
          graphiql: resolve(here, 'graphiql.html'),
          'api-docs': resolve(here, 'api-docs.html'),
        },
      },
    },
  };
});

import { defineConfig } from 'vitest/config';

// Served by the API at /admin/ under a CSP that allows only same-origin files: nothing is
// inlined (assetsInlineLimit 0 keeps fonts as files, not data: URLs) and no preload polyfill.
export default defineConfig({
  base: '/admin/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});

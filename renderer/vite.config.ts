import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative base: the app loads the build from a custom `app://` protocol, not from a web root.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome130',
    // The CSP forbids inline scripts; Vite would inline small assets as data: URLs, which is fine for
    // images but the worklet and workers must stay files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

import { defineConfig } from 'vitest/config';

// One configuration for every suite. Browser suites (tests/e2e, *.browser.test.ts) start Chromium
// and servers of their own, so they get longer time-outs; `npm run test:e2e` runs them alone.
export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/release/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time. Two at once put two browser suites side by side (each a Chromium with
    // its pages, workers and audio threads, and servers of its own) on 2 cores: at a load of 25
    // they timed out (scenario 16, the formats and shared-source suites) where each passes alone
    // in a fraction of its time. Sequential, the whole run stays well under CI's 90 minutes.
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});

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
    maxWorkers: 2,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});

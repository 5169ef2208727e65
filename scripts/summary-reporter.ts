import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with one plain line `N passed, N failed, N skipped`, the line CI reads. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      // A file that fails before its tests run (import error, hook failure) counts as one failure.
      if (
        mod.state() === 'failed' &&
        [...mod.children.allTests()].every((t) => t.result().state !== 'failed')
      )
        failed++;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}

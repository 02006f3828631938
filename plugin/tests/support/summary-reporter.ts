import type { Reporter, TestCase } from '@playwright/test/reporter';

/** Ends the run with `plugin-e2e: N passed, N failed, N skipped`, the line CI logs show for every suite. */
class SummaryReporter implements Reporter {
  private readonly tests = new Set<TestCase>();

  onTestEnd(test: TestCase): void {
    this.tests.add(test);
  }

  onEnd(): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const test of this.tests) {
      const outcome = test.outcome();
      if (outcome === 'skipped') {
        counts.skipped++;
      } else if (outcome === 'expected' || outcome === 'flaky') {
        counts.passed++;
      } else {
        counts.failed++;
      }
    }
    process.stdout.write(`\nplugin-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}

// Default export: Playwright loads a reporter file's default export.
export default SummaryReporter;

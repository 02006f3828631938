'use strict';
/**
 * Jest reporter that ends a run with one plain line, `<label>: N passed, N failed, N skipped`,
 * so CI logs show the counts of every workspace in the same form.
 */
class SummaryReporter {
  constructor(_globalConfig, options = {}) {
    this.label = options.label ?? 'tests';
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\n${this.label}: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

module.exports = SummaryReporter;

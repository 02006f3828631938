/** End-to-end tests: they start the built command-line entry point as a real process and talk HTTP to it. */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: [],
  reporters: ['default', ['<rootDir>/../scripts/jest-summary-reporter.js', { label: 'backend-e2e' }]],
  testTimeout: 60000,
};

/** End-to-end tests: they start the built command-line entry point as a real process and talk HTTP to it. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest'] },
  // These dependencies ship only ES modules; Node 20 loads them with require(esm), jest needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie)/)'],
  reporters: ['default', ['<rootDir>/../scripts/jest-summary-reporter.js', { label: 'backend-e2e' }]],
  testTimeout: 60000,
};

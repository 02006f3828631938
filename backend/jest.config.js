/** Unit and integration tests: they build the app in-process (app.inject) on PGlite, and on PostgreSQL too when TEST_DATABASE_URL is set. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/e2e/'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest'] },
  // These dependencies ship only ES modules; Node 20 loads them with require(esm), jest needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie)/)'],
  reporters: ['default', ['<rootDir>/../scripts/jest-summary-reporter.js', { label: 'backend' }]],
  testTimeout: 30000,
};

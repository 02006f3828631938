// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// ESM-only packages that MSW pulls in, besides the ones create-plugin lists for Grafana's dependencies.
const mswESModules = ['until-async', 'rettime'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // jsdom with Node's fetch, streams and TextEncoder, which MSW needs (https://mswjs.io/docs/migrations/1.x-to-2.x#requestresponsetextencoder-is-not-defined-jest)
  testEnvironment: 'jest-fixed-jsdom',
  // e2e specs (Playwright) and the test host are not jest tests
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/', '<rootDir>/host/'],
  // the build scripts' own tests (they run in the node environment, see their docblock)
  testMatch: [...base.testMatch, '<rootDir>/scripts/**/*.test.ts'],
  // jest-fixed-jsdom resolves some packages to their .mjs builds: compile those like the rest
  transform: { ...base.transform, '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'] },
  transformIgnorePatterns: [`${nodeModulesToTransform([...grafanaESModules, ...mswESModules])}(?!.*\\.mjs$)`],
  // two cores shared with other suites: give user-event interactions room
  testTimeout: 30_000,
  reporters: ['default', ['<rootDir>/../scripts/jest-summary-reporter.js', { label: 'plugin' }]],
};

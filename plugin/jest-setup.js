import { webcrypto } from 'node:crypto';

// Jest setup provided by Grafana scaffolding, for the tests in a browser environment (jsdom): the build scripts'
// tests (scripts/) run in Node's, which has no DOM to set up.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}

// jsdom has crypto.getRandomValues but not crypto.subtle, which the audit proofs are verified with in the browser.
Object.defineProperty(globalThis, 'crypto', { configurable: true, value: webcrypto });

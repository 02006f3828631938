// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { webcrypto } from 'node:crypto';

// jsdom has crypto.getRandomValues but not crypto.subtle, which the audit proofs are verified with in the browser.
Object.defineProperty(globalThis, 'crypto', { configurable: true, value: webcrypto });

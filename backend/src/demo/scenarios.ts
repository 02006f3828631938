/**
 * The demo's vocabulary: its scenarios, the request a plan step sends, the addresses of each cycle's attackers and
 * of ordinary clients. Attackers are in the documentation ranges (RFC 5737), clients in the shared address space
 * (RFC 6598): a demo never names a real host. The plan itself is in plan.ts and attacks.ts.
 */
import type { Role } from '../auth/roles';

export const Scenario = {
  normal: 'normal',
  bruteForce: 'brute-force',
  adminProbe: 'admin-probe',
  flood: 'flood',
  portScan: 'port-scan',
  fail2ban: 'fail2ban',
  alertmanager: 'alertmanager',
} as const;
export type Scenario = (typeof Scenario)[keyof typeof Scenario];
export const SCENARIOS: readonly Scenario[] = Object.values(Scenario);

/** Which token a request carries: a role's, none, or one the backend does not know. */
export type Credential = Role | 'none' | 'invalid';

/** Where a request comes from, when the backend is on loopback (each attacker its own 127.0.0.x address). */
export type Origin = 'client' | 'brute-force' | 'admin-probe' | 'flood';

export interface DemoRequest {
  scenario: Scenario;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  credential: Credential;
  origin: Origin;
  /** JSON, or a form body (Fail2ban's action posts form-encoded). */
  body?: unknown;
  form?: Record<string, string>;
}

/** One step of the plan: requests sent together, and a burst sent as fast as the rate limiter lets through. */
export interface Tick {
  requests: DemoRequest[];
  /** Requests to send from the flood address until the rate limiter answers 429. */
  burst?: DemoRequest;
}

export const CYCLE_SECONDS = 20;

/** What the plan of a tick depends on besides the tick. */
export interface PlanContext {
  /** Where the attackers' addresses start. */
  offset: number;
  /** Ordinary reads per second. */
  rate: number;
  /** When the run started, and the length of its ticks: a cycle's reports share the time of its start. */
  startedAtMs: number;
  tickMs: number;
}

export const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
export const PAGES = [
  '/',
  '/dashboard',
  '/api/v1/items',
  '/api/v1/items/42',
  '/api/v1/search?q=report',
  '/static/app.js',
];

export const client = (n: number) => `100.64.${(n >> 8) & 255}.${n & 255}`;

/** The attackers of cycle `cycle`: fresh addresses in each cycle, from the run's offset. */
export function attackers(cycle: number, offset: number) {
  const at = (range: string, k: number) => `${range}.${1 + ((offset + cycle * 4 + k) % 250)}`;
  return {
    bruteForce: at('203.0.113', 0),
    adminProbe: at('198.51.100', 1),
    flood: at('192.0.2', 2),
    portScan: at('203.0.113', 3),
    sshd: at('198.51.100', 3),
    intruder: at('192.0.2', 3),
  };
}

export const event = (fields: Record<string, unknown>) => ({ time: new Date().toISOString(), ...fields });
export const ingest = (scenario: Scenario, events: unknown[]): DemoRequest => ({
  scenario,
  method: 'POST',
  path: '/api/security/events',
  credential: 'ingest',
  origin: 'client',
  body: { events },
});

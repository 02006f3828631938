/**
 * What the demo sends, second by second: ordinary traffic every second, and in each 20-second cycle the attacks
 * the stack exists to catch, each from addresses of its own. Pure functions of the tick and the run's address
 * offset, so a test can read the plan without a server. Attackers are in the documentation ranges (RFC 5737),
 * clients in the shared address space (RFC 6598): a demo never names a real host.
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
/** Events of one flooding address in one batch: above the http-ddos rule's 300 per minute. */
export const FLOOD_EVENTS = 350;

const READS = [
  '/api/system/info',
  '/api/security/events?limit=20',
  '/api/security/stats',
  '/api/soar/bans?limit=20',
  '/api/audit/events?limit=20',
  '/api/audit/stats',
  '/api/fail2ban/events?limit=20',
  '/api/audit/integrity',
];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const PAGES = ['/', '/dashboard', '/api/v1/items', '/api/v1/items/42', '/api/v1/search?q=report', '/static/app.js'];

const client = (n: number) => `100.64.${(n >> 8) & 255}.${n & 255}`;

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

const event = (fields: Record<string, unknown>) => ({ time: new Date().toISOString(), ...fields });
const ingest = (scenario: Scenario, events: unknown[]): DemoRequest => ({
  scenario,
  method: 'POST',
  path: '/api/security/events',
  credential: 'ingest',
  origin: 'client',
  body: { events },
});

function normal(tick: number, rate: number): DemoRequest[] {
  const requests: DemoRequest[] = [];
  for (let i = 0; i < rate; i++) {
    const n = tick * rate + i;
    requests.push({
      scenario: Scenario.normal,
      method: 'GET',
      path: READS[n % READS.length] as string,
      credential: 'viewer',
      origin: 'client',
    });
  }
  const events = Array.from({ length: rate * 4 }, (_, i) => {
    const n = (tick * 97 + i * 31) % 5000;
    return i % 10 === 0
      ? event({
          event: 'auth.login.success',
          ip: client(n),
          user: USERS[n % USERS.length],
          method: 'POST',
          path: '/login',
          status: 200,
        })
      : event({
          event: 'http.request',
          ip: client(n),
          method: 'GET',
          path: PAGES[n % PAGES.length],
          status: 200,
          bytes: 512 + n,
        });
  });
  requests.push(ingest(Scenario.normal, events));
  requests.push({
    scenario: Scenario.normal,
    method: 'POST',
    path: '/api/audit/events',
    credential: 'ingest',
    origin: 'client',
    body: {
      events: [
        {
          action: 'report.read',
          resource: 'reports',
          resourceId: String(tick % 12),
          username: USERS[tick % USERS.length],
          ip: client(tick % 5000),
          status: 'success',
        },
      ],
    },
  });
  if (tick % 10 === 5) {
    // An admin signing a checkpoint of the audit trail: a real admin operation, harmless to repeat.
    requests.push({
      scenario: Scenario.normal,
      method: 'POST',
      path: '/api/audit/checkpoint',
      credential: 'admin',
      origin: 'client',
    });
  }
  return requests;
}

function bruteForce(ip: string, second: number): DemoRequest[] {
  if (second >= 10) return [];
  const failures = [0, 1].map((k) =>
    event({
      event: 'auth.login.failed',
      ip,
      user: USERS[(second + k) % USERS.length],
      method: 'POST',
      path: '/login',
      status: 401,
      userAgent: 'python-requests/2.32',
    })
  );
  // The same attacker guessing tokens on the API itself: real 401s (http_auth_failed_total, BruteForceAttack).
  const guesses: DemoRequest[] = [0, 1].map(() => ({
    scenario: Scenario.bruteForce,
    method: 'GET',
    path: '/api/security/events',
    credential: 'invalid',
    origin: 'brute-force',
  }));
  return [ingest(Scenario.bruteForce, failures), ...guesses];
}

const PROBES: Omit<DemoRequest, 'scenario' | 'origin'>[] = [
  { method: 'GET', path: '/api/system/config', credential: 'viewer' },
  { method: 'POST', path: '/api/security/ban', credential: 'viewer', body: { ip: '192.0.2.250', reason: 'probe' } },
  { method: 'DELETE', path: '/api/security/ban/192.0.2.250', credential: 'ingest' },
  { method: 'GET', path: '/api/soar/whitelist', credential: 'none' },
];

function adminProbe(ip: string, second: number): DemoRequest[] {
  if (second < 2 || second >= 12) return [];
  const probe = PROBES[second % PROBES.length] as (typeof PROBES)[number];
  const status = probe.credential === 'none' ? 401 : 403;
  const events = [
    event({ event: 'http.request', ip, method: 'DELETE', path: `/api/v1/admin/users/${second}`, status: 403 }),
    event({ event: 'admin.operation.unauthorized', ip, method: probe.method, path: probe.path, status }),
  ];
  return [ingest(Scenario.adminProbe, events), { ...probe, scenario: Scenario.adminProbe, origin: 'admin-probe' }];
}

function fail2ban(ip: string, second: number, cycleStartMs: number): DemoRequest[] {
  if (second !== 6 && second !== 14) return [];
  // Fail2ban's <time>: when the ban's ticket started; the unban carries its ban's.
  const time = String(Math.floor(cycleStartMs / 1000));
  const report = (action: 'ban' | 'unban'): DemoRequest => ({
    scenario: Scenario.fail2ban,
    method: 'POST',
    path: '/api/fail2ban/events',
    credential: 'ingest',
    origin: 'client',
    form: {
      jail: 'sshd',
      ip,
      action,
      time,
      ...(action === 'ban' && { bantime: '600', bancount: '1', failures: '5', restored: '0' }),
    },
  });
  if (second === 14)
    return [report('unban'), ingest(Scenario.fail2ban, [event({ event: 'fail2ban.unban', ip, jail: 'sshd' })])];
  const lines = Array.from({ length: 5 }, (_, k) =>
    event({
      event: 'auth.login.failed',
      ip,
      user: 'root',
      jail: 'sshd',
      msg: `Failed password for root from ${ip} port ${40000 + k} ssh2`,
    })
  );
  return [
    ingest(Scenario.fail2ban, [...lines, event({ event: 'fail2ban.ban', ip, jail: 'sshd', msg: 'Ban' })]),
    report('ban'),
  ];
}

/**
 * An alert about an attacker, as Alertmanager delivers it to the backend's webhook (payload version 4): an intrusion
 * detection rule of another Prometheus firing at second 10 of the cycle, resolved at second 16.
 */
function alertmanager(ip: string, second: number, firedAtMs: number, cycle: number): DemoRequest[] {
  if (second !== 10 && second !== 16) return [];
  const status = second === 10 ? 'firing' : 'resolved';
  const labels = { alertname: 'IntrusionDetected', severity: 'critical', ip, sensor: 'ids-edge-1' };
  const annotations = { summary: `IDS signature match (SQL injection) from ${ip}` };
  const startsAt = new Date(firedAtMs).toISOString();
  const alert = {
    status,
    labels,
    annotations,
    startsAt,
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
    generatorURL: 'http://prometheus:9090/graph?g0.expr=ids_signature_matches_total',
    fingerprint: `de50${(cycle & 0xffff).toString(16).padStart(4, '0')}${ip
      .split('.')
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('')}`,
  };
  return [
    {
      scenario: Scenario.alertmanager,
      method: 'POST',
      path: '/api/soar/alertmanager',
      credential: 'ingest',
      origin: 'client',
      body: {
        version: '4',
        groupKey: `{}/{}:{alertname="IntrusionDetected", ip="${ip}"}`,
        truncatedAlerts: 0,
        status,
        receiver: 'cartae-secops',
        groupLabels: labels,
        commonLabels: labels,
        commonAnnotations: annotations,
        externalURL: 'http://alertmanager:9093',
        alerts: [alert],
      },
    },
  ];
}

/** The requests of second `tick` of the run. */
export function planTick(tick: number, context: PlanContext): Tick {
  const { offset, rate } = context;
  const cycle = Math.floor(tick / CYCLE_SECONDS);
  const second = tick % CYCLE_SECONDS;
  const cycleStartMs = context.startedAtMs + cycle * CYCLE_SECONDS * context.tickMs;
  const ips = attackers(cycle, offset);
  const requests = [
    ...normal(tick, rate),
    ...bruteForce(ips.bruteForce, second),
    ...adminProbe(ips.adminProbe, second),
    ...fail2ban(ips.sshd, second, cycleStartMs),
    ...alertmanager(ips.intruder, second, cycleStartMs + 10 * context.tickMs, cycle),
  ];
  if (second === 4) {
    requests.push(
      ingest(Scenario.portScan, [
        event({ event: 'network.scan.detected', ip: ips.portScan, msg: 'SYN scan of 1024 ports' }),
      ])
    );
  }
  const tickPlan: Tick = { requests };
  if (second === 8) {
    const flood = Array.from({ length: FLOOD_EVENTS }, (_, k) =>
      event({
        event: 'http.request',
        ip: ips.flood,
        method: 'GET',
        path: PAGES[k % PAGES.length],
        status: 200,
        userAgent: 'flood/1.0',
      })
    );
    requests.push(ingest(Scenario.flood, flood));
    // The HTTP flood on the API once per run: after it the rate limiter holds that address for its whole window.
    if (cycle === 0) {
      tickPlan.burst = {
        scenario: Scenario.flood,
        method: 'GET',
        path: '/api/system/info',
        credential: 'viewer',
        origin: 'flood',
      };
    }
  }
  return tickPlan;
}

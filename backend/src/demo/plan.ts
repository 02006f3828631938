/**
 * The plan: what each second of a run sends. Ordinary traffic every second; the attacks of attacks.ts in each cycle
 * of CYCLE_SECONDS, from fresh addresses; the HTTP flood once per run.
 */
import { adminProbe, alertmanager, bruteForce, fail2ban, floodEvents, portScan } from './attacks';
import {
  attackers,
  client,
  CYCLE_SECONDS,
  event,
  ingest,
  PAGES,
  Scenario,
  USERS,
  type DemoRequest,
  type PlanContext,
  type Tick,
} from './scenarios';

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
  if (second === 4) requests.push(portScan(ips.portScan));
  const tickPlan: Tick = { requests };
  if (second === 8) {
    requests.push(floodEvents(ips.flood));
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

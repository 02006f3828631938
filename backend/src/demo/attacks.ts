/**
 * The attacks of each cycle, second by second: each a function of the second of the cycle (0 to 19) and its
 * attacker's address, answering the requests to send then.
 */
import { event, ingest, PAGES, Scenario, USERS, type DemoRequest } from './scenarios';

/** Events of one flooding address in one batch: above the http-ddos rule's 300 per minute. */
export const FLOOD_EVENTS = 350;

export function bruteForce(ip: string, second: number): DemoRequest[] {
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

export function adminProbe(ip: string, second: number): DemoRequest[] {
  if (second < 2 || second >= 12) return [];
  const probe = PROBES[second % PROBES.length] as (typeof PROBES)[number];
  const status = probe.credential === 'none' ? 401 : 403;
  const events = [
    event({ event: 'http.request', ip, method: 'DELETE', path: `/api/v1/admin/users/${second}`, status: 403 }),
    event({ event: 'admin.operation.unauthorized', ip, method: probe.method, path: probe.path, status }),
  ];
  return [ingest(Scenario.adminProbe, events), { ...probe, scenario: Scenario.adminProbe, origin: 'admin-probe' }];
}

export function fail2ban(ip: string, second: number, cycleStartMs: number): DemoRequest[] {
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
export function alertmanager(ip: string, second: number, firedAtMs: number, cycle: number): DemoRequest[] {
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

export const portScan = (ip: string): DemoRequest =>
  ingest(Scenario.portScan, [event({ event: 'network.scan.detected', ip, msg: 'SYN scan of 1024 ports' })]);

/** FLOOD_EVENTS ordinary-looking requests from one address, in one batch. */
export function floodEvents(ip: string): DemoRequest {
  const events = Array.from({ length: FLOOD_EVENTS }, (_, k) =>
    event({
      event: 'http.request',
      ip,
      method: 'GET',
      path: PAGES[k % PAGES.length],
      status: 200,
      userAgent: 'flood/1.0',
    })
  );
  return ingest(Scenario.flood, events);
}

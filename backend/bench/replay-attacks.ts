/**
 * The attackers of the generated replay log (replay-log.ts): password guessing (half come back after their
 * ban: escalation), low-and-slow credential stuffing that stays under the thresholds, a botnet with one or two
 * tries per address, admin probing, token guessing, HTTP floods, port scans, and user names crafted to inject
 * `"ip":"…"`. Counts scale with the size of the log.
 */

export interface Line {
  t: number;
  event: string;
  ip: string;
  user: string;
  method: string;
  path: string;
  status: number;
  userAgent: string;
  msg: string;
}

export type Random = () => number;

/** mulberry32: small, fast, and the same sequence everywhere for a given seed. */
export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

export function address(r: Random, kind: 'public' | 'internal' | 'v6' | 'attack'): string {
  const octet = () => Math.floor(r() * 254) + 1;
  if (kind === 'internal') return `10.${octet()}.${octet()}.${octet()}`;
  if (kind === 'v6') return `2001:db8:${(octet() * 97).toString(16)}::${(octet() * 131).toString(16)}`;
  if (kind === 'attack') return `203.0.${Math.floor(r() * 256)}.${octet()}`;
  return `${pick(r, [81, 88, 91, 176, 185, 198])}.${octet()}.${octet()}.${octet()}`;
}

export const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Grafana/12.1.0',
  'okhttp/4.12.0',
];
const TOOLS = ['python-requests/2.32.3', 'curl/8.8.0', 'Go-http-client/1.1', 'Hydra v9.5', 'masscan/1.3'];

/** A request line; `kind` fills what differs between attacks. */
function line(t: number, ip: string, kind: Pick<Line, 'event' | 'path' | 'status' | 'msg'> & Partial<Line>): Line {
  return { t, ip, user: 'anonymous', method: 'GET', userAgent: 'curl/8.8.0', ...kind };
}

const failedLogin = (user: string, userAgent: string) => ({
  event: 'auth.login.failed',
  method: 'POST',
  path: '/api/v1/auth/login',
  status: 401,
  msg: 'Authentication failed',
  user,
  userAgent,
});

/** Attack lines between `start` and `start + span` (ms), sorted by time. */
export function attackLines(r: Random, start: number, span: number, scale: number): Line[] {
  const out: Line[] = [];
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  const at = () => start + r() * span * 0.8;
  /** `count` lines from `ip`, `gap` ms apart (a random value in the range), while within the log. */
  const series = (
    ip: string,
    from: number,
    count: number,
    gap: [number, number],
    kind: () => Parameters<typeof line>[2]
  ) => {
    for (let k = 0, t = from; k < count && t < start + span; k++, t += gap[0] + r() * (gap[1] - gap[0])) {
      out.push(line(t, ip, kind()));
    }
  };
  for (let i = 0; i < n(40); i++) {
    const ip = address(r, 'attack');
    const from = at();
    const guess = failedLogin(pick(r, ['admin', 'root', 'grafana']), pick(r, TOOLS));
    series(ip, from, 10 + Math.floor(r() * 50), [2000, 15_000], () => guess);
    if (i % 2 === 0) series(ip, from + 65 * 60_000, 20, [2000, 9000], () => failedLogin('admin', 'Hydra v9.5'));
  }
  for (let i = 0; i < n(60); i++) {
    // Low and slow: at most 4 tries in any 10 minutes.
    const ip = address(r, 'public');
    const agent = pick(r, BROWSERS);
    series(ip, at(), 12, [160_000, 240_000], () => failedLogin(`user${Math.floor(r() * 9000)}@example.com`, agent));
  }
  for (let i = 0; i < n(300); i++) {
    const ip = address(r, 'v6');
    series(ip, at(), 1 + Math.floor(r() * 2), [30_000, 90_000], () =>
      failedLogin(`user${i}@example.com`, 'okhttp/4.12.0')
    );
  }
  for (let i = 0; i < n(15); i++) {
    series(address(r, 'attack'), at(), 3 + Math.floor(r() * 18), [1000, 30_000], () => ({
      event: 'admin.operation.unauthorized',
      method: pick(r, ['GET', 'POST', 'DELETE']),
      path: pick(r, ['/api/v1/admin/users', '/api/v1/admin/config', '/api/v1/admin/tokens']),
      status: pick(r, [401, 403]),
      msg: 'Admin operation refused',
    }));
  }
  for (let i = 0; i < n(10); i++) {
    series(address(r, 'attack'), at(), 12 + Math.floor(r() * 30), [5000, 20_000], () => ({
      event: 'http.request',
      path: `/api/v1/items/${Math.floor(r() * 100)}`,
      status: 401,
      msg: 'Invalid bearer token',
      userAgent: 'python-requests/2.32.3',
    }));
  }
  for (let i = 0; i < n(6); i++) {
    const rate = 8 + r() * 12; // requests per second, for one to three minutes
    const flood = { event: 'http.request', path: '/api/v1/items', status: 200, msg: 'request completed' };
    series(address(r, 'attack'), at(), Math.round(rate * (60 + r() * 120)), [500 / rate, 1500 / rate], () => flood);
  }
  for (let i = 0; i < n(25); i++) {
    const scan = { event: 'network.scan.detected', path: '/', status: 400, msg: 'SYN scan on closed ports 22,23,3389' };
    series(address(r, 'attack'), at(), 1 + Math.floor(r() * 3), [500, 5000], () => ({
      ...scan,
      userAgent: 'masscan/1.3',
    }));
  }
  for (let i = 0; i < n(5); i++) {
    // Log injection: the user name carries another "ip"; only the real one may ever be counted.
    series(address(r, 'attack'), at(), 8, [3000, 8000], () => failedLogin('x","ip":"198.51.100.250', 'curl/8.8.0'));
  }
  return out.sort((a, b) => a.t - b.t);
}

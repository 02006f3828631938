/**
 * A realistic JSON-lines API log, generated deterministically (seeded PRNG): ordinary traffic from many clients
 * (Zipf-like volumes, some IPv6, an internal whitelisted range, the odd mistyped password), the attackers of
 * replay-attacks.ts, and a few malformed lines (a line cut short, an empty one). Keys come in the logger's
 * order (time, event, ip, …), which the Fail2ban filter anchors on.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { address, attackLines, BROWSERS, prng, type Line, type Random } from './replay-attacks';

export interface GeneratedLog {
  lines: number;
  attackLines: number;
  malformed: number;
}

const START_MS = Date.UTC(2026, 2, 2, 8, 0, 0);
const ENDPOINTS: [method: string, path: (r: Random) => string, weight: number][] = [
  ['GET', (r) => `/api/v1/items/${Math.floor(r() * 50_000)}`, 40],
  ['GET', () => '/api/v1/items', 15],
  ['GET', (r) => `/api/v1/dashboards/${Math.floor(r() * 400)}`, 15],
  ['GET', () => '/api/v1/users/me', 10],
  ['POST', () => '/api/v1/items', 8],
  ['PUT', (r) => `/api/v1/items/${Math.floor(r() * 50_000)}`, 5],
  ['DELETE', (r) => `/api/v1/items/${Math.floor(r() * 50_000)}`, 2],
  ['GET', () => '/health', 5],
];
const ENDPOINT_WEIGHT = ENDPOINTS.reduce((sum, e) => sum + e[2], 0);
const MALFORMED_EVERY = 200_000;

function render(l: Line, bytes: number): string {
  const s = JSON.stringify;
  return `{"time":"${new Date(l.t).toISOString()}","event":${s(l.event)},"ip":${s(l.ip)},"user":${s(l.user)},"method":"${l.method}","path":${s(l.path)},"status":${l.status},"userAgent":${s(l.userAgent)},"bytes":${bytes},"msg":${s(l.msg)}}\n`;
}

/** Clients with Zipf-like volumes (client k weighs 1/(k+10): the busiest stays far below the flood threshold). */
function clientPicker(r: Random, count: number): () => string {
  const clients = Array.from({ length: count }, (_, k) =>
    address(r, k % 50 === 7 ? 'internal' : k % 20 === 3 ? 'v6' : 'public')
  );
  const cumulative = new Float64Array(count);
  clients.reduce((sum, _, k) => (cumulative[k] = sum + 1 / (k + 10)), 0);
  const total = cumulative[count - 1] as number;
  return () => {
    const x = r() * total;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return clients[lo] as string;
  };
}

/** One ordinary request (1.2% are logins, 15% of which fail). */
function ordinary(r: Random, t: number, ip: string): [Line, number] {
  const user = `user${(ip.length * 7919 + ip.charCodeAt(ip.length - 1) * 31) % 9000}`;
  const userAgent = BROWSERS[ip.charCodeAt(ip.length - 2) % BROWSERS.length] as string;
  if (r() < 0.012) {
    const failed = r() < 0.15;
    const event = failed ? 'auth.login.failed' : 'auth.login.success';
    const msg = failed ? 'Authentication failed' : 'Authentication succeeded';
    return [
      { t, ip, user, userAgent, event, method: 'POST', path: '/api/v1/auth/login', status: failed ? 401 : 200, msg },
      180,
    ];
  }
  let x = r() * ENDPOINT_WEIGHT;
  const [method, path] = ENDPOINTS.find((e) => (x -= e[2]) < 0) ?? (ENDPOINTS[0] as (typeof ENDPOINTS)[number]);
  const roll = r();
  const status = roll < 0.02 ? 404 : roll < 0.023 ? 401 : roll < 0.025 ? 500 : method === 'POST' ? 201 : 200;
  const line = {
    t,
    ip,
    user,
    userAgent,
    event: 'http.request',
    method,
    path: path(r),
    status,
    msg: 'request completed',
  };
  return [line, 200 + Math.floor(r() * 8000)];
}

/** Writes about `lines` lines (~150 per second of log time) to `file`; the same seed gives the same bytes. */
export function generateReplayLog(file: string, lines: number, seed = 20260302): GeneratedLog {
  const r = prng(seed);
  const span = Math.max(600_000, (lines / 150) * 1000);
  const attacks = attackLines(r, START_MS, span, lines / 1_000_000);
  const client = clientPicker(r, Math.max(200, Math.round(lines / 50)));
  const normal = Math.max(0, lines - attacks.length - 2 * Math.floor(lines / MALFORMED_EVERY));
  const fd = openSync(file, 'w');
  let buffer = '';
  const out = { lines: 0, attackLines: attacks.length, malformed: 0 };
  const emit = (text: string) => {
    buffer += text;
    out.lines++;
    if (buffer.length >= 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  let next = 0;
  for (let i = 0; i < normal; i++) {
    const t = START_MS + Math.floor((i * span) / normal);
    while (next < attacks.length && (attacks[next] as Line).t <= t) emit(render(attacks[next++] as Line, 310));
    if (i % MALFORMED_EVERY === MALFORMED_EVERY >> 1) {
      emit(`${render(ordinary(r, t, client())[0], 1).slice(0, 60)}\n`); // cut short, as by a crash mid-write
      emit('\n');
      out.malformed += 2;
    }
    emit(render(...ordinary(r, t, client())));
  }
  while (next < attacks.length) emit(render(attacks[next++] as Line, 310));
  writeSync(fd, buffer);
  closeSync(fd);
  return out;
}

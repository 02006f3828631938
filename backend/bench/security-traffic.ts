/**
 * Realistic batches for the live ingest bench: mostly ordinary requests from a large pool of clients, with a few
 * attackers per batch (failed logins, refused admin calls, a port scan) who get banned and whose later events are
 * blocked. Deterministic but for the time stamps, which are "now" when a batch is made (the rules count windows in
 * event time).
 */

const BENIGN_POOL = 50_000;
const PATHS = ['/', '/api/v1/items', '/api/v1/items/42', '/login', '/static/app.js', '/api/v1/search?q=x'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'curl/8.5.0', 'okhttp/4.12.0'];

/** 100.64.0.0/10 (shared address space) for clients, 198.18.0.0/15 (benchmarking) for attackers. */
const benign = (n: number) => `100.64.${(n >> 8) & 255}.${n & 255}`;
const attacker = (n: number) => `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;

export interface TrafficMix {
  /** Events per batch. */
  size: number;
  /** New attackers per batch, each sending enough failures to be banned, then more (blocked). */
  attackersPerBatch: number;
}

export class TrafficGenerator {
  private batch = 0;
  private nextBenign = 0;
  private nextAttacker = 0;

  constructor(private readonly mix: TrafficMix) {}

  /** The next batch as a JSON body, its events stamped with the current time. */
  next(): string {
    const time = new Date().toISOString();
    const { size, attackersPerBatch } = this.mix;
    const parts: string[] = [];
    const attackers = Array.from({ length: attackersPerBatch }, () => attacker(this.nextAttacker++ % 131_072));
    // An earlier batch's attackers come back (their events are blocked now).
    const returning = this.batch > 0 ? attacker((this.nextAttacker - attackersPerBatch - 1 + 131_072) % 131_072) : null;
    let i = 0;
    const push = (event: Record<string, unknown>) => {
      parts.push(JSON.stringify({ time, ...event }));
      i++;
    };
    attackers.forEach((ip, a) => {
      const kind = (this.batch + a) % 3;
      if (kind === 0) {
        for (let k = 0; k < 6; k++)
          push({ event: 'auth.login.failed', ip, user: `admin${k}`, method: 'POST', path: '/login', status: 401 });
      } else if (kind === 1) {
        for (let k = 0; k < 4; k++)
          push({ event: 'http.request', ip, method: 'DELETE', path: '/api/v1/admin/users/1', status: 403 });
      } else {
        push({ event: 'network.scan.detected', ip, msg: 'SYN scan of 1024 ports' });
      }
    });
    if (returning !== null)
      for (let k = 0; k < 10; k++)
        push({ event: 'http.request', ip: returning, method: 'GET', path: '/', status: 200 });
    while (i < size) {
      const n = this.nextBenign++ % BENIGN_POOL;
      // Rare enough that no client reaches a threshold: 2 failed logins per 1,000 requests.
      const r = (n * 7 + this.batch * 13) % 1000;
      if (r < 2)
        push({
          event: 'auth.login.failed',
          ip: benign(n),
          user: `user${n}`,
          method: 'POST',
          path: '/login',
          status: 401,
        });
      else if (r < 40)
        push({
          event: 'auth.login.success',
          ip: benign(n),
          user: `user${n}`,
          method: 'POST',
          path: '/login',
          status: 200,
        });
      else {
        push({
          event: 'http.request',
          ip: benign(n),
          method: 'GET',
          path: PATHS[r % PATHS.length],
          status: r < 80 ? 404 : 200,
          userAgent: AGENTS[r % AGENTS.length],
          bytes: 512 + r * 37,
        });
      }
    }
    this.batch++;
    return `[${parts.join(',')}]`;
  }
}

/**
 * The security metrics, on the app's registry. Labels stay bounded: event types are the known ones and the rules'
 * (others are `other`), rules come from the configuration, and addresses (http_requests_blocked_total, as the
 * seeds' "top blocked IPs" panel wants them) are capped: the first `maxIpLabels` addresses get a series of their
 * own, the rest share `other`.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export const DEFAULT_MAX_IP_LABELS = 100;
const DAY_MS = 86_400_000;
const BUCKET_MS = 60_000;

/** A count over the last 24 hours, in one-minute buckets. */
export class DayCount {
  private readonly buckets = new Float64Array(DAY_MS / BUCKET_MS);
  private lastBucket = -1;

  add(count: number, now: number = Date.now()): void {
    this.advance(now);
    const i = Math.floor(now / BUCKET_MS) % this.buckets.length;
    this.buckets[i] = (this.buckets[i] as number) + count;
  }

  total(now: number = Date.now()): number {
    this.advance(now);
    let sum = 0;
    for (const value of this.buckets) sum += value;
    return sum;
  }

  private advance(now: number): void {
    const bucket = Math.floor(now / BUCKET_MS);
    if (this.lastBucket === -1) this.lastBucket = bucket;
    const steps = Math.min(this.buckets.length, bucket - this.lastBucket);
    for (let s = 1; s <= steps; s++) this.buckets[(this.lastBucket + s) % this.buckets.length] = 0;
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }
}

/** The first `max` values keep their own label; later ones are `other`. */
export class CappedLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

export interface SecurityMetrics {
  authFailed: Counter;
  requestsBlocked: Counter<'ip'>;
  autoBlocks: Counter<'rule'>;
  events: Counter<'type' | 'severity'>;
  ipLabels: CappedLabels;
  suspicious: DayCount;
}

export interface SecurityMetricsSources {
  /** Bans in force and addresses banned in the last 24 hours, all processes (read at scrape time). */
  banCounts(): Promise<{ active: number; blockedIps24h: number }>;
}

export function registerSecurityMetrics(
  registry: Registry,
  sources: SecurityMetricsSources,
  maxIpLabels = DEFAULT_MAX_IP_LABELS
): SecurityMetrics {
  const registers = [registry];
  const suspicious = new DayCount();
  // One query serves both gauges of a scrape.
  let counts: Promise<{ active: number; blockedIps24h: number } | undefined> | undefined;
  const readCounts = () => {
    counts ??= sources
      .banCounts()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (counts = undefined)));
    return counts;
  };
  new Gauge({
    name: 'soar_active_bans',
    help: 'Bans in force (addresses and CIDR blocks), all backend processes, read from the database at scrape time',
    registers,
    async collect() {
      const value = await readCounts();
      if (value !== undefined) this.set(value.active);
    },
  });
  new Gauge({
    name: 'security_events_blocked_ips_24h',
    help: 'Addresses and blocks banned at any moment of the last 24 hours, all backend processes',
    registers,
    async collect() {
      const value = await readCounts();
      if (value !== undefined) this.set(value.blockedIps24h);
    },
  });
  new Gauge({
    name: 'security_events_suspicious_activities',
    help: 'Security-relevant events (severity above info) this process took in over the last 24 hours',
    registers,
    collect() {
      this.set(suspicious.total());
    },
  });
  return {
    authFailed: new Counter({
      name: 'http_auth_failed_total',
      help: 'Requests to this API refused with 401 (missing or invalid bearer token)',
      registers,
    }),
    requestsBlocked: new Counter({
      name: 'http_requests_blocked_total',
      help: `Ingested requests from banned addresses, by address (the first ${maxIpLabels} addresses; the rest as "other")`,
      labelNames: ['ip'],
      registers,
    }),
    autoBlocks: new Counter({
      name: 'soar_auto_blocks_total',
      help: 'Bans decided by the auto-blocker, by rule',
      labelNames: ['rule'],
      registers,
    }),
    events: new Counter({
      name: 'security_events_total',
      help: 'Security events ingested, by type (known and rule types; others as "other") and severity',
      labelNames: ['type', 'severity'],
      registers,
    }),
    ipLabels: new CappedLabels(maxIpLabels),
    suspicious,
  };
}

/**
 * Security events per type per time bucket: the time series behind "events per type over time" (the app's Overview,
 * a Grafana data source). Counted and zero-filled in SQL, so a range of any size costs one grouped scan of the
 * security_events_time index and the answer has every bucket of every type present in the range.
 */
import { BadRequestError } from '../errors';
import type { Queryable } from '../db';

/** More buckets than a chart has pixels for is a mistake of the caller (or a way to make the server work). */
export const MAX_SERIES_BUCKETS = 1_000;
/** When no interval is given: the smallest of these that gives at most DEFAULT_BUCKETS buckets. */
const NICE_INTERVALS = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400];
const DEFAULT_BUCKETS = 100;

export interface SeriesPoint {
  /** Start of the bucket (ISO 8601, UTC). */
  time: string;
  count: number;
}

export interface TypeSeries {
  type: string;
  /** Events of the type in the whole range. */
  total: number;
  points: SeriesPoint[];
}

export interface EventSeries {
  from: string;
  to: string;
  intervalSeconds: number;
  series: TypeSeries[];
}

/** The interval to use: the one asked for, else a round one giving about DEFAULT_BUCKETS buckets. */
export function seriesInterval(from: Date, to: Date, interval?: number): number {
  if (interval !== undefined) return interval;
  const rangeSeconds = (to.getTime() - from.getTime()) / 1000;
  return (
    NICE_INTERVALS.find((step) => rangeSeconds / step <= DEFAULT_BUCKETS) ??
    Math.ceil(rangeSeconds / DEFAULT_BUCKETS / 86_400) * 86_400
  );
}

/**
 * Buckets start at whole multiples of the interval since the Unix epoch (UTC), so that two requests over
 * overlapping ranges (a refreshing chart) agree on them; the first and last bucket may start before `from` or end
 * after `to`, but only events in [from, to] are counted.
 */
export function bucketCount(from: Date, to: Date, intervalSeconds: number): number {
  const first = Math.floor(from.getTime() / 1000 / intervalSeconds);
  const last = Math.floor(to.getTime() / 1000 / intervalSeconds);
  return last - first + 1;
}

/** Counts per type per bucket of `intervalSeconds` over [from, to]; 400 when that makes too many buckets. */
export async function eventSeries(db: Queryable, from: Date, to: Date, intervalSeconds: number): Promise<EventSeries> {
  if (from > to) throw new BadRequestError('from must not be after to');
  const buckets = bucketCount(from, to, intervalSeconds);
  if (buckets > MAX_SERIES_BUCKETS) {
    throw new BadRequestError(
      `from ${from.toISOString()} to ${to.toISOString()} in intervals of ${intervalSeconds} s makes ${buckets} ` +
        `buckets; at most ${MAX_SERIES_BUCKETS}: widen the interval or narrow the range`
    );
  }
  // Bucket numbers (epoch seconds / interval, floored) rather than date_bin(), which PostgreSQL has only since 14.
  const bucketOf = (t: string) => `floor(extract(epoch FROM ${t}) / $3::int8)::int8`;
  const { rows } = await db.query<{ type: string; total: number; time: string; count: number }>(
    `WITH counts AS (
       SELECT type, ${bucketOf('"time"')} AS bucket, count(*)::int8 AS n
         FROM security_events
        WHERE "time" >= $1::timestamptz AND "time" <= $2::timestamptz
        GROUP BY 1, 2
     ), types AS (
       SELECT type, sum(n)::int8 AS total FROM counts GROUP BY 1
     ), buckets AS (
       SELECT generate_series(${bucketOf('$1::timestamptz')}, ${bucketOf('$2::timestamptz')}) AS bucket
     )
     SELECT t.type, t.total,
            to_char(to_timestamp(b.bucket * $3::int8) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "time",
            coalesce(c.n, 0)::int8 AS count
       FROM types t CROSS JOIN buckets b LEFT JOIN counts c ON c.type = t.type AND c.bucket = b.bucket
      ORDER BY t.total DESC, t.type, b.bucket`,
    [from.toISOString(), to.toISOString(), intervalSeconds]
  );
  const series: TypeSeries[] = [];
  for (const { type, total, time, count } of rows) {
    let current = series.at(-1);
    if (current?.type !== type) {
      current = { type, total, points: [] };
      series.push(current);
    }
    current.points.push({ time, count });
  }
  return { from: from.toISOString(), to: to.toISOString(), intervalSeconds, series };
}

import { createDataFrame, DataFrameType, FieldType, type DataFrame } from '@grafana/data';

/**
 * Event counts per type over time, as `GET /api/security/stats/series?from&to&interval` answers them
 * (`interval` in seconds, every bucket present, zeros included). The route is newer than the backend schemas this
 * plugin imports its other payload types from, so its answer is checked here, in one place, rather than trusted.
 */
export interface EventCountSeries {
  intervalSeconds: number;
  series: Array<{ type: string; points: Array<{ time: number; count: number }> }>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function toMillis(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Checks and normalises an answer of the series route (times to epoch milliseconds); throws on another shape. */
export function decodeEventCountSeries(data: unknown): EventCountSeries {
  const bad = (what: string) => new Error(`Unexpected answer of /api/security/stats/series: ${what}`);
  if (!isObject(data) || !Array.isArray(data.series)) {
    throw bad('no "series" list');
  }
  const intervalSeconds = typeof data.intervalSeconds === 'number' ? data.intervalSeconds : 0;
  const series = data.series.map((entry, i) => {
    if (!isObject(entry) || typeof entry.type !== 'string' || !Array.isArray(entry.points)) {
      throw bad(`series ${i} has no "type" and "points"`);
    }
    const points = entry.points.map((point, j) => {
      const at = isObject(point) ? toMillis(point.time) : undefined;
      if (!isObject(point) || at === undefined || typeof point.count !== 'number') {
        throw bad(`point ${j} of "${entry.type}" has no "time" and "count"`);
      }
      return { time: at, count: point.count };
    });
    return { type: entry.type, points };
  });
  return { intervalSeconds, series };
}

/** One frame per event type (Time, then the count labelled with its type): what a time series panel draws as is. */
export function eventCountFrames(refId: string, { intervalSeconds, series }: EventCountSeries): DataFrame[] {
  return series.map(({ type, points }) =>
    createDataFrame({
      refId,
      name: type,
      meta: { type: DataFrameType.TimeSeriesMulti },
      fields: [
        {
          name: 'Time',
          type: FieldType.time,
          values: points.map((p) => p.time),
          config: intervalSeconds > 0 ? { interval: intervalSeconds * 1000 } : {},
        },
        {
          name: 'Events',
          type: FieldType.number,
          values: points.map((p) => p.count),
          labels: { type },
          config: { displayNameFromDS: type, decimals: 0, unit: 'short' },
        },
      ],
    })
  );
}

/**
 * The bucket width for a panel: Grafana's own interval for the range and the panel's width (`intervalMs`), widened
 * so that no more buckets than `maxDataPoints` are asked for; whole seconds, at least one.
 */
export function bucketSeconds(fromMs: number, toMs: number, intervalMs?: number, maxDataPoints?: number): number {
  const byInterval = intervalMs && intervalMs > 0 ? intervalMs / 1000 : 60;
  const byPoints = maxDataPoints && maxDataPoints > 0 ? (toMs - fromMs) / 1000 / maxDataPoints : 0;
  return Math.max(1, Math.ceil(Math.max(byInterval, byPoints)));
}

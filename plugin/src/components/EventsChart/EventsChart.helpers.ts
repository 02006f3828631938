import {
  FieldColorModeId,
  FieldType,
  dateTime,
  toDataFrame,
  type DataFrame,
  type FieldConfig,
  type TimeRange,
} from '@grafana/data';
// From @grafana/ui, which Grafana shares with plugins, rather than @grafana/schema, which would be bundled.
import { BarAlignment, DrawStyle, PointVisibility, StackingMode } from '@grafana/ui';
import type { SecuritySeries } from '../../api/types';

/** Stacked bars, one colour per type: how a dashboard's time series panel would draw counts per bucket. */
const COUNT_CONFIG: FieldConfig = {
  unit: 'short',
  decimals: 0,
  min: 0,
  color: { mode: FieldColorModeId.PaletteClassic },
  custom: {
    drawStyle: DrawStyle.Bars,
    // A bucket's count is for the interval that starts at its time.
    barAlignment: BarAlignment.After,
    barWidthFactor: 0.8,
    fillOpacity: 80,
    lineWidth: 1,
    showPoints: PointVisibility.Never,
    stacking: { mode: StackingMode.Normal, group: 'A' },
  },
};

/** One frame: the bucket times, then one count field per event type (the backend gives every bucket to each). */
export function seriesToFrame({ series }: SecuritySeries): DataFrame {
  const times = (series[0]?.points ?? []).map((point) => Date.parse(point.time));
  return toDataFrame({
    name: 'Events per type',
    fields: [
      { name: 'Time', type: FieldType.time, values: times, config: {} },
      ...series.map(({ type, points }) => ({
        name: type,
        type: FieldType.number,
        values: points.map((point) => point.count),
        config: COUNT_CONFIG,
      })),
    ],
  });
}

/**
 * The range the chart spans: whole buckets, from the start of the first to the end of the last, so that each bar
 * (drawn after its bucket's start) shows whole and quiet stretches show as empty buckets.
 */
export function seriesTimeRange({ from, to, intervalSeconds, series }: SecuritySeries): TimeRange {
  const points = series[0]?.points ?? [];
  const first = points[0];
  const last = points[points.length - 1];
  const range =
    first && last
      ? { from: dateTime(first.time), to: dateTime(Date.parse(last.time) + intervalSeconds * 1000) }
      : { from: dateTime(from), to: dateTime(to) };
  return { ...range, raw: range };
}

/**
 * A number that changes only when the chart's structure does (the types drawn, the number of buckets): a 32-bit
 * FNV-1a hash of it, never 0 (GraphNG rebuilds at every update without one). Without it the chart rebuilds itself at
 * every refresh, which drops the tooltip under the pointer; with it new counts only update the data.
 */
export function structureRev({ series }: SecuritySeries): number {
  const structure = `${series.map((s) => s.type).join('\n')}\n${series[0]?.points.length ?? 0}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < structure.length; i++) {
    hash = Math.imul(hash ^ structure.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) | 1;
}

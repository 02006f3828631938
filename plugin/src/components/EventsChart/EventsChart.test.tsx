import React from 'react';
import { render, screen } from '@testing-library/react';
import { FieldType } from '@grafana/data';
import type { SecuritySeries } from '../../api/types';
import EventsChart from './EventsChart';
import { seriesTimeRange, seriesToFrame, structureRev } from './EventsChart.helpers';

const SERIES: SecuritySeries = {
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-03-01T00:30:00.000Z',
  intervalSeconds: 900,
  series: [
    {
      type: 'auth.login.failed',
      total: 5,
      points: [
        { time: '2026-03-01T00:00:00Z', count: 2 },
        { time: '2026-03-01T00:15:00Z', count: 0 },
        { time: '2026-03-01T00:30:00Z', count: 3 },
      ],
    },
    {
      type: 'network.scan.detected',
      total: 1,
      points: [
        { time: '2026-03-01T00:00:00Z', count: 0 },
        { time: '2026-03-01T00:15:00Z', count: 1 },
        { time: '2026-03-01T00:30:00Z', count: 0 },
      ],
    },
  ],
};

afterEach(() => jest.restoreAllMocks());

test('one frame: the bucket times, then a count field per type, drawn as stacked bars', () => {
  const frame = seriesToFrame(SERIES);
  expect(frame.length).toBe(3);
  expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
    ['Time', FieldType.time],
    ['auth.login.failed', FieldType.number],
    ['network.scan.detected', FieldType.number],
  ]);
  expect(frame.fields[0].values).toEqual([
    Date.parse('2026-03-01T00:00:00Z'),
    Date.parse('2026-03-01T00:15:00Z'),
    Date.parse('2026-03-01T00:30:00Z'),
  ]);
  expect(frame.fields[1].values).toEqual([2, 0, 3]);
  expect(frame.fields[2].config.custom).toMatchObject({ drawStyle: 'bars', stacking: { mode: 'normal' } });
  const range = seriesTimeRange(SERIES);
  // Whole buckets: to the end of the last one (00:30 + 15 min).
  expect([range.from.valueOf(), range.to.valueOf()]).toEqual([
    Date.parse('2026-03-01T00:00:00Z'),
    Date.parse('2026-03-01T00:45:00Z'),
  ]);
});

test('no series: an empty frame of times, over the range asked for', () => {
  const empty = { ...SERIES, series: [] };
  expect(seriesToFrame(empty).fields.map((f) => f.name)).toEqual(['Time']);
  expect(seriesTimeRange(empty).to.valueOf()).toBe(Date.parse(SERIES.to));
});

test('the structure revision changes with the types and the number of buckets, not with the counts', () => {
  const rev = structureRev(SERIES);
  expect(rev).not.toBe(0);
  const recounted = SERIES.series.map((s) => ({ ...s, points: s.points.map((p) => ({ ...p, count: p.count + 1 })) }));
  expect(structureRev({ ...SERIES, series: recounted })).toBe(rev);
  expect(structureRev({ ...SERIES, series: SERIES.series.slice(0, 1) })).not.toBe(rev);
  const longer = SERIES.series.map((s) => ({
    ...s,
    points: [...s.points, { time: '2026-03-01T00:45:00Z', count: 0 }],
  }));
  expect(structureRev({ ...SERIES, series: longer })).not.toBe(rev);
});

test('draws the chart with a legend naming each type', () => {
  // jsdom lays nothing out: give the container the width a browser would.
  jest.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(600);
  render(<EventsChart series={SERIES} />);
  expect(screen.getByText('auth.login.failed')).toBeInTheDocument();
  expect(screen.getByText('network.scan.detected')).toBeInTheDocument();
});

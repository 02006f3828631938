import React, { lazy, Suspense } from 'react';
import { LoadingPlaceholder } from '@grafana/ui';
import { QueryError } from '../../components/QueryError/QueryError';
import { useEventSeries } from '../../data/useEventSeries';
import { NoEvents } from './NoEvents';

// The chart (uPlot through @grafana/ui) is loaded after the page's numbers.
const EventsChart = lazy(() => import('../../components/EventsChart/EventsChart'));

interface Props {
  windowSeconds: number;
  refetchInterval: number | false;
}

/** Events per type over the window, as stacked bars per time bucket. */
export function EventsOverTime({ windowSeconds, refetchInterval }: Props) {
  const { data, error, isLoading, refetch } = useEventSeries(windowSeconds, refetchInterval);
  if (isLoading) {
    return <LoadingPlaceholder text="Loading events over time…" />;
  }
  if (error) {
    return <QueryError title="Could not load the events over time" error={error} onRetry={() => refetch()} />;
  }
  if (!data || data.series.length === 0) {
    return <NoEvents message="No security events in the last 24 hours" />;
  }
  return (
    <Suspense fallback={<LoadingPlaceholder text="Loading the chart…" />}>
      <EventsChart series={data} />
    </Suspense>
  );
}

import React, { useMemo, type ComponentProps } from 'react';
import { applyFieldOverrides } from '@grafana/data';
import { LegendDisplayMode, TimeSeries, TooltipPlugin2, useTheme2, type VizLegendOptions } from '@grafana/ui';
import type { SecuritySeries } from '../../api/types';
import { useElementWidth } from '../../utils/useElementWidth';
import { BucketTooltip } from './BucketTooltip';
import { seriesTimeRange, seriesToFrame, structureRev } from './EventsChart.helpers';

interface Props {
  series: SecuritySeries;
  height?: number;
}

const LEGEND: VizLegendOptions = {
  showLegend: true,
  displayMode: LegendDisplayMode.List,
  placement: 'bottom',
  calcs: [],
};

/**
 * TooltipHoverMode.xAll: every series at the hovered time. @grafana/ui declares the enum `const` and does not export
 * it, so its value is written here.
 */
const HOVER_ALL_SERIES = 1 as ComponentProps<typeof TooltipPlugin2>['hoverMode'];

/**
 * Events per type over time as stacked bars, drawn by @grafana/ui's TimeSeries (the uPlot chart behind the time
 * series panel), which Grafana shares with plugins. Default export: a lazy target, so the page draws without it.
 */
export default function EventsChart({ series, height = 260 }: Props) {
  const theme = useTheme2();
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const frames = useMemo(
    // Display processors, colours and series indexes, as a panel's data gets them (field config on the fields).
    () =>
      applyFieldOverrides({
        data: [seriesToFrame(series)],
        fieldConfig: { defaults: {}, overrides: [] },
        replaceVariables: (value) => value,
        theme,
        timeZone: 'browser',
      }),
    [series, theme]
  );
  const timeRange = useMemo(() => seriesTimeRange(series), [series]);
  return (
    <div ref={ref} data-testid="events-chart">
      {width > 0 && (
        <TimeSeries
          frames={frames}
          timeRange={timeRange}
          timeZone="browser"
          width={width}
          height={height}
          legend={LEGEND}
          structureRev={structureRev(series)}
        >
          {(config, alignedFrame) => (
            <TooltipPlugin2
              config={config}
              hoverMode={HOVER_ALL_SERIES}
              render={(_plot, dataIdxs) => (
                <BucketTooltip frame={alignedFrame} index={dataIdxs[0]} intervalSeconds={series.intervalSeconds} />
              )}
            />
          )}
        </TimeSeries>
      )}
    </div>
  );
}

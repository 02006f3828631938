/**
 * Panel and query factories with the defaults every Cartae panel shares (legend visible, shared tooltip, thin
 * lines), so a dashboard file says only what is particular to each panel.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  SpecialValueMatch,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { LOKI, PROMETHEUS } from './common';

interface QueryOptions {
  /** Legend template, e.g. `{{route}}`; labels it names must exist on the series. */
  legend?: string;
  /** One value at the end of the range (stat, gauge, pie, table) instead of a series. */
  instant?: boolean;
}

export function promQuery(
  expr: string,
  options: QueryOptions & { format?: 'table' | 'heatmap' } = {}
): prometheus.DataqueryBuilder {
  const query = new prometheus.DataqueryBuilder().datasource(PROMETHEUS).expr(expr);
  if (options.legend !== undefined) query.legendFormat(options.legend);
  if (options.instant) query.instant();
  else query.range();
  if (options.format === 'table') query.format(prometheus.PromQueryFormat.Table);
  if (options.format === 'heatmap') query.format(prometheus.PromQueryFormat.Heatmap);
  return query;
}

export function lokiQuery(expr: string, options: QueryOptions = {}): loki.DataqueryBuilder {
  const query = new loki.DataqueryBuilder().datasource(LOKI).expr(expr);
  if (options.legend !== undefined) query.legendFormat(options.legend);
  // Loki has no instant log queries: an instant query is a metric query evaluated once, at the range's end.
  query.queryType(options.instant ? 'instant' : 'range');
  return query;
}

/** Series whose display name matches `regex` drawn below the axis: reads above, writes below, in one panel. */
export const belowAxis = (regex: string) => ({
  matcher: { id: 'byRegexp', options: regex },
  properties: [{ id: 'custom.transform', value: 'negative-Y' }],
});

/** Absolute thresholds: the base colour, then `[from, colour]` steps in increasing order. */
export function thresholds(base: string, ...steps: [number, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Text and colour for chosen values, and for "no data yet". */
export function valueText(values: Record<string, [string, string]>, whenNull?: [string, string]): ValueMapping[] {
  const mappings: ValueMapping[] = [
    {
      type: MappingType.ValueToText,
      options: Object.fromEntries(
        Object.entries(values).map(([value, [text, color]], index) => [value, { text, color, index }])
      ),
    },
  ];
  if (whenNull) {
    const [text, color] = whenNull;
    mappings.push({
      type: MappingType.SpecialValue,
      options: { match: SpecialValueMatch.Null, result: { text, color } },
    });
  }
  return mappings;
}

const legend = () =>
  new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .calcs([]);

const tooltip = () =>
  new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending);

const lastValue = (calc = 'lastNotNull') => new common.ReduceDataOptionsBuilder().calcs([calc]).values(false);

/** A time series whose values are never negative (rates, sizes, ratios): the axis starts at 0. */
export function timeSeries(title: string, description: string, unit: string): timeseries.PanelBuilder {
  return mirroredTimeSeries(title, description, unit).min(0);
}

/** A time series with some series drawn below the axis (see `belowAxis`), so no minimum. */
export function mirroredTimeSeries(title: string, description: string, unit: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .legend(legend())
    .tooltip(tooltip())
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .height(8)
    .span(12);
}

/** Series stacked on each other (parts of one total, e.g. responses by status). */
export function stackedTimeSeries(title: string, description: string, unit: string): timeseries.PanelBuilder {
  return timeSeries(title, description, unit)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'))
    .fillOpacity(40);
}

/** A threshold drawn as a dashed line: where the alert of the same name fires. */
export function withThresholdLine(panel: timeseries.PanelBuilder): timeseries.PanelBuilder {
  return panel.thresholdsStyle(
    new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)
  );
}

export function statPanel(title: string, description: string, unit: string, calc = 'lastNotNull'): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .reduceOptions(lastValue(calc))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .textMode(common.BigValueTextMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .height(4)
    .span(4);
}

export function gaugePanel(title: string, description: string, unit: string, min: number, max: number) {
  return new gauge.PanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .min(min)
    .max(max)
    .reduceOptions(lastValue())
    .showThresholdMarkers(true)
    .showThresholdLabels(false)
    .height(8)
    .span(6);
}

export function pieChart(title: string, description: string, unit: string): piechart.PanelBuilder {
  return new piechart.PanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .pieType(piechart.PieChartType.Donut)
    .displayLabels([piechart.PieChartLabels.Percent])
    .reduceOptions(lastValue())
    .legend(
      new piechart.PieChartLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .values([piechart.PieChartLegendValues.Value, piechart.PieChartLegendValues.Percent])
        .calcs([])
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Single).sort(common.SortOrder.None))
    .height(8)
    .span(8);
}

export function tablePanel(title: string, description: string): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(title)
    .description(description)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .footer(new common.TableFooterOptionsBuilder().show(false).reducer(['sum']).countRows(false))
    .height(8)
    .span(8);
}

export function logsPanel(title: string, description: string): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .title(title)
    .description(description)
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .height(10)
    .span(24);
}

/** A heatmap of a Prometheus histogram's buckets (already bucketed: Grafana must not re-bucket). */
export function histogramHeatmap(title: string, description: string, unit: string): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(title)
    .description(description)
    .calculate(false)
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .fill('dark-orange')
        .steps(64)
        .reverse(false)
    )
    .yAxis(new heatmap.YAxisConfigBuilder().unit(unit).axisPlacement(common.AxisPlacement.Left))
    .cellGap(1)
    .showValue(common.VisibilityMode.Never)
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true))
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .height(8)
    .span(12);
}

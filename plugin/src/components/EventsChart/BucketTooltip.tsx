import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, FieldType, type DataFrame, type GrafanaTheme2 } from '@grafana/data';
import { SeriesTable, useStyles2, type SeriesTableRowProps } from '@grafana/ui';

interface Props {
  frame: DataFrame;
  /** The hovered bucket's row in `frame`. */
  index: number | null | undefined;
  intervalSeconds: number;
}

/** The counts of every type in the hovered bucket, most first, under the bucket's time span. */
export function BucketTooltip({ frame, index, intervalSeconds }: Props) {
  const styles = useStyles2(getStyles);
  const time = frame.fields.find((field) => field.type === FieldType.time);
  if (index === null || index === undefined || !time) {
    return null;
  }
  const start = Number(time.values[index]);
  const rows: SeriesTableRowProps[] = frame.fields
    .filter((field) => field.type === FieldType.number)
    .map((field) => {
      const value = Number(field.values[index] ?? 0);
      return { label: field.name, value: String(value), color: field.display?.(value).color, count: value };
    })
    .sort((a, b) => b.count - a.count)
    .map(({ count: _count, ...row }) => row);
  const format = (ms: number) => dateTimeFormat(ms, { format: 'YYYY-MM-DD HH:mm' });
  return (
    <div className={styles.tooltip}>
      <SeriesTable timestamp={`${format(start)} – ${format(start + intervalSeconds * 1000)}`} series={rows} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({
    padding: theme.spacing(1),
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z2,
  }),
});

import React, { type ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { RefreshPicker, useStyles2 } from '@grafana/ui';
import { useRefreshOverview } from '../../data/useRefreshOverview';
import { EventsOverTime } from './EventsOverTime';
import { OverviewStats } from './OverviewStats';
import { RecentEvents } from './RecentEvents';
import { TopAddresses } from './TopAddresses';
import { REFRESH_INTERVALS, useRefreshParam } from './useRefreshParam';

/** The counts, chart and top addresses cover the last 24 hours, ending at each refresh. */
const DAY_SECONDS = 86_400;

// Default export: a lazy route target of App.tsx.
export default function OverviewPage() {
  const styles = useStyles2(getStyles);
  const { value, intervalMs, setValue } = useRefreshParam();
  const { refresh, isRefreshing } = useRefreshOverview();
  const panel = (title: string, body: ReactNode) => (
    <section className={styles.panel} aria-label={title}>
      <h3 className={styles.title}>{title}</h3>
      {body}
    </section>
  );

  return (
    <PluginPage>
      <div className={styles.toolbar}>
        <span className={styles.window}>Counts over the last 24 hours</span>
        <RefreshPicker
          value={value}
          intervals={REFRESH_INTERVALS}
          onIntervalChanged={setValue}
          onRefresh={refresh}
          isLoading={isRefreshing}
          tooltip="Refresh now"
          text="Refresh"
        />
      </div>
      <OverviewStats windowSeconds={DAY_SECONDS} refetchInterval={intervalMs} />
      <div className={styles.row}>
        {panel('Events per type (24 h)', <EventsOverTime windowSeconds={DAY_SECONDS} refetchInterval={intervalMs} />)}
        {panel(
          'Top attacking addresses (24 h)',
          <TopAddresses windowSeconds={DAY_SECONDS} refetchInterval={intervalMs} />
        )}
      </div>
      {panel('Recent security events', <RecentEvents refetchInterval={intervalMs} />)}
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 1fr)',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
    [theme.breakpoints.down('lg')]: { gridTemplateColumns: 'minmax(0, 1fr)' },
  }),
  panel: css({
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.primary,
    minWidth: 0,
  }),
  toolbar: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
  window: css({ color: theme.colors.text.secondary }),
  title: css({ marginBottom: theme.spacing(2) }),
});

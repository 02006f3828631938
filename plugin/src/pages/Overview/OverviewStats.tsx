import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { QueryError } from '../../components/QueryError/QueryError';
import { StatCard } from '../../components/StatCard/StatCard';
import { PLUGIN_BASE_URL, ROUTES } from '../../constants';
import { useAuditIntegrity } from '../../data/useAuditIntegrity';
import { useSecurityStats } from '../../data/useSecurityStats';
import { failedLogins, integritySummary, suspiciousActivities } from './overviewSummary';

interface Props {
  windowSeconds: number;
  refetchInterval: number | false;
}

const bannedRecently = (count: number) =>
  `${count.toLocaleString()} ${count === 1 ? 'address' : 'addresses'} banned in the last 24 hours`;
const bansLink = { href: `${PLUGIN_BASE_URL}/${ROUTES.Bans}`, label: 'Open the bans' };
const auditLink = { href: `${PLUGIN_BASE_URL}/${ROUTES.Audit}`, label: 'Open the audit log' };

/** The headline numbers: bans in force, failed logins, suspicious activities, and the audit trail's integrity. */
export function OverviewStats({ windowSeconds, refetchInterval }: Props) {
  const styles = useStyles2(getStyles);
  const stats = useSecurityStats(windowSeconds, refetchInterval);
  const integrity = useAuditIntegrity(refetchInterval);
  const count = (value: (data: NonNullable<typeof stats.data>) => number) =>
    stats.data ? value(stats.data).toLocaleString() : <LoadingPlaceholder text="" />;
  const integrityState = integrity.data ? integritySummary(integrity.data) : undefined;

  return (
    <div>
      {stats.error && (
        <QueryError
          title="Could not load the security statistics"
          error={stats.error}
          onRetry={() => stats.refetch()}
        />
      )}
      {integrity.error && (
        <QueryError
          title="Could not load the audit integrity status"
          error={integrity.error}
          onRetry={() => integrity.refetch()}
        />
      )}
      <div className={styles.cards}>
        <StatCard
          title="Active bans"
          value={count((s) => s.activeBans)}
          detail={stats.data && bannedRecently(stats.data.blockedIps24h)}
          tone={stats.data?.activeBans ? 'warning' : 'neutral'}
          link={bansLink}
        />
        <StatCard
          title="Failed logins (24 h)"
          value={count(failedLogins)}
          detail="events of type auth.login.failed"
          tone={stats.data && failedLogins(stats.data) > 0 ? 'warning' : 'neutral'}
        />
        <StatCard
          title="Suspicious activities (24 h)"
          value={count(suspiciousActivities)}
          detail="events of severity low or above"
          tone={stats.data && suspiciousActivities(stats.data) > 0 ? 'warning' : 'neutral'}
        />
        <StatCard
          title="Audit integrity"
          value={integrityState?.value ?? <LoadingPlaceholder text="" />}
          detail={integrityState?.detail}
          tone={integrityState?.tone}
          link={auditLink}
        />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  cards: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(3),
  }),
});

import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, EmptyState, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { JailCard } from '../../components/JailCard/JailCard';
import { QueryError } from '../../components/QueryError/QueryError';
import { useFail2banStatus } from '../../data/useFail2ban';

interface Props {
  canAct: boolean;
  /** The jail a link points at (`?jail=`): shown alone until "Show all jails". */
  focusedJail?: string;
  initialIp?: string;
  onShowAllJails: () => void;
}

/** The backend host's Fail2ban jails, or why they cannot be shown (Fail2ban disabled or not running). */
export function Fail2banSection({ canAct, focusedJail, initialIp, onShowAllJails }: Props) {
  const styles = useStyles2(getStyles);
  const { data, error, isLoading, refetch } = useFail2banStatus();

  if (isLoading) {
    return <LoadingPlaceholder text="Loading Fail2ban jails…" />;
  }
  if (error) {
    return <QueryError title="Could not read Fail2ban" error={error} onRetry={() => refetch()} />;
  }
  if (!data) {
    return null;
  }
  if (!data.isAvailable) {
    return (
      <Alert severity="info" title="Fail2ban is not available on the backend">
        <div>{data.reason}</div>
        <div>
          Run fail2ban-server on the backend host with the jails of provisioning/fail2ban, or set FAIL2BAN_ENABLED=false
          where it is not used. Bans of the auto-blocker are listed in the other tabs either way.
        </div>
      </Alert>
    );
  }
  if (data.jails.length === 0) {
    return (
      <EmptyState variant="call-to-action" message="Fail2ban runs without any jail" hideImage>
        Enable jails in jail.local (see provisioning/fail2ban) and reload Fail2ban.
      </EmptyState>
    );
  }
  const shown = focusedJail ? data.jails.filter((jail) => jail.jail === focusedJail) : data.jails;
  return (
    <Stack direction="column" gap={2}>
      {focusedJail && (
        <div>
          <Button variant="secondary" icon="list-ul" onClick={onShowAllJails}>
            Show all {data.jails.length} jails
          </Button>
        </div>
      )}
      {shown.length === 0 ? (
        <Alert severity="warning" title={`Fail2ban has no jail named ${focusedJail}`}>
          The link may name a jail of another host. Jails here: {data.jails.map((jail) => jail.jail).join(', ')}.
        </Alert>
      ) : (
        <div className={styles.grid}>
          {shown.map((jail) => (
            <JailCard
              key={jail.jail}
              jail={jail}
              canAct={canAct}
              isFocused={jail.jail === focusedJail}
              initialIp={initialIp}
            />
          ))}
        </div>
      )}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(420px, 1fr))',
    gap: theme.spacing(2),
  }),
});

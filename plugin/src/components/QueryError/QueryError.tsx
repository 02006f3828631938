import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, useStyles2 } from '@grafana/ui';

interface Props {
  title: string;
  error: Error;
  onRetry?: () => void;
}

/** The error state of a query: what failed, the backend's reason, and a retry. */
export function QueryError({ title, error, onRetry }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <Alert severity="error" title={title}>
      <div>{error.message}</div>
      {onRetry && (
        <Button className={styles.retry} size="sm" variant="secondary" icon="sync" onClick={onRetry}>
          Retry
        </Button>
      )}
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  retry: css({ marginTop: theme.spacing(1) }),
});

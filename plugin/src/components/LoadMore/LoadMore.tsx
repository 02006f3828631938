import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';

interface Props {
  hasMore: boolean;
  isLoadingMore: boolean;
  onLoadMore: () => void;
  /** e.g. "Load older entries". */
  label: string;
}

/** The button under a keyset-paged table that fetches the next page; nothing when there is none. */
export function LoadMore({ hasMore, isLoadingMore, onLoadMore, label }: Props) {
  const styles = useStyles2(getStyles);
  if (!hasMore) {
    return null;
  }
  return (
    <div className={styles.more}>
      <Button
        variant="secondary"
        icon={isLoadingMore ? 'spinner' : 'angle-down'}
        onClick={onLoadMore}
        disabled={isLoadingMore}
      >
        {label}
      </Button>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  more: css({ display: 'flex', justifyContent: 'center', padding: theme.spacing(2) }),
});

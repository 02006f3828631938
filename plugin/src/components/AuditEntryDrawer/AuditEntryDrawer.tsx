import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Drawer, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { AuditEventDetail } from '../../api/types';
import { useAuditEvent } from '../../data/useAuditEvents';
import { QueryError } from '../QueryError/QueryError';
import { EntryVerificationPanel } from './EntryVerificationPanel';

interface Props {
  id: string;
  onClose: () => void;
}

/** One entry: its fields, its hashes, and its inclusion in the trail verified in the browser. */
export function AuditEntryDrawer({ id, onClose }: Props) {
  const { data, error, isLoading, refetch } = useAuditEvent(id);
  return (
    <Drawer title={data ? `Audit entry ${data.seq}` : 'Audit entry'} subtitle={id} onClose={onClose} size="md">
      {isLoading && <LoadingPlaceholder text="Loading the entry…" />}
      {error && <QueryError title="Could not load this entry" error={error} onRetry={() => refetch()} />}
      {data && (
        <>
          <EntryFields entry={data} />
          <EntryVerificationPanel entry={data} />
        </>
      )}
    </Drawer>
  );
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value, null, 2));

function EntryFields({ entry }: { entry: AuditEventDetail }) {
  const styles = useStyles2(getStyles);
  const rows: Array<[string, React.ReactNode]> = [
    ['Time', dateTimeFormat(entry.timestamp, { format: 'YYYY-MM-DD HH:mm:ss.SSS' })],
    ['User', [entry.username, entry.userId && `(${entry.userId})`].filter(Boolean).join(' ') || '—'],
    ['Action', entry.action],
    ['Resource', [entry.resource, entry.resourceId].filter(Boolean).join(' ')],
    ['Request', [entry.method, entry.path].filter(Boolean).join(' ') || '—'],
    ['IP', entry.ip ?? '—'],
    ['User agent', entry.userAgent ?? '—'],
    ['Status', [entry.status, entry.statusCode].filter(Boolean).join(' ')],
    ['Response time', entry.responseTime === null ? '—' : `${entry.responseTime} ms`],
    ['Error', entry.errorMessage ?? '—'],
  ];
  const blocks: Array<[string, string | null]> = [
    ['Query', json(entry.query)],
    ['Body', json(entry.body)],
    ['Metadata', json(entry.metadata)],
  ];
  return (
    <section aria-label="Entry fields">
      {entry.archived && <p>The payload of this entry was archived after retention; its hashes remain.</p>}
      <dl className={styles.list}>
        {rows.map(([label, value]) => (
          <React.Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </React.Fragment>
        ))}
        {blocks
          .filter(([, value]) => value !== null)
          .map(([label, value]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd>
                <pre className={styles.pre}>{value}</pre>
              </dd>
            </React.Fragment>
          ))}
      </dl>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0, wordBreak: 'break-word' },
  }),
  pre: css({ margin: 0, maxHeight: 240, overflow: 'auto' }),
});

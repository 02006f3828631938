import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, useStyles2 } from '@grafana/ui';
import { useConnectionTest, type ConnectionReport } from '../../data/useConnectionTest';

/** "Test connection" through Grafana's proxy with the saved settings: readiness, then the role of each token. */
export function ConnectionTest({ hasUnsavedChanges }: { hasUnsavedChanges: boolean }) {
  const styles = useStyles2(getStyles);
  const { mutate, isPending, data } = useConnectionTest();
  return (
    <section aria-label="Connection test" className={styles.section}>
      <Button variant="secondary" icon={isPending ? 'spinner' : 'plug'} disabled={isPending} onClick={() => mutate()}>
        Test connection
      </Button>
      {hasUnsavedChanges && <p className={styles.hint}>The test uses the saved settings: save your changes first.</p>}
      {data && <Report report={data} />}
    </section>
  );
}

function Report({ report }: { report: ConnectionReport }) {
  const styles = useStyles2(getStyles);
  const { ready, viewer, admin } = report;
  const lines: Array<{ ok: boolean; text: string }> = [
    ready.ok
      ? {
          ok: ready.value.status === 'ready',
          text:
            ready.value.status === 'ready'
              ? `Backend ready (${ready.value.database.kind}, ${ready.value.migrations.applied} migrations applied)`
              : `Backend not ready: ${ready.value.database.error ?? `pending migrations ${ready.value.migrations.pending.join(', ')}`}`,
        }
      : { ok: false, text: `Backend unreachable: ${ready.error}` },
    viewer.ok
      ? {
          ok: viewer.value.role === 'viewer',
          text:
            viewer.value.role === 'viewer'
              ? 'Viewer token accepted (role viewer)'
              : `The viewer token has the ${viewer.value.role} role: configure a read-only token`,
        }
      : { ok: false, text: `Viewer token: ${viewer.error}` },
    admin.ok
      ? {
          ok: admin.value.role === 'admin',
          text:
            admin.value.role === 'admin'
              ? 'Admin token accepted (role admin)'
              : `The admin token has the ${admin.value.role} role`,
        }
      : { ok: false, text: `Admin token: ${admin.error}` },
  ];
  const ok = lines.every((line) => line.ok);
  return (
    <Alert severity={ok ? 'success' : 'error'} title={ok ? 'Connection works' : 'Connection problem'}>
      <ul className={styles.lines}>
        {lines.map((line) => (
          <li key={line.text}>{line.text}</li>
        ))}
      </ul>
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(2) }),
  lines: css({ listStyle: 'none', padding: 0, margin: 0 }),
  hint: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(1) }),
});

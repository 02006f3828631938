// Just enough of Grafana's page chrome to see where one is: the signed-in user, the app's nav (from plugin.json
// `includes`, hidden by role as Grafana's nav does) and a page title rendered by PluginPage.
import React from 'react';
import { css } from '@emotion/css';
import { type AppPluginMeta, type GrafanaTheme2 } from '@grafana/data';
import { config, type PluginPageProps } from '@grafana/runtime';
import { setPluginPage } from 'grafana-runtime-internal';
import { useStyles2 } from '@grafana/ui';
import { useLocation } from 'grafana-router-v6';

export type HostMeta = AppPluginMeta & {
  module: string;
  includes?: Array<{ type: string; name: string; path?: string; role?: string; addToNav?: boolean }>;
};

const RANK: Record<string, number> = { Viewer: 1, Editor: 2, Admin: 3 };
const userRole = () => String(config.bootData.user.orgRole || 'Viewer');
const allowed = (role?: string) => (RANK[userRole()] ?? 0) >= (RANK[role ?? 'Viewer'] ?? 1);
const resolvePath = (meta: HostMeta, path = '') => path.replace('%PLUGIN_ID%', meta.id);

let currentMeta: HostMeta | undefined;

function HostPluginPage({ children, actions, subTitle }: PluginPageProps) {
  const location = useLocation();
  const include = currentMeta?.includes?.find(
    (i) => i.path && location.pathname.startsWith(resolvePath(currentMeta as HostMeta, i.path))
  );
  return (
    <div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 16, marginBottom: 16 }}>
        <h1 style={{ margin: 0 }}>{include?.name ?? currentMeta?.name}</h1>
        {actions}
      </div>
      {subTitle && <div style={{ marginBottom: 16 }}>{subTitle}</div>}
      {children}
    </div>
  );
}

export function HostChrome({ meta, children }: { meta: HostMeta; children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  currentMeta = meta;
  const nav = (meta.includes ?? []).filter((i) => i.type === 'page' && i.addToNav && allowed(i.role));
  const user = config.bootData.user;
  return (
    <div className={styles.layout}>
      <header className={styles.header}>
        <strong>{meta.name}</strong>
        <span>test host</span>
        <span className={styles.user} data-testid="host-user">
          {user.login} ({userRole()}) · <a href="/logout">Sign out</a>
        </span>
      </header>
      <nav className={styles.nav} aria-label="App pages">
        {nav.map((i) => (
          <a key={i.name} href={resolvePath(meta, i.path)}>
            {i.name}
          </a>
        ))}
      </nav>
      <main className={styles.main}>{children}</main>
    </div>
  );
}

setPluginPage(HostPluginPage);

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({ display: 'grid', gridTemplateColumns: '180px 1fr', gridTemplateRows: 'auto 1fr', minHeight: '100vh' }),
  header: css({
    gridColumn: '1 / 3',
    display: 'flex',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 2),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
  }),
  user: css({ marginLeft: 'auto' }),
  nav: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    padding: theme.spacing(2),
    borderRight: `1px solid ${theme.colors.border.weak}`,
  }),
  main: css({ padding: theme.spacing(2, 3), minWidth: 0 }),
});

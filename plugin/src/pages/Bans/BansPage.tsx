import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Tab, TabContent, TabsBar, useStyles2 } from '@grafana/ui';
import { BanForm } from '../../components/BanForm/BanForm';
import { isOrgAdmin } from '../../utils/roles';
import { AddressFilter } from './AddressFilter';
import { BanList } from './BanList';
import { Fail2banSection } from './Fail2banSection';
import { useBansParams, type BanTab } from './useBansParams';
import { WhitelistSection } from './WhitelistSection';

const TAB_LABELS: Record<BanTab, string> = {
  active: 'Active bans',
  history: 'History',
  whitelist: 'Whitelist',
  fail2ban: 'Fail2ban jails',
};

// Default export: a lazy route target of App.tsx.
export default function BansPage() {
  const styles = useStyles2(getStyles);
  const { ip, ipError, jail, tab, setIp, setTab, clearJail } = useBansParams();
  const isAdmin = isOrgAdmin();
  // A bad `?ip=` is shown next to the filter and not sent.
  const filterIp = ipError ? undefined : ip || undefined;
  return (
    <PluginPage>
      {isAdmin && (
        <section className={styles.section} aria-label="Ban">
          {/* Keyed on the address so that following another dashboard link prefills the form again. */}
          <BanForm key={filterIp} initialIp={filterIp} />
        </section>
      )}
      <AddressFilter value={ip} error={ipError} onChange={setIp} />
      <TabsBar>
        {Object.entries(TAB_LABELS).map(([key, label]) => (
          <Tab key={key} label={label} active={tab === key} onChangeTab={() => setTab(key as BanTab)} />
        ))}
      </TabsBar>
      <TabContent className={styles.content}>
        {(tab === 'active' || tab === 'history') && !ipError && (
          <BanList key={tab} state={tab} ip={filterIp} canUnban={isAdmin} onClearFilter={() => setIp('')} />
        )}
        {tab === 'whitelist' && <WhitelistSection key={filterIp} canEdit={isAdmin} initialIp={filterIp} />}
        {tab === 'fail2ban' && (
          <Fail2banSection canAct={isAdmin} focusedJail={jail} initialIp={filterIp} onShowAllJails={clearJail} />
        )}
      </TabContent>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginBottom: theme.spacing(2) }),
  content: css({ paddingTop: theme.spacing(2) }),
});

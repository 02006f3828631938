import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Stack, useStyles2 } from '@grafana/ui';
import { AuditEntryDrawer } from '../../components/AuditEntryDrawer/AuditEntryDrawer';
import { AuditFilters } from '../../components/AuditFilters/AuditFilters';
import { ExportButtons } from '../../components/ExportButtons/ExportButtons';
import { SignCheckpoint } from '../../components/SignCheckpoint/SignCheckpoint';
import { VerifyChain } from '../../components/VerifyChain/VerifyChain';
import { EMPTY_FILTERS } from '../../utils/auditFilter';
import { isOrgAdmin } from '../../utils/roles';
import { AuditEvents } from './AuditEvents';
import { useAuditFilterParams } from './useAuditFilterParams';

// Default export: a lazy route target of App.tsx.
export default function AuditLogPage() {
  const styles = useStyles2(getStyles);
  const { values, errors, filter, isValid, isFiltered, entryId, setFilters, openEntry } = useAuditFilterParams();
  return (
    <PluginPage>
      <AuditFilters values={values} errors={errors} onChange={setFilters} />
      <div className={styles.toolbar}>
        <Stack gap={1} alignItems="flex-start" wrap="wrap">
          <ExportButtons filter={filter} disabled={!isValid} />
          {isOrgAdmin() && <SignCheckpoint />}
        </Stack>
        <VerifyChain />
      </div>
      <AuditEvents
        filter={filter}
        enabled={isValid}
        isFiltered={isFiltered}
        onClearFilters={() => setFilters(EMPTY_FILTERS)}
        onSelect={openEntry}
      />
      {entryId && <AuditEntryDrawer id={entryId} onClose={() => openEntry(undefined)} />}
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  toolbar: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-start',
    marginBottom: theme.spacing(2),
  }),
});

import React, { useState, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { Button, Field, FieldSet, Input, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import type { AppJsonData, SecretField } from '../../api/settings';
import { createQueryClient } from '../../data/queryClient';
import { useSavePluginSettings } from '../../data/useSavePluginSettings';
import { QueryClientProvider } from '@tanstack/react-query';
import { ConnectionTest } from './ConnectionTest';
import { settingsUpdate, validateBackendUrl } from './AppConfig.helpers';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppJsonData>>;

const SECRETS: Array<{ key: SecretField; label: string; description: string }> = [
  { key: 'viewerToken', label: 'Viewer token', description: 'Sent by the Viewer routes (reads). SECOPS_VIEWER_TOKEN.' },
  { key: 'adminToken', label: 'Admin token', description: 'Sent by the Admin routes (actions). SECOPS_ADMIN_TOKEN.' },
];

// Default export: the lazy target of module.tsx.
export default function AppConfig(props: AppConfigProps) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <SettingsForm {...props} />
    </QueryClientProvider>
  );
}

function SettingsForm({ plugin }: AppConfigProps) {
  const styles = useStyles2(getStyles);
  const { jsonData, secureJsonFields } = plugin.meta;
  const [backendUrl, setBackendUrl] = useState(jsonData?.backendUrl ?? '');
  // A secret is sent only once it is reset and typed again; Grafana keeps the others as they are.
  const [secrets, setSecrets] = useState<Partial<Record<SecretField, string>>>({});
  const isConfigured = (key: SecretField) => Boolean(secureJsonFields?.[key]) && secrets[key] === undefined;
  const save = useSavePluginSettings();

  const urlError = validateBackendUrl(backendUrl);
  const isDirty = backendUrl.trim() !== (jsonData?.backendUrl ?? '') || Object.values(secrets).some((v) => v);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!urlError) {
      save.mutate(settingsUpdate(plugin.meta, backendUrl, secrets));
    }
  };

  return (
    <form onSubmit={onSubmit} className={styles.form}>
      <FieldSet label="Secops API">
        <Field
          label="Backend URL"
          description="How the Grafana server reaches the secops API, e.g. http://secops-api:3010. The browser never calls it."
          invalid={backendUrl !== '' && Boolean(urlError)}
          error={urlError}
        >
          <Input
            id="config-backend-url"
            width={60}
            value={backendUrl}
            placeholder="http://secops-api:3010"
            onChange={(event) => setBackendUrl(event.currentTarget.value)}
          />
        </Field>
        {SECRETS.map(({ key, label, description }) => (
          <Field key={key} label={label} description={description}>
            <SecretInput
              id={`config-${key}`}
              width={60}
              value={secrets[key] ?? ''}
              isConfigured={isConfigured(key)}
              placeholder="Token of the secops API"
              onChange={(event) => setSecrets({ ...secrets, [key]: event.currentTarget.value })}
              onReset={() => setSecrets({ ...secrets, [key]: '' })}
            />
          </Field>
        ))}
        <Stack gap={1}>
          <Button type="submit" disabled={Boolean(urlError) || save.isPending}>
            Save settings
          </Button>
        </Stack>
      </FieldSet>
      <ConnectionTest hasUnsavedChanges={isDirty} />
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: theme.breakpoints.values.md }),
});

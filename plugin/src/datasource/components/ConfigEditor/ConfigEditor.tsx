import React, { useState } from 'react';
import {
  onUpdateDatasourceJsonDataOption,
  onUpdateDatasourceSecureJsonDataOption,
  updateDatasourcePluginResetOption,
  type DataSourcePluginOptionsEditorProps,
} from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import { validateBackendUrl } from '../../../components/AppConfig/AppConfig.helpers';
import type { SecopsOptions, SecopsSecureOptions } from '../../types';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<SecopsOptions, SecopsSecureOptions>;

/**
 * The data source's settings: where the Grafana server reaches the secops API, and the viewer token its proxy
 * route sends (a secret: written, never read back). "Save & test" then runs `testDatasource`.
 */
export function ConfigEditor(props: ConfigEditorProps) {
  const { options } = props;
  const [isTouched, setIsTouched] = useState(false);
  const backendUrl = options.jsonData.backendUrl ?? '';
  // The routes append /api and /ready to it: a trailing slash would make //api.
  const urlError =
    validateBackendUrl(backendUrl) ?? (backendUrl.trim().endsWith('/') ? 'Remove the trailing "/"' : undefined);

  return (
    <FieldSet label="Secops API">
      <Field
        label="Backend URL"
        description="How the Grafana server reaches the secops API (not the browser), e.g. http://backend:3010."
        invalid={isTouched && Boolean(urlError)}
        error={urlError}
        required
      >
        <Input
          id="secops-ds-backend-url"
          width={60}
          value={backendUrl}
          placeholder="http://backend:3010"
          onChange={onUpdateDatasourceJsonDataOption(props, 'backendUrl')}
          onBlur={() => setIsTouched(true)}
        />
      </Field>
      <Field
        label="Viewer token"
        description="Sent by Grafana's data source proxy to read the API. The viewer token (SECOPS_VIEWER_TOKEN): this data source never writes."
      >
        <SecretInput
          id="secops-ds-viewer-token"
          width={60}
          value={options.secureJsonData?.viewerToken ?? ''}
          isConfigured={Boolean(options.secureJsonFields?.viewerToken)}
          placeholder="Viewer token of the secops API"
          onChange={onUpdateDatasourceSecureJsonDataOption(props, 'viewerToken')}
          onReset={() => updateDatasourcePluginResetOption(props, 'viewerToken')}
        />
      </Field>
    </FieldSet>
  );
}

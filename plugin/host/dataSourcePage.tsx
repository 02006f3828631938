// Grafana's data source settings page (/connections/datasources/edit/<uid>, also /datasources/edit/<uid>), as far
// as a plugin sees it: its ConfigEditor on the instance's settings, then "Save & test" (PUT /api/datasources/uid/<uid>,
// the instance rebuilt with the saved settings, its testDatasource() shown in an Alert).
import React, { useEffect, useState } from 'react';
import type {
  DataSourceApi,
  DataSourceInstanceSettings,
  DataSourceSettings,
  TestDataSourceResponse,
} from '@grafana/data';
import { config, getBackendSrv, getDataSourceSrv } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder } from '@grafana/ui';
import { useParams } from 'grafana-router-v6';

type Result = { status: string; message: string };

export function DataSourceSettingsPage() {
  const { uid = '' } = useParams();
  const [options, setOptions] = useState<DataSourceSettings>();
  const [ds, setDs] = useState<DataSourceApi>();
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    Promise.all([getBackendSrv().get<DataSourceSettings>(`/api/datasources/uid/${uid}`), getDataSourceSrv().get(uid)])
      .then(([settings, instance]) => {
        setOptions(settings);
        setDs(instance);
      })
      .catch((err: Error) => setError(err.message ?? String(err)));
  }, [uid]);

  if (error) {
    return <Alert title={error} />;
  }
  if (!options || !ds) {
    return <LoadingPlaceholder text="Loading data source" />;
  }
  const ConfigEditor = ds.components?.ConfigEditor;

  const onSaveAndTest = async () => {
    setResult(undefined);
    try {
      const saved = await getBackendSrv().put<{ datasource: DataSourceSettings }>(
        `/api/datasources/uid/${uid}`,
        options
      );
      // As Grafana after a save: the frontend settings are refreshed and the instance rebuilt from them.
      const instance = config.datasources[saved.datasource.name] as DataSourceInstanceSettings | undefined;
      if (instance) {
        instance.jsonData = saved.datasource.jsonData;
      }
      getDataSourceSrv().reload();
      const rebuilt = await getDataSourceSrv().get(uid);
      const test: TestDataSourceResponse = await rebuilt.testDatasource();
      setResult({ status: test.status, message: test.message });
    } catch (err) {
      setResult({ status: 'error', message: (err as { message?: string }).message ?? String(err) });
    }
  };

  return (
    <div style={{ maxWidth: 900 }}>
      <h1>{options.name}</h1>
      <div aria-label="Datasource settings page basic settings">
        {ConfigEditor ? <ConfigEditor options={options} onOptionsChange={setOptions} /> : <p>No config editor</p>}
      </div>
      {result && (
        <div data-testid="data-testid Data source settings page Alert">
          <Alert severity={result.status === 'success' ? 'success' : 'error'} title={result.message} />
        </div>
      )}
      <Button data-testid="data-testid Data source settings page Save and Test button" onClick={onSaveAndTest}>
        Save &amp; test
      </Button>
    </div>
  );
}

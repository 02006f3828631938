// A panel's query as the test host runs it (/datasources/query/<uid>; no Grafana page of its own, Explore is more):
// the data source's QueryEditor on one query, run over the last 24 hours when the editor asks for it, and the
// frames shown as plain tables, one per frame.
import React, { useEffect, useRef, useState } from 'react';
import {
  CoreApp,
  dateTime,
  FieldType,
  type DataFrame,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
} from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { Alert, LoadingPlaceholder } from '@grafana/ui';
import { lastValueFrom, from, isObservable } from 'rxjs';
import { useParams } from 'grafana-router-v6';

const DAY_MS = 86_400_000;

async function run(ds: DataSourceApi, query: DataQuery): Promise<DataQueryResponse> {
  const to = Date.now();
  const range = { from: dateTime(to - DAY_MS), to: dateTime(to), raw: { from: 'now-24h', to: 'now' } };
  const request = {
    requestId: 'host',
    app: 'explore',
    interval: '1h',
    intervalMs: 3_600_000,
    maxDataPoints: 24,
    range,
    scopedVars: {},
    targets: [query],
    timezone: 'utc',
    startTime: to,
  } as DataQueryRequest;
  const result = ds.query(request);
  return lastValueFrom(isObservable(result) ? result : from(result));
}

function FrameTable({ frame }: { frame: DataFrame }) {
  const cell = (type: FieldType, value: unknown) =>
    value === null || value === undefined
      ? ''
      : type === FieldType.time
        ? new Date(Number(value)).toISOString()
        : String(value);
  return (
    <table aria-label={frame.name ?? frame.refId} style={{ marginBottom: 16 }}>
      <thead>
        <tr>
          {frame.fields.map((f) => (
            <th key={f.name}>{f.name}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: frame.length }, (_, row) => (
          <tr key={row}>
            {frame.fields.map((f) => (
              <td key={f.name}>{cell(f.type, f.values[row])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QueryPage() {
  const { uid = '' } = useParams();
  const [ds, setDs] = useState<DataSourceApi>();
  const [query, setQuery] = useState<DataQuery>({ refId: 'A' });
  // The editor calls onChange then onRunQuery in one go: the run must see the query just set.
  const latest = useRef(query);
  const runs = useRef(0);
  const onChange = (next: DataQuery) => {
    latest.current = next;
    setQuery(next);
  };
  const [response, setResponse] = useState<DataQueryResponse>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    getDataSourceSrv()
      .get(uid)
      .then((instance) => {
        setDs(instance);
        onChange({ refId: 'A', ...instance.getDefaultQuery?.(CoreApp.Explore) });
      })
      .catch((err: Error) => setError(err.message));
  }, [uid]);

  if (error) {
    return <Alert title={error} />;
  }
  if (!ds) {
    return <LoadingPlaceholder text="Loading data source" />;
  }
  const QueryEditor = ds.components?.QueryEditor;
  const onRunQuery = () => {
    // As Grafana cancels a running query for a newer one: only the latest run's answer is shown.
    const id = ++runs.current;
    const show = (answer: DataQueryResponse) => id === runs.current && setResponse(answer);
    run(ds, latest.current).then(show, (err: Error) => show({ data: [], errors: [{ message: err.message }] }));
  };

  return (
    <div>
      <h1>{ds.name}</h1>
      {QueryEditor && <QueryEditor datasource={ds} query={query} onChange={onChange} onRunQuery={onRunQuery} />}
      <section aria-label="Query result" style={{ marginTop: 16 }}>
        {response?.errors?.map((e, i) => (
          <Alert key={i} title={e.message ?? 'Query error'} />
        ))}
        {response?.data.map((frame: DataFrame, i: number) => (
          <FrameTable key={i} frame={frame} />
        ))}
      </section>
    </div>
  );
}

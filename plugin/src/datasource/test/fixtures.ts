import {
  dateTime,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type Field,
  type DataFrame,
} from '@grafana/data';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { backendSrv } from '../../../host/backendSrv';
import { createTemplateSrv } from '../../../host/templateSrv';
import { DataSource } from '../DataSource';
import type { Ban, SecopsOptions, SecopsQuery, SecurityEvent } from '../types';

// What Grafana gives a data source: a BackendSrv doing real HTTP (which MSW answers) and dashboard variables.
setBackendSrv(backendSrv);
export const templateSrv = createTemplateSrv();
setTemplateSrv(templateSrv);

export const UID = 'cartae-secops';
/** The data source proxy URL of the instance, as MSW sees it (jsdom's origin is http://localhost). */
export const dsProxied = (path: string) => `http://localhost/api/datasources/proxy/uid/${UID}/${path}`;

export function createDataSource(jsonData: SecopsOptions = { backendUrl: 'http://backend:3010' }): DataSource {
  return new DataSource({
    id: 1,
    uid: UID,
    type: 'cartae-secops-datasource',
    name: 'Cartae Security Ops',
    url: `/api/datasources/proxy/uid/${UID}`,
    access: 'proxy',
    readOnly: true,
    jsonData,
    meta: { id: 'cartae-secops-datasource' },
  } as unknown as DataSourceInstanceSettings<SecopsOptions>);
}

export const FROM = '2026-03-01T00:00:00.000Z';
export const TO = '2026-03-01T06:00:00.000Z';

export function request(
  targets: SecopsQuery[],
  extra: Partial<DataQueryRequest<SecopsQuery>> = {}
): DataQueryRequest<SecopsQuery> {
  const from = dateTime(FROM);
  const to = dateTime(TO);
  return {
    requestId: 'Q1',
    interval: '1m',
    intervalMs: 60_000,
    maxDataPoints: 100,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
    ...extra,
  };
}

/** A frame's fields by name, as plain arrays. */
export function columns(frame: DataFrame): Record<string, unknown[]> {
  return Object.fromEntries(frame.fields.map((f: Field) => [f.name, [...f.values]]));
}

export function event(overrides: Partial<SecurityEvent>): SecurityEvent {
  return {
    id: '6f1c2a4e-0000-4000-a000-000000000001',
    time: '2026-03-01T05:00:00.000Z',
    type: 'auth.login.failed',
    ip: '198.51.100.7',
    user: 'alice',
    method: 'POST',
    path: '/login',
    status: 401,
    userAgent: null,
    bytes: null,
    msg: 'invalid password',
    jail: null,
    // The backend schema types its severity and outcome enums by their first member only.
    severity: 'medium' as SecurityEvent['severity'],
    outcome: 'counted' as SecurityEvent['outcome'],
    ruleId: null,
    source: 'api',
    receivedAt: '2026-03-01T05:00:01.000Z',
    ...overrides,
  };
}

export function ban(overrides: Partial<Ban>): Ban {
  return {
    id: '6f1c2a4e-0000-4000-a000-0000000000b1',
    ip: '203.0.113.66',
    ruleId: 'ssh-brute-force',
    source: 'auto-blocker',
    reason: 'five failures in a minute',
    actor: 'auto-blocker',
    severity: 'high',
    eventId: null,
    at: '2026-03-01T05:30:00.000Z',
    until: '2026-03-01T06:30:00.000Z',
    duration: 3600,
    banNumber: 1,
    active: true,
    endedAt: null,
    liftedAt: null,
    liftedBy: null,
    liftReason: null,
    enforcement: [
      {
        adapter: 'fail2ban',
        action: 'ban',
        state: 'done',
        attempts: 1,
        lastError: null,
        nextAttemptAt: null,
        updatedAt: '2026-03-01T05:30:01.000Z',
      },
    ],
    ...overrides,
  };
}

import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AppRootProps } from '@grafana/data';
import type { AuditIntegrity, SecurityEventRecord, SecuritySeries, SecurityStats } from '../../api/types';
import App from '../../components/App/App';
import { renderWithProviders } from '../../test/render';
import { proxied, server, startServer } from '../../test/server';

startServer();

const stats = (failed: number, overrides: Partial<SecurityStats> = {}): SecurityStats => ({
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-03-02T00:00:00.000Z',
  total: failed + 10,
  byType: [
    { type: 'http.request', count: 10 },
    { type: 'auth.login.failed', count: failed },
  ],
  bySeverity: [
    { severity: 'info', count: 7 },
    { severity: 'medium', count: failed + 3 },
  ],
  counts: [],
  activeBans: 2,
  blockedIps24h: 5,
  topIps: [
    { ip: '198.51.100.7', events: 12, blocked: 3 },
    { ip: '2001:db8::5', events: 4, blocked: 0 },
  ],
  ...overrides,
});

const event = (n: number, type: string): SecurityEventRecord => ({
  id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  time: `2026-03-01T10:00:0${n}.000Z`,
  type,
  ip: '198.51.100.7',
  user: 'mallory',
  method: null,
  path: null,
  status: null,
  userAgent: null,
  bytes: null,
  msg: 'bad password',
  jail: null,
  severity: 'info',
  outcome: 'counted',
  ruleId: null,
  source: 'api',
  receivedAt: `2026-03-01T10:00:0${n}.000Z`,
});

const VALID: AuditIntegrity = {
  status: 'valid',
  overdue: false,
  verifyIntervalHours: 24,
  latest: {
    id: 1,
    startedAt: new Date(Date.now() - 120_000).toISOString(),
    finishedAt: new Date(Date.now() - 60_000).toISOString(),
    durationMs: 12,
    source: 'schedule',
    actor: null,
    fromSeq: 0,
    toSeq: null,
    whole: true,
    valid: true,
    checked: 40,
    treeSize: 40,
    rootHash: 'a'.repeat(64),
    checkpointsChecked: 1,
    archived: 0,
  },
};

const EMPTY_SERIES: SecuritySeries = { from: '', to: '', intervalSeconds: 900, series: [] };

interface Backend {
  stats: SecurityStats;
  events: SecurityEventRecord[];
  integrity: AuditIntegrity;
  statsRequests: number;
}

/** The backend's answers, changeable between refreshes. */
function backend(initial: Partial<Omit<Backend, 'statsRequests'>> = {}): Backend {
  const state: Backend = {
    stats: stats(4),
    events: [event(1, 'auth.login.failed')],
    integrity: VALID,
    ...initial,
    statsRequests: 0,
  };
  server.use(
    http.get(proxied('api/security/stats'), () => {
      state.statsRequests += 1;
      return HttpResponse.json(state.stats);
    }),
    http.get(proxied('api/security/stats/series'), () => HttpResponse.json(EMPTY_SERIES)),
    http.get(proxied('api/security/events'), () => HttpResponse.json({ events: state.events, nextCursor: null })),
    http.get(proxied('api/audit/integrity'), () => HttpResponse.json(state.integrity))
  );
  return state;
}

const renderOverview = (route = '/overview') => renderWithProviders(<App {...({} as AppRootProps)} />, { route });
const card = (name: string) => screen.getByRole('region', { name });

test('shows the headline numbers, the integrity status, the top addresses with their links and recent events', async () => {
  backend();
  renderOverview();
  expect(
    await within(await screen.findByRole('region', { name: 'Failed logins (24 h)' })).findByText('4')
  ).toBeVisible();
  expect(within(card('Active bans')).getByText('2')).toBeInTheDocument();
  expect(within(card('Active bans')).getByText('5 addresses banned in the last 24 hours')).toBeInTheDocument();
  // 14 events, 7 of them routine (info).
  expect(within(card('Suspicious activities (24 h)')).getByText('7')).toBeInTheDocument();
  expect(within(card('Audit integrity')).getByText('Valid')).toBeInTheDocument();
  expect(within(card('Audit integrity')).getByText(/40 entries, checked a minute ago/)).toBeInTheDocument();

  const top = card('Top attacking addresses (24 h)');
  expect(await within(top).findByText('198.51.100.7')).toBeInTheDocument();
  expect(within(top).getByRole('link', { name: 'Bans of 198.51.100.7' })).toHaveAttribute(
    'href',
    '/a/cartae-secops-app/bans?ip=198.51.100.7'
  );
  expect(within(top).getByRole('link', { name: 'Audit log of 2001:db8::5' })).toHaveAttribute(
    'href',
    '/a/cartae-secops-app/audit?ip=2001%3Adb8%3A%3A5'
  );
  const recent = card('Recent security events');
  expect(await within(recent).findByText('mallory')).toBeInTheDocument();
  expect(within(recent).getByText('bad password')).toBeInTheDocument();
  expect(within(card('Events per type (24 h)')).getByText('No security events in the last 24 hours')).toBeVisible();
});

test('refreshes by itself every 5 seconds, without a reload', async () => {
  const state = backend();
  renderOverview();
  expect(
    await within(await screen.findByRole('region', { name: 'Failed logins (24 h)' })).findByText('4')
  ).toBeVisible();
  state.stats = stats(9);
  state.events = [event(2, 'network.scan.detected'), ...state.events];
  expect(await within(card('Failed logins (24 h)')).findByText('9', undefined, { timeout: 8_000 })).toBeVisible();
  expect(await within(card('Recent security events')).findByText('network.scan.detected')).toBeInTheDocument();
});

test('paused (?refresh=off), it fetches again only on "Refresh now"', async () => {
  const user = userEvent.setup();
  const state = backend();
  renderOverview('/overview?refresh=off');
  expect(
    await within(await screen.findByRole('region', { name: 'Failed logins (24 h)' })).findByText('4')
  ).toBeVisible();
  state.stats = stats(9);
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  expect(within(card('Failed logins (24 h)')).getByText('4')).toBeInTheDocument();
  expect(state.statsRequests).toBe(1);
  await user.click(screen.getByRole('button', { name: 'Refresh' }));
  expect(await within(card('Failed logins (24 h)')).findByText('9')).toBeVisible();
});

test('an invalid trail names the first bad entry', async () => {
  const latest = { ...(VALID.latest as NonNullable<AuditIntegrity['latest']>), valid: false };
  backend({
    integrity: {
      ...VALID,
      status: 'invalid',
      latest: { ...latest, firstInvalid: { seq: 42, reason: 'hash mismatch' } },
    },
  });
  renderOverview();
  const integrity = await screen.findByRole('region', { name: 'Audit integrity' });
  expect(await within(integrity).findByText('Invalid')).toBeVisible();
  expect(within(integrity).getByText(/first bad entry: seq 42; checked a minute ago/)).toBeInTheDocument();
});

test('empty and error states say what to do', async () => {
  const user = userEvent.setup();
  backend({ stats: stats(0, { total: 0, byType: [], bySeverity: [], topIps: [] }), events: [] });
  const { unmount } = renderOverview();
  expect(await screen.findByText('No security events yet')).toBeInTheDocument();
  expect(screen.getByText('No attacking addresses in the last 24 hours')).toBeInTheDocument();
  expect(screen.getAllByText(/POST \/api\/security\/events and the ingest token/)).toHaveLength(3);
  unmount();

  server.use(
    http.get(proxied('api/security/stats'), () =>
      HttpResponse.json({ message: 'from must not be after to' }, { status: 400 })
    )
  );
  renderOverview();
  expect(await screen.findByText('Could not load the security statistics')).toBeInTheDocument();
  expect(screen.getByText('Could not load the top addresses')).toBeInTheDocument();
  backend();
  await user.click(screen.getAllByRole('button', { name: 'Retry' })[0]);
  await waitFor(() => expect(screen.queryByText('Could not load the security statistics')).not.toBeInTheDocument());
  expect(within(card('Failed logins (24 h)')).getByText('4')).toBeInTheDocument();
});

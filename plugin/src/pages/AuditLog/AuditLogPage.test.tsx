import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AppRootProps } from '@grafana/data';
import type { AuditEventRecord } from '../../api/types';
import App from '../../components/App/App';
import { renderWithProviders } from '../../test/render';
import { proxied, server, startServer } from '../../test/server';

startServer();

const record = (seq: number, username: string, status: 'success' | 'failure'): AuditEventRecord => ({
  seq,
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  timestamp: `2025-01-01T00:0${seq}:00.000Z`,
  userId: null,
  username,
  action: 'login',
  resource: 'session',
  resourceId: null,
  method: null,
  path: null,
  query: null,
  body: null,
  ip: '198.51.100.7',
  userAgent: null,
  status,
  statusCode: null,
  responseTime: null,
  errorMessage: status === 'failure' ? 'invalid password' : null,
  metadata: null,
  leafHash: 'a'.repeat(64),
  hashPrev: 'b'.repeat(64),
  hashCurrent: 'c'.repeat(64),
  archived: false,
});
const EVENTS = [record(3, 'bob', 'failure'), record(2, 'alice', 'failure'), record(1, 'alice', 'success')];

/** The backend's list: filters by user and status, keyset pages of `limit`. */
function listHandler(requests: URL[]) {
  return http.get(proxied('api/audit/events'), ({ request }) => {
    const url = new URL(request.url);
    requests.push(url);
    const user = url.searchParams.get('user');
    const status = url.searchParams.get('status');
    const events = EVENTS.filter((e) => (!user || e.username === user) && (!status || e.status === status));
    return HttpResponse.json({ events, nextCursor: null });
  });
}

const renderAuditPage = (route = '/audit') => renderWithProviders(<App {...({} as AppRootProps)} />, { route });
const dataRows = () => screen.getAllByRole('row').slice(1);

test('lists the entries, newest first, without admin actions for a non-admin', async () => {
  server.use(listHandler([]));
  renderAuditPage();
  expect(await screen.findByText('bob')).toBeInTheDocument();
  expect(dataRows().map((row) => within(row).getAllByRole('cell')[0].textContent)).toEqual(['3', '2', '1']);
  expect(screen.getByRole('link', { name: /Export CSV/ })).toHaveAttribute(
    'href',
    '/api/plugin-proxy/cartae-secops-app/api/audit/export?format=csv'
  );
  expect(screen.queryByRole('button', { name: 'Sign checkpoint' })).not.toBeInTheDocument();
});

test('filters are sent to the API, narrow the table and follow into the export links', async () => {
  const user = userEvent.setup();
  const requests: URL[] = [];
  server.use(listHandler(requests));
  renderAuditPage();
  await screen.findByText('bob');

  await user.click(screen.getByLabelText('User'));
  await user.paste('alice');
  await user.keyboard('{Enter}');
  await screen.findByRole('link', { name: /Export JSON/ });
  await expect(screen.findAllByRole('row')).resolves.toHaveLength(3);
  await user.click(screen.getByRole('radio', { name: 'Failure' }));
  await expect(screen.findAllByRole('row')).resolves.toHaveLength(2);

  const last = requests[requests.length - 1];
  expect(last.searchParams.get('user')).toBe('alice');
  expect(last.searchParams.get('status')).toBe('failure');
  expect(screen.getByRole('link', { name: /Export JSON/ }).getAttribute('href')).toBe(
    '/api/plugin-proxy/cartae-secops-app/api/audit/export?user=alice&status=failure&format=json'
  );
});

test('filters come from the URL, and a bad IP is shown instead of being sent', async () => {
  const requests: URL[] = [];
  server.use(listHandler(requests));
  renderAuditPage('/audit?user=bob&ip=10.0.0.300');
  expect(await screen.findByText('Not an IP address or CIDR block')).toBeInTheDocument();
  expect(screen.getByLabelText('User')).toHaveValue('bob');
  expect(requests).toHaveLength(0);
});

test('empty and error states say what to do', async () => {
  const user = userEvent.setup();
  server.use(http.get(proxied('api/audit/events'), () => HttpResponse.json({ events: [], nextCursor: null })));
  const { unmount } = renderAuditPage('/audit?user=nobody');
  expect(await screen.findByText('No audit entries match these filters')).toBeInTheDocument();
  unmount();

  server.use(
    http.get(proxied('api/audit/events'), () =>
      HttpResponse.json({ message: 'Internal Server Error', requestId: 'r-1' }, { status: 500 })
    )
  );
  renderAuditPage();
  // A 5xx is retried twice (with back-off) before the error shows.
  expect(await screen.findByText('Could not load the audit log', undefined, { timeout: 15_000 })).toBeInTheDocument();
  expect(screen.getByText('Internal Server Error')).toBeInTheDocument();
  server.use(listHandler([]));
  await user.click(screen.getByRole('button', { name: 'Retry' }));
  expect(await screen.findByText('bob')).toBeInTheDocument();
});

test('"Verify chain" shows the result, and the seq of the first invalid entry', async () => {
  const user = userEvent.setup();
  let valid = true;
  server.use(
    listHandler([]),
    http.get(proxied('api/audit/proof/inclusion'), () =>
      HttpResponse.json({ seq: 0, treeSize: 4, leafHash: 'a'.repeat(64), rootHash: 'd'.repeat(64), proof: [] })
    ),
    http.post(proxied('api/audit/verify'), () =>
      HttpResponse.json(
        valid
          ? { valid: true, checked: 4, treeSize: 4, rootHash: 'd'.repeat(64), checkpointsChecked: 1, durationMs: 12 }
          : {
              valid: false,
              checked: 2,
              treeSize: 4,
              rootHash: '',
              checkpointsChecked: 0,
              durationMs: 9,
              firstInvalid: { seq: 2, reason: 'hash_current does not match the entry' },
            }
      )
    )
  );
  renderAuditPage();
  await screen.findByText('bob');
  await user.click(screen.getByRole('button', { name: 'Verify chain' }));
  expect(await screen.findByText('Chain valid: 4 entries')).toBeInTheDocument();
  expect(screen.getByText(/1 signed checkpoint\(s\) matched/)).toBeInTheDocument();

  valid = false;
  await user.click(screen.getByRole('button', { name: 'Verify chain' }));
  expect(await screen.findByText('Chain invalid at seq 2')).toBeInTheDocument();
  expect(screen.getByText(/hash_current does not match the entry/)).toBeInTheDocument();
});

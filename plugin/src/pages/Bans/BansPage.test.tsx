import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OrgRole, type AppRootProps } from '@grafana/data';
import App from '../../components/App/App';
import { bansBackend, makeBan } from '../../test/bansBackend';
import { renderWithProviders } from '../../test/render';
import { setOrgRole } from '../../test/roles';
import { proxied, server, startServer } from '../../test/server';

startServer();
afterEach(() => setOrgRole(OrgRole.Viewer));

const renderBansPage = (route = '/bans') => renderWithProviders(<App {...({} as AppRootProps)} />, { route });
const dataRows = () => screen.getAllByRole('row').slice(1);

const inForce = makeBan('203.0.113.7', {
  ruleId: 'auth-bruteforce',
  source: 'auto-blocker',
  actor: 'auto-blocker',
  reason: '10 failed logins in 5m',
  banNumber: 3,
  until: new Date(Date.now() + 2 * 3_600_000 + 5 * 60_000).toISOString(),
  enforcement: [
    {
      adapter: 'fail2ban',
      action: 'ban',
      state: 'failed',
      attempts: 3,
      lastError: 'Fail2ban is not reachable',
      nextAttemptAt: null,
      updatedAt: new Date().toISOString(),
    },
  ],
});
const ended = makeBan('198.51.100.9', {
  active: false,
  liftedAt: '2026-01-02T10:00:00.000Z',
  liftedBy: 'alice',
  liftReason: 'false positive',
});

test('a Viewer sees active bans with rule, countdown, ban number and enforcement, and no action', async () => {
  const user = userEvent.setup();
  server.use(...bansBackend([inForce, ended]).handlers);
  renderBansPage();

  expect(await screen.findByText('203.0.113.7')).toBeInTheDocument();
  const cells = within(dataRows()[0]).getAllByRole('cell');
  expect(cells.map((cell) => cell.textContent)).toEqual([
    '203.0.113.7',
    'auth-bruteforceauto-blocker · auto-blocker',
    '10 failed logins in 5m',
    expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
    expect.stringMatching(/^in 2h [45]m$/),
    '3',
    'fail2ban ban: failed',
  ]);
  expect(screen.queryByRole('form', { name: 'Ban an address' })).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /^Unban/ })).not.toBeInTheDocument();

  await user.click(screen.getByRole('tab', { name: 'History' }));
  expect(await screen.findByText('198.51.100.9')).toBeInTheDocument();
  expect(screen.getByText(/by alice: false positive/)).toBeInTheDocument();
});

test('an Admin bans an address: the IP is checked in the browser, then the new ban is listed', async () => {
  const user = userEvent.setup();
  setOrgRole(OrgRole.Admin);
  const backend = bansBackend([]);
  server.use(...backend.handlers);
  renderBansPage();
  expect(await screen.findByText('No ban is in force')).toBeInTheDocument();

  const form = screen.getByRole('form', { name: 'Ban an address' });
  await user.type(within(form).getByLabelText('IP or CIDR'), '10.0.0.300');
  await user.type(within(form).getByLabelText('Reason'), 'scanner');
  await user.click(within(form).getByRole('button', { name: 'Ban' }));
  expect(await within(form).findByText('Not an IP address or CIDR block')).toBeInTheDocument();
  expect(backend.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

  await user.clear(within(form).getByLabelText('IP or CIDR'));
  await user.type(within(form).getByLabelText('IP or CIDR'), '192.0.2.0/24');
  await user.click(within(form).getByRole('radio', { name: '7 days' }));
  await user.click(within(form).getByRole('button', { name: 'Ban' }));

  expect(await screen.findByText('192.0.2.0/24')).toBeInTheDocument();
  const post = backend.requests.find((r) => r.method === 'POST');
  expect(post?.body).toEqual({ ip: '192.0.2.0/24', reason: 'scanner', duration: 604800 });
  expect(within(form).getByLabelText('IP or CIDR')).toHaveValue('');
  expect(within(dataRows()[0]).getByText(/^in (6d 23h|7d)$/)).toBeInTheDocument();
});

test('an Admin unbans after confirming with a reason; a refusal shows the backend message', async () => {
  const user = userEvent.setup();
  setOrgRole(OrgRole.Admin);
  const backend = bansBackend([makeBan('192.0.2.0/24'), makeBan('203.0.113.8')]);
  server.use(...backend.handlers);
  renderBansPage();

  await user.click(await screen.findByRole('button', { name: 'Unban 192.0.2.0/24' }));
  const dialog = screen.getByRole('dialog');
  const confirm = within(dialog).getByRole('button', { name: 'Unban' });
  expect(confirm).toBeDisabled();
  await user.type(within(dialog).getByLabelText(/^Reason/), '  {Enter}');
  expect(backend.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  await user.type(within(dialog).getByLabelText(/^Reason/), 'customer office');
  await user.click(confirm);

  await waitFor(() => expect(screen.queryByText('192.0.2.0/24')).not.toBeInTheDocument());
  expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  const deleted = backend.requests.find((r) => r.method === 'DELETE');
  expect(deleted?.url.pathname).toBe('/api/plugin-proxy/cartae-secops-app/admin/security/ban');
  expect(deleted?.body).toEqual({ ip: '192.0.2.0/24', reason: 'customer office' });

  // Lifted meanwhile by someone else: the backend answers 404 and says why.
  backend.bans.find((b) => b.ip === '203.0.113.8')!.active = false;
  await user.click(screen.getByRole('button', { name: 'Unban 203.0.113.8' }));
  await user.type(within(screen.getByRole('dialog')).getByLabelText(/^Reason/), 'done');
  await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Unban' }));
  expect(await screen.findByText('no ban of 203.0.113.8 is in force')).toBeInTheDocument();
  expect(screen.getByRole('dialog')).toBeInTheDocument();
});

test('?ip= narrows the lists to that address and prefills the ban form; a bad one is shown, not sent', async () => {
  setOrgRole(OrgRole.Admin);
  const backend = bansBackend([inForce, makeBan('203.0.113.99')]);
  server.use(...backend.handlers);
  const { unmount } = renderBansPage('/bans?ip=203.0.113.7');

  expect(await screen.findByText('203.0.113.7')).toBeInTheDocument();
  expect(screen.queryByText('203.0.113.99')).not.toBeInTheDocument();
  expect(backend.requests[0].url.searchParams.get('ip')).toBe('203.0.113.7');
  expect(within(screen.getByRole('form', { name: 'Ban an address' })).getByLabelText('IP or CIDR')).toHaveValue(
    '203.0.113.7'
  );
  expect(screen.getByLabelText('Filter by IP or CIDR')).toHaveValue('203.0.113.7');
  unmount();

  backend.requests.length = 0;
  renderBansPage('/bans?ip=10.0.0.300');
  expect(await screen.findByText('Not an IP address or CIDR block')).toBeInTheDocument();
  expect(backend.requests).toHaveLength(0);
});

test('an address without bans says so and offers to show all; an error can be retried', async () => {
  const user = userEvent.setup();
  const backend = bansBackend([inForce]);
  server.use(...backend.handlers);
  renderBansPage('/bans?ip=192.0.2.1');
  expect(await screen.findByText('No ban of 192.0.2.1 is in force')).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Show all addresses' }));
  expect(await screen.findByText('203.0.113.7')).toBeInTheDocument();
  expect(screen.getByLabelText('Filter by IP or CIDR')).toHaveValue('');

  server.use(
    http.get(proxied('api/soar/bans'), () => HttpResponse.json({ message: 'state must be one of …' }, { status: 400 }))
  );
  await user.click(screen.getByRole('tab', { name: 'History' }));
  expect(await screen.findByText('Could not load the ban history')).toBeInTheDocument();
  expect(screen.getByText('state must be one of …')).toBeInTheDocument();
  server.use(...backend.handlers);
  await user.click(screen.getByRole('button', { name: 'Retry' }));
  expect(await screen.findByText('No ban has ended yet')).toBeInTheDocument();
});

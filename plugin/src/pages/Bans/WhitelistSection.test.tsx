import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OrgRole, type AppRootProps } from '@grafana/data';
import type { WhitelistAddBody, WhitelistEntry } from '../../api/types';
import App from '../../components/App/App';
import { renderWithProviders } from '../../test/render';
import { setOrgRole } from '../../test/roles';
import { proxied, server, startServer } from '../../test/server';

startServer();
afterEach(() => setOrgRole(OrgRole.Viewer));

const renderBansPage = (route: string) => renderWithProviders(<App {...({} as AppRootProps)} />, { route });

const fromConfig: WhitelistEntry = {
  ip: '10.0.0.0/8',
  reason: 'configuration file',
  actor: 'config',
  createdAt: '',
  expiresAt: null,
  source: 'config',
};

/** The whitelist routes over an in-memory list; removing a configuration file entry is refused (409). */
function whitelistBackend(initial: WhitelistEntry[]) {
  const entries = [...initial];
  const bodies: unknown[] = [];
  return {
    entries,
    bodies,
    handlers: [
      http.get(proxied('api/soar/whitelist'), () => HttpResponse.json({ entries })),
      http.post(proxied('admin/soar/whitelist'), async ({ request }) => {
        const body = (await request.json()) as WhitelistAddBody;
        bodies.push(body);
        const entry: WhitelistEntry = {
          ip: body.ip,
          reason: body.reason,
          actor: 'admin',
          createdAt: new Date().toISOString(),
          expiresAt: body.ttlSeconds ? new Date(Date.now() + body.ttlSeconds * 1000).toISOString() : null,
          source: 'api',
        };
        entries.push(entry);
        return HttpResponse.json({ entry, created: true, liftedBans: 1 }, { status: 201 });
      }),
      http.delete(proxied('admin/soar/whitelist'), async ({ request }) => {
        const body = (await request.json()) as { ip: string; reason: string };
        bodies.push(body);
        const index = entries.findIndex((e) => e.ip === body.ip && e.source === 'api');
        const [removed] = entries.splice(index, 1);
        return HttpResponse.json(removed);
      }),
    ],
  };
}

test('a Viewer sees the whitelist with its sources and expiries, and no form', async () => {
  const expiring: WhitelistEntry = {
    ip: '192.0.2.50',
    reason: 'uptime probe',
    actor: 'alice',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: new Date(Date.now() + 25 * 3_600_000).toISOString(),
    source: 'api',
  };
  server.use(...whitelistBackend([fromConfig, expiring]).handlers);
  renderBansPage('/bans?tab=whitelist');
  const row = (await screen.findByText('192.0.2.50')).closest('tr') as HTMLElement;
  expect(within(row).getByText(/^in 1d( 0h)?$/)).toBeInTheDocument();
  expect(within(row).getByText('uptime probe')).toBeInTheDocument();
  const configRow = screen.getByText('10.0.0.0/8').closest('tr') as HTMLElement;
  // the source badge, and the reason the backend gives file entries
  expect(within(configRow).getAllByText('configuration file')).toHaveLength(2);
  expect(within(configRow).getByText('never')).toBeInTheDocument();
  expect(screen.queryByRole('form', { name: 'Whitelist an address' })).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
});

test('an Admin whitelists with an expiry and removes an API entry; configuration entries have no Remove', async () => {
  const user = userEvent.setup();
  setOrgRole(OrgRole.Admin);
  const backend = whitelistBackend([fromConfig]);
  server.use(...backend.handlers);
  renderBansPage('/bans?tab=whitelist&ip=198.51.100.20');

  const form = await screen.findByRole('form', { name: 'Whitelist an address' });
  expect(within(form).getByLabelText('IP or CIDR')).toHaveValue('198.51.100.20');
  await user.click(within(form).getByRole('radio', { name: '24 hours' }));
  await user.type(within(form).getByLabelText('Reason'), 'partner VPN');
  await user.click(within(form).getByRole('button', { name: 'Whitelist' }));

  expect(await screen.findByText('1 ban(s) in force were lifted')).toBeInTheDocument();
  expect(backend.bodies[0]).toEqual({ ip: '198.51.100.20', reason: 'partner VPN', ttlSeconds: 86400 });
  const row = (await screen.findByText('198.51.100.20', { selector: 'span' })).closest('tr') as HTMLElement;
  expect(within(row).getByText(/^in (23h 59m|1d)$/)).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Remove 10.0.0.0/8 from the whitelist' })).not.toBeInTheDocument();

  await user.click(within(row).getByRole('button', { name: 'Remove 198.51.100.20 from the whitelist' }));
  await user.type(within(screen.getByRole('dialog')).getByLabelText(/^Reason/), 'contract ended');
  await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' }));
  await waitFor(() => expect(screen.queryByText('198.51.100.20', { selector: 'span' })).not.toBeInTheDocument());
  expect(backend.bodies[1]).toEqual({ ip: '198.51.100.20', reason: 'contract ended' });
});

import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OrgRole, type AppRootProps } from '@grafana/data';
import type { JailStatus } from '../../api/types';
import App from '../../components/App/App';
import { renderWithProviders } from '../../test/render';
import { setOrgRole } from '../../test/roles';
import { proxied, server, startServer } from '../../test/server';

startServer();
afterEach(() => setOrgRole(OrgRole.Viewer));

const renderBansPage = (route: string) => renderWithProviders(<App {...({} as AppRootProps)} />, { route });

const jail = (name: string, bannedIps: string[]): JailStatus => ({
  jail: name,
  currentlyFailed: 2,
  totalFailed: 41,
  currentlyBanned: bannedIps.length,
  totalBanned: 7,
  bannedIps,
});

/** Fail2ban's routes over in-memory jails, as `fail2ban-client` would change them. */
function fail2banBackend(jails: JailStatus[]) {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  const find = (name: string) => jails.find((j) => j.jail === name);
  return {
    jails,
    calls,
    handlers: [
      http.get(proxied('api/fail2ban/status'), () => HttpResponse.json({ jails })),
      http.post(proxied('admin/fail2ban/jails/:jail/ban'), async ({ request, params }) => {
        const body = (await request.json()) as { ip: string; reason: string };
        calls.push({ method: 'POST', path: new URL(request.url).pathname, body });
        const target = find(String(params.jail));
        if (!target) {
          return HttpResponse.json({ message: `Fail2ban has no jail named ${params.jail}` }, { status: 404 });
        }
        const changed = !target.bannedIps.includes(body.ip);
        target.bannedIps = changed ? [...target.bannedIps, body.ip] : target.bannedIps;
        return HttpResponse.json({ jail: target.jail, ip: body.ip, changed });
      }),
      http.delete(proxied('admin/fail2ban/jails/:jail/ban/:ip'), async ({ request, params }) => {
        calls.push({ method: 'DELETE', path: new URL(request.url).pathname, body: await request.json() });
        const target = find(String(params.jail)) as JailStatus;
        target.bannedIps = target.bannedIps.filter((ip) => ip !== params.ip);
        return HttpResponse.json({ jail: target.jail, ip: params.ip, changed: true });
      }),
    ],
  };
}

test('a Viewer sees each jail’s counters and banned addresses, without actions', async () => {
  server.use(...fail2banBackend([jail('sshd', ['192.0.2.10']), jail('cartae-api-auth', [])]).handlers);
  renderBansPage('/bans?tab=fail2ban');
  const sshd = await screen.findByRole('region', { name: 'Jail sshd' });
  expect(within(sshd).getByText('Total failed').nextSibling).toHaveTextContent('41');
  expect(within(sshd).getByText('Currently banned').nextSibling).toHaveTextContent('1');
  expect(within(sshd).getByText('192.0.2.10')).toBeInTheDocument();
  expect(
    within(screen.getByRole('region', { name: 'Jail cartae-api-auth' })).getByText('No address is banned in this jail.')
  ).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: /Unban|Ban in/ })).not.toBeInTheDocument();
});

test('?jail= focuses that jail; an Admin bans and unbans in it, with the reason', async () => {
  const user = userEvent.setup();
  setOrgRole(OrgRole.Admin);
  const backend = fail2banBackend([jail('sshd', ['192.0.2.10']), jail('cartae-api-auth', [])]);
  server.use(...backend.handlers);
  renderBansPage('/bans?jail=cartae-api-auth&ip=203.0.113.5');

  const card = await screen.findByRole('region', { name: 'Jail cartae-api-auth' });
  expect(screen.queryByRole('region', { name: 'Jail sshd' })).not.toBeInTheDocument();
  expect(screen.getByRole('tab', { name: 'Fail2ban jails' })).toHaveAttribute('aria-selected', 'true');

  const form = within(card).getByRole('form', { name: 'Ban in cartae-api-auth' });
  expect(within(form).getByLabelText('IP')).toHaveValue('203.0.113.5');
  await user.clear(within(form).getByLabelText('IP'));
  await user.type(within(form).getByLabelText('IP'), '203.0.113.0/24');
  await user.type(within(form).getByLabelText('Reason'), 'API abuse');
  await user.click(within(form).getByRole('button', { name: 'Ban in cartae-api-auth' }));
  expect(await within(form).findByText('Fail2ban bans single addresses, not blocks')).toBeInTheDocument();
  expect(backend.calls).toHaveLength(0);

  await user.clear(within(form).getByLabelText('IP'));
  await user.type(within(form).getByLabelText('IP'), '203.0.113.5');
  await user.click(within(form).getByRole('button', { name: 'Ban in cartae-api-auth' }));
  expect(await within(card).findByText('203.0.113.5', { selector: 'span' })).toBeInTheDocument();
  expect(backend.calls[0]).toEqual({
    method: 'POST',
    path: '/api/plugin-proxy/cartae-secops-app/admin/fail2ban/jails/cartae-api-auth/ban',
    body: { ip: '203.0.113.5', reason: 'API abuse' },
  });

  await user.click(within(card).getByRole('button', { name: 'Unban 203.0.113.5 in cartae-api-auth' }));
  await user.type(within(screen.getByRole('dialog')).getByLabelText(/^Reason/), 'test done');
  await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Unban' }));
  await waitFor(() => expect(within(card).queryByText('203.0.113.5', { selector: 'span' })).not.toBeInTheDocument());
  expect(backend.calls[1]).toMatchObject({ method: 'DELETE', body: { reason: 'test done' } });

  await user.click(screen.getByRole('button', { name: 'Show all 2 jails' }));
  expect(await screen.findByRole('region', { name: 'Jail sshd' })).toBeInTheDocument();
});

test('a jail the host does not have is named; Fail2ban not running on the backend is a state, not an error', async () => {
  server.use(...fail2banBackend([jail('sshd', [])]).handlers);
  const { unmount } = renderBansPage('/bans?jail=nginx-botsearch');
  expect(await screen.findByText('Fail2ban has no jail named nginx-botsearch')).toBeInTheDocument();
  expect(screen.getByText(/Jails here: sshd/)).toBeInTheDocument();
  unmount();

  const reason = 'Fail2ban is not reachable at /var/run/fail2ban/fail2ban.sock (is fail2ban-server running?)';
  server.use(http.get(proxied('api/fail2ban/status'), () => HttpResponse.json({ message: reason }, { status: 503 })));
  const { unmount: unmountUnavailable } = renderBansPage('/bans?tab=fail2ban');
  expect(await screen.findByText('Fail2ban is not available on the backend')).toBeInTheDocument();
  expect(screen.getByText(reason)).toBeInTheDocument();
  expect(screen.queryByText(/Could not read Fail2ban/)).not.toBeInTheDocument();
  unmountUnavailable();

  // fail2ban-client ran and failed: the backend's 502 says so (not "the backend could not be reached").
  const failed = 'fail2ban-client failed (exit 255)';
  server.use(http.get(proxied('api/fail2ban/status'), () => HttpResponse.json({ message: failed }, { status: 502 })));
  renderBansPage('/bans?tab=fail2ban');
  // A 5xx is retried twice (with back-off) before the error shows.
  expect(await screen.findByText('Could not read Fail2ban', undefined, { timeout: 15_000 })).toBeInTheDocument();
  expect(screen.getByText(failed)).toBeInTheDocument();
});

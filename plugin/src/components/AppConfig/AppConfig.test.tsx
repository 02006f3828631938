import React from 'react';
import { http, HttpResponse } from 'msw';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginType } from '@grafana/data';
import { proxied, server, startServer } from '../../test/server';
import { renderWithProviders } from '../../test/render';
import { reloadPage } from '../../utils/reload';
import AppConfig, { type AppConfigProps } from './AppConfig';

// A page reload is a browser side effect jsdom cannot do; everything before it is real.
jest.mock('../../utils/reload', () => ({ reloadPage: jest.fn() }));

startServer();

const meta = {
  id: 'cartae-secops-app',
  name: 'Cartae Security Ops',
  type: PluginType.app,
  enabled: true,
  pinned: true,
  jsonData: { backendUrl: 'http://secops-api:3010' },
  secureJsonFields: { viewerToken: true, adminToken: true },
};

function renderConfig() {
  return renderWithProviders(<AppConfig {...({ plugin: { meta }, query: {} } as unknown as AppConfigProps)} />);
}

test('configured tokens show as configured and only changed secrets are sent', async () => {
  const user = userEvent.setup();
  let body: unknown;
  server.use(
    http.post('http://localhost/api/plugins/cartae-secops-app/settings', async ({ request }) => {
      body = await request.json();
      return HttpResponse.json({ message: 'Plugin settings updated' });
    })
  );
  renderConfig();
  expect(screen.getAllByRole('button', { name: 'Reset' })).toHaveLength(2);

  await user.clear(screen.getByLabelText(/^Backend URL/));
  await user.click(screen.getByLabelText(/^Backend URL/));
  await user.paste('http://10.0.0.5:3010/');
  await user.click(screen.getAllByRole('button', { name: 'Reset' })[1]);
  await user.click(screen.getByLabelText(/^Admin token/));
  await user.paste('new-admin-token');
  await user.click(screen.getByRole('button', { name: 'Save settings' }));

  await waitFor(() => expect(reloadPage).toHaveBeenCalled());
  expect(body).toEqual({
    enabled: true,
    pinned: true,
    jsonData: { backendUrl: 'http://10.0.0.5:3010' },
    secureJsonData: { adminToken: 'new-admin-token' },
  });
});

test('an invalid backend URL cannot be saved', async () => {
  const user = userEvent.setup();
  renderConfig();
  await user.clear(screen.getByLabelText(/^Backend URL/));
  await user.click(screen.getByLabelText(/^Backend URL/));
  await user.paste('ftp://secops');
  expect(screen.getByText('Use an http:// or https:// URL')).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
});

test('"Test connection" reports readiness and the role of each token', async () => {
  const user = userEvent.setup();
  server.use(
    http.get(proxied('ready'), () =>
      HttpResponse.json({
        status: 'ready',
        database: { kind: 'postgres', reachable: true },
        migrations: { applied: 7, pending: [] },
      })
    ),
    http.get(proxied('api/system/session'), () => HttpResponse.json({ role: 'viewer', user: 'token:viewer' })),
    http.get(proxied('admin/system/session'), () => HttpResponse.json({ message: 'invalid token' }, { status: 401 }))
  );
  renderConfig();
  await user.click(screen.getByRole('button', { name: 'Test connection' }));
  expect(await screen.findByText('Connection problem')).toBeInTheDocument();
  expect(screen.getByText('Backend ready (postgres, 7 migrations applied)')).toBeInTheDocument();
  expect(screen.getByText('Viewer token accepted (role viewer)')).toBeInTheDocument();
  expect(screen.getByText(/Admin token: The secops backend refused the token .*invalid token/)).toBeInTheDocument();
});

test('an unreachable backend is said so', async () => {
  const user = userEvent.setup();
  server.use(
    http.get(proxied('ready'), () => HttpResponse.json({ message: 'Bad Gateway' }, { status: 502 })),
    http.get(proxied('api/system/session'), () => HttpResponse.json({ message: 'Bad Gateway' }, { status: 502 })),
    http.get(proxied('admin/system/session'), () => HttpResponse.json({ message: 'Bad Gateway' }, { status: 502 }))
  );
  renderConfig();
  await user.click(screen.getByRole('button', { name: 'Test connection' }));
  expect(await screen.findByText(/Backend unreachable: The secops backend could not be reached/)).toBeInTheDocument();
});

import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import type { SecopsOptions, SecopsSecureOptions } from '../../types';
import { ConfigEditor } from './ConfigEditor';

type Settings = DataSourceSettings<SecopsOptions, SecopsSecureOptions>;

const provisioned = {
  id: 1,
  uid: 'cartae-secops',
  orgId: 1,
  name: 'Cartae Security Ops',
  type: 'cartae-secops-datasource',
  access: 'proxy',
  url: '',
  jsonData: { backendUrl: 'http://backend:3010' },
  secureJsonFields: { viewerToken: true },
} as unknown as Settings;

/** Grafana's data source page keeps the settings and hands each change back as props. */
function renderEditor(initial: Settings) {
  const changes: Settings[] = [];
  function Page() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          changes.push(next);
          setOptions(next);
        }}
      />
    );
  }
  render(<Page />);
  return changes;
}

test('the backend URL goes to jsonData, a new viewer token to secureJsonData only', async () => {
  const user = userEvent.setup();
  const changes = renderEditor(provisioned);
  // A saved token is shown as configured, never read back.
  expect(screen.getByLabelText(/^Viewer token/)).toHaveValue('configured');

  await user.clear(screen.getByLabelText(/^Backend URL/));
  await user.type(screen.getByLabelText(/^Backend URL/), 'http://10.0.0.5:3010');
  await user.click(screen.getByRole('button', { name: 'Reset' }));
  await user.type(screen.getByLabelText(/^Viewer token/), 'new-viewer-token');

  const last = changes[changes.length - 1];
  expect(last.jsonData).toEqual({ backendUrl: 'http://10.0.0.5:3010' });
  expect(last.secureJsonFields).toEqual({ viewerToken: false });
  expect(last.secureJsonData).toEqual({ viewerToken: 'new-viewer-token' });
});

test('an invalid backend URL is pointed out once the field is left', async () => {
  const user = userEvent.setup();
  renderEditor({ ...provisioned, jsonData: {}, secureJsonFields: {} });
  expect(screen.queryByText('The backend URL is required')).not.toBeInTheDocument();

  await user.click(screen.getByLabelText(/^Backend URL/));
  await user.tab();
  expect(screen.getByText('The backend URL is required')).toBeInTheDocument();

  await user.type(screen.getByLabelText(/^Backend URL/), 'ftp://backend');
  expect(screen.getByText('Use an http:// or https:// URL')).toBeInTheDocument();
  await user.clear(screen.getByLabelText(/^Backend URL/));
  await user.type(screen.getByLabelText(/^Backend URL/), 'http://backend:3010/');
  expect(screen.getByText('Remove the trailing "/"')).toBeInTheDocument();
});

import React, { type ReactElement } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { EventBusSrv } from '@grafana/data';
import { setAppEvents, setBackendSrv } from '@grafana/runtime';
import { backendSrv } from '../../host/backendSrv';
import { createQueryClient } from '../data/queryClient';

// What Grafana provides to a plugin: a BackendSrv doing real HTTP (which MSW answers) and the app event bus.
setBackendSrv(backendSrv);
export const appEvents = new EventBusSrv();
setAppEvents(appEvents);

export function renderWithProviders(ui: ReactElement, { route = '/' }: { route?: string } = {}) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
    </QueryClientProvider>
  );
}

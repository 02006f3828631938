import { setupServer } from 'msw/node';

/** One MSW server for a test file; handlers are added per test with `server.use(...)`. */
export const server = setupServer();

export function startServer(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

/** The plugin proxy URL of a proxied path, as MSW sees it (jsdom's origin is http://localhost). */
export const proxied = (path: string) => `http://localhost/api/plugin-proxy/cartae-secops-app/${path}`;

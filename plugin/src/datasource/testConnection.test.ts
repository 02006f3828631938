import { http, HttpResponse } from 'msw';
import { server, startServer } from '../test/server';
import { createDataSource, dsProxied } from './test/fixtures';

startServer();

const READY = {
  status: 'ready',
  database: { kind: 'postgres', reachable: true },
  migrations: { applied: 9, pending: [] },
};

function answer(ready: [number, unknown] | 'network', session?: [number, unknown] | string) {
  server.use(
    http.get(dsProxied('ready'), () =>
      ready === 'network' ? HttpResponse.error() : HttpResponse.json(ready[1] as object, { status: ready[0] })
    ),
    http.get(dsProxied('api/system/session'), () =>
      typeof session === 'string'
        ? new HttpResponse(session, { status: 400 })
        : HttpResponse.json((session?.[1] ?? {}) as object, { status: session?.[0] ?? 500 })
    )
  );
}

test('success names the backend and the role of the token', async () => {
  answer([200, READY], [200, { role: 'viewer', user: 'grafana' }]);
  await expect(createDataSource().testDatasource()).resolves.toEqual({
    status: 'success',
    message: 'Connected to the secops backend at http://backend:3010 as viewer.',
  });
});

test('a refused token: Grafana turns the 401 into 400 "Authentication to data source failed"', async () => {
  answer([200, READY], 'Authentication to data source failed');
  const result = await createDataSource().testDatasource();
  expect(result.status).toBe('error');
  expect(result.message).toMatch(/refused the viewer token of this data source/);
});

test('an admin token works but is called out: the data source only reads', async () => {
  answer([200, READY], [200, { role: 'admin', user: 'grafana' }]);
  const result = await createDataSource().testDatasource();
  expect(result.status).toBe('success');
  expect(result.message).toMatch(/admin token.*give it the viewer token/);
});

test('a backend that is not ready says why', async () => {
  answer([503, { ...READY, status: 'not_ready', migrations: { applied: 8, pending: ['0009_bans'] } }]);
  await expect(createDataSource().testDatasource()).resolves.toEqual({
    status: 'error',
    message: 'The secops backend at http://backend:3010 is not ready: migrations are pending: 0009_bans.',
  });
});

test('an unreachable backend (the proxy answers 502) and a missing URL are told apart', async () => {
  answer([502, { message: 'Bad Gateway' }]);
  expect((await createDataSource().testDatasource()).message).toMatch(
    /did not answer \/ready: .*could not be reached at the backend URL/
  );
  expect((await createDataSource({}).testDatasource()).message).toMatch(/^Set the backend URL/);
});

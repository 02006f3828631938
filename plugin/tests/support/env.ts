/**
 * One environment for the Playwright runner and its workers (they inherit the runner's process.env): ports, the
 * backend tokens (SECOPS_*_TOKEN, generated when unset) and, on PostgreSQL, the schema the backend runs in.
 */
import { randomBytes } from 'node:crypto';

const token = () => randomBytes(32).toString('hex');
const env = process.env;

env.SECOPS_VIEWER_TOKEN ??= token();
env.SECOPS_ADMIN_TOKEN ??= token();
env.SECOPS_INGEST_TOKEN ??= token();
env.E2E_BACKEND_PORT ??= '43210';
env.E2E_HOST_PORT ??= '43220';
env.E2E_RUN_ID ??= randomBytes(4).toString('hex');
if (env.TEST_DATABASE_URL) {
  env.E2E_DATABASE_SCHEMA ??= `e2e_plugin_${env.E2E_RUN_ID}`;
}

export const e2e = {
  viewerToken: env.SECOPS_VIEWER_TOKEN,
  adminToken: env.SECOPS_ADMIN_TOKEN,
  ingestToken: env.SECOPS_INGEST_TOKEN,
  /** Where this test run reaches the backend (seeding through the ingest token). */
  backendUrl: env.E2E_BACKEND_URL ?? `http://127.0.0.1:${env.E2E_BACKEND_PORT}`,
  /** Where Grafana (or the test host) reaches the backend: the app's backendUrl setting. */
  backendUrlForGrafana:
    env.E2E_BACKEND_URL_FOR_GRAFANA ?? env.E2E_BACKEND_URL ?? `http://127.0.0.1:${env.E2E_BACKEND_PORT}`,
  hostUrl: `http://127.0.0.1:${env.E2E_HOST_PORT}`,
  grafanaUrl: env.GRAFANA_URL,
  databaseUrl: env.TEST_DATABASE_URL,
  databaseSchema: env.E2E_DATABASE_SCHEMA,
  runId: env.E2E_RUN_ID,
  /** The uid of the nested data source's instance (provisioning/grafana/datasources/datasources.yml). */
  dataSourceUid: env.E2E_DATASOURCE_UID ?? 'cartae-secops',
};

import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig } from '@playwright/test';
import { dirname } from 'node:path';
import { chromiumLaunchOptions } from './tests/support/chromium';
import { e2e } from './tests/support/env';

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;
const viewer = { user: 'secops-viewer', password: 'viewer-e2e-password', role: 'Viewer' as const };

/**
 * E2E specs run against the test host (host/), which loads dist/module.js as Grafana does, in front of the real
 * backend started here; with GRAFANA_URL set, the same specs run against that Grafana instead (the plugin and a
 * backend reachable from it provisioned there; see README).
 * Debian's Chromium (apt-get install chromium), never a downloaded browser.
 */
export default defineConfig<PluginOptions>({
  testDir: './tests',
  fullyParallel: false,
  // two cores, one backend: one browser at a time
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./tests/support/summary-reporter.ts']],
  use: {
    baseURL: e2e.grafanaUrl ?? e2e.hostUrl,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
  webServer: [
    {
      command: 'node tests/support/backend.mjs',
      url: `${e2e.backendUrl}/ready`,
      timeout: 60_000,
      reuseExistingServer: false,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
      stdout: 'pipe',
    },
    ...(e2e.grafanaUrl
      ? []
      : [
          {
            command: 'node host/server.mjs',
            url: `${e2e.hostUrl}/login`,
            timeout: 30_000,
            reuseExistingServer: false,
            env: {
              PORT: process.env.E2E_HOST_PORT as string,
              PLUGIN_JSONDATA: JSON.stringify({ backendUrl: e2e.backendUrlForGrafana }),
              PLUGIN_SECUREJSONDATA: JSON.stringify({ viewerToken: e2e.viewerToken, adminToken: e2e.adminToken }),
              // The nested data source as provisioning/grafana/datasources/datasources.yml declares it.
              HOST_DATASOURCES: JSON.stringify([
                {
                  uid: e2e.dataSourceUid,
                  name: 'Cartae Security Ops',
                  type: 'cartae-secops-datasource',
                  jsonData: { backendUrl: e2e.backendUrlForGrafana },
                  secureJsonData: { viewerToken: e2e.viewerToken },
                },
              ]),
            },
          },
        ]),
  ],
  projects: [
    // 1. Sign in (plugin-e2e's own setup): the admin, and a Viewer it creates through Grafana's API.
    { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
    { name: 'auth-viewer', testDir: pluginE2eAuth, testMatch: [/.*\.js/], use: { user: viewer } },
    // 2. As admin, then as Viewer.
    {
      name: 'admin',
      testIgnore: [/viewer\.spec\.ts/, /tamper\.spec\.ts/],
      use: { storageState: 'playwright/.auth/admin.json' },
      dependencies: ['auth'],
    },
    {
      name: 'viewer',
      testMatch: [/viewer\.spec\.ts/],
      use: { storageState: `playwright/.auth/${viewer.user}.json`, user: viewer },
      dependencies: ['auth-viewer'],
    },
    // 3. Last, because it breaks the trail for good: tamper with a row, then "Verify chain" must say where.
    {
      name: 'tamper',
      testMatch: [/tamper\.spec\.ts/],
      use: { storageState: 'playwright/.auth/admin.json' },
      dependencies: ['admin', 'viewer'],
    },
  ],
});

import { expect, PLUGIN_ID, test } from './fixtures';
import { e2e } from './support/env';

/**
 * The test host must boot like Grafana for page timings (bench/) to mean anything: Grafana loads its code editor
 * (Monaco) only where one is shown, and in production lets the browser keep its bundles and plugin files.
 */
test.describe('test host', () => {
  test.skip(Boolean(e2e.grafanaUrl), 'checks the test host, not Grafana');

  test('the Audit log page loads no code editor', async ({ gotoPage, page }) => {
    const scripts: string[] = [];
    page.on('response', (response) => {
      const url = response.url();
      if (new URL(url).pathname.startsWith('/public/build/') && /\.js(\?|$)/.test(url)) {
        scripts.push(url);
      }
    });
    await gotoPage('/audit');
    await expect(page.getByRole('form', { name: 'Audit log filters' })).toBeVisible();
    await page.waitForLoadState('networkidle');

    expect(scripts.map((url) => new URL(url).pathname)).toContain('/public/build/host.js');
    // Monaco's global configuration hook: present in Monaco's own code only, wherever a bundler put it.
    const withMonaco: string[] = [];
    for (const url of scripts) {
      if ((await (await page.request.get(url)).text()).includes('MonacoEnvironment')) {
        withMonaco.push(url);
      }
    }
    expect(withMonaco).toEqual([]);
  });

  test('a page opened again takes the host and plugin files from the browser cache', async ({ browser }) => {
    // A context of its own: Playwright turns the HTTP cache off in pages with request routing, as fixtures may set.
    const context = await browser.newContext({ baseURL: e2e.hostUrl });
    const login = await context.request.post('/login', { data: { user: 'admin', password: 'admin' } });
    expect(login.ok()).toBe(true);
    const page = await context.newPage();
    const auditPage = `/a/${PLUGIN_ID}/audit`;
    await page.goto(auditPage);
    await page.waitForLoadState('networkidle');
    await page.goto(auditPage);
    await expect(page.getByRole('form', { name: 'Audit log filters' })).toBeVisible();

    // transferSize is 0 for a resource the browser took from its cache.
    const transferred = await page.evaluate(() =>
      Object.fromEntries(
        (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => [
          new URL(e.name).pathname,
          e.transferSize,
        ])
      )
    );
    expect(transferred['/public/build/host.js']).toBe(0);
    expect(transferred[`/public/plugins/${PLUGIN_ID}/module.js`]).toBe(0);
    await context.close();
  });
});

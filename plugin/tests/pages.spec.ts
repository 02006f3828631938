import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, PLUGIN_ID, SCREENSHOTS, test } from './fixtures';
import { INITIAL_JS_BUDGET_BYTES, measureInitialJs } from './support/initialJs';

test.describe('app pages', () => {
  test('the app root opens the audit log', async ({ gotoPage, page }) => {
    await gotoPage('/');
    await expect(page).toHaveURL(new RegExp(`/a/${PLUGIN_ID}/audit`));
  });

  test('the JavaScript a page loads from the plugin stays within 300 KB gzipped', async ({ gotoPage, page }) => {
    const report = await measureInitialJs(page, PLUGIN_ID, ['audit', 'overview', 'bans'], (route) =>
      gotoPage(`/${route}`)
    );
    writeFileSync(path.join(SCREENSHOTS, '..', 'bundle-sizes.json'), JSON.stringify(report, null, 2));
    test.info().annotations.push({ type: 'bundle sizes (gzip)', description: JSON.stringify(report) });
    for (const [route, { gzipBytes }] of Object.entries(report)) {
      expect(gzipBytes, `initial JS of ${route}`).toBeGreaterThan(0);
      expect(gzipBytes, `initial JS of ${route}`).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    }
  });
});

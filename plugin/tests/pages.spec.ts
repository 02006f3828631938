import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Response } from '@playwright/test';
import { expect, PLUGIN_ID, SCREENSHOTS, test } from './fixtures';

const BUDGET_BYTES = 300 * 1024;

test.describe('app pages', () => {
  test('the app root opens the audit log', async ({ gotoPage, page }) => {
    await gotoPage('/');
    await expect(page).toHaveURL(new RegExp(`/a/${PLUGIN_ID}/audit`));
  });

  test('the JavaScript a page loads from the plugin stays within 300 KB gzipped', async ({ gotoPage, page }) => {
    const report: Record<string, { files: string[]; gzipBytes: number }> = {};
    for (const route of ['audit', 'overview', 'bans']) {
      const urls: string[] = [];
      const onResponse = (response: Response) => {
        const url = response.url();
        if (url.includes(`/public/plugins/${PLUGIN_ID}/`) && /\.js(\?|$)/.test(url) && !urls.includes(url)) {
          urls.push(url);
        }
      };
      page.on('response', onResponse);
      await gotoPage(`/${route}`);
      await page.waitForLoadState('networkidle');
      page.off('response', onResponse);
      // Fetched again (same URLs, same bytes) rather than read from responses a navigation may have released.
      const loaded = await Promise.all(
        urls.map(async (url) => ({ url, gzip: gzipSync(await (await page.request.get(url)).body()).length }))
      );
      report[route] = {
        files: loaded.map((s) => new URL(s.url).pathname.split('/').pop() as string),
        gzipBytes: loaded.reduce((n, s) => n + s.gzip, 0),
      };
      await page.goto('about:blank');
    }
    writeFileSync(path.join(SCREENSHOTS, '..', 'bundle-sizes.json'), JSON.stringify(report, null, 2));
    test.info().annotations.push({ type: 'bundle sizes (gzip)', description: JSON.stringify(report) });
    for (const [route, { gzipBytes }] of Object.entries(report)) {
      expect(gzipBytes, `initial JS of ${route}`).toBeGreaterThan(0);
      expect(gzipBytes, `initial JS of ${route}`).toBeLessThanOrEqual(BUDGET_BYTES);
    }
  });
});

import { gzipSync } from 'node:zlib';
import type { Page, Response } from '@playwright/test';

/** The plugin's JavaScript a page loads before it is usable, gzipped as a server would send it. */
export interface InitialJs {
  files: string[];
  gzipBytes: number;
}

/** The budget of the initial JavaScript of each app page (gzipped). */
export const INITIAL_JS_BUDGET_BYTES = 300 * 1024;

/**
 * Opens each route with `open` and sums the gzipped size of every script it loads from the plugin's folder
 * (`/public/plugins/<id>/`): module.js and the chunks of that page, until the network is idle.
 */
export async function measureInitialJs(
  page: Page,
  pluginId: string,
  routes: string[],
  open: (route: string) => Promise<unknown>
): Promise<Record<string, InitialJs>> {
  const report: Record<string, InitialJs> = {};
  for (const route of routes) {
    const urls: string[] = [];
    const onResponse = (response: Response) => {
      const url = response.url();
      if (url.includes(`/public/plugins/${pluginId}/`) && /\.js(\?|$)/.test(url) && !urls.includes(url)) {
        urls.push(url);
      }
    };
    page.on('response', onResponse);
    await open(route);
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
  return report;
}

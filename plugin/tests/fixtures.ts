import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type AppConfigPage, type AppPage, test as base } from '@grafana/plugin-e2e';
import type { Page } from '@playwright/test';
import pluginJson from '../src/plugin.json';

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  gotoPage: (path?: string) => Promise<AppPage>;
  /** Console errors and uncaught exceptions of the page so far. */
  consoleErrors: string[];
  /** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
  saveScreenshot: (name: string) => Promise<void>;
};

export const SCREENSHOTS = path.join(__dirname, '..', 'test-results', 'screenshots');

export const test = base.extend<AppTestFixture>({
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    const configPage = await gotoAppConfigPage({ pluginId: pluginJson.id });
    await use(configPage);
  },
  gotoPage: async ({ gotoAppPage }, use) => {
    await use((path) => gotoAppPage({ path, pluginId: pluginJson.id }));
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    // Grafana core's own fonts are not served by the test host (they are in no npm package): not the plugin's.
    const isHostAsset = (url: string) => url.includes('/public/fonts/');
    page.on('console', (message) => {
      // A failed load is reported below with its URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        errors.push(message.text());
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !isHostAsset(response.url())) {
        errors.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
      }
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    await use(errors);
  },
  saveScreenshot: async ({ page }, use) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await use(async (name) => {
      await settle(page);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    });
  },
});

/** Lets icons and fonts finish loading so that screenshots show the page as a person would see it. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
}

export const PLUGIN_ID = pluginJson.id;
export { expect } from '@grafana/plugin-e2e';

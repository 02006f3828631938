import { expect, test } from './fixtures';
import { e2e } from './support/env';

test.describe('settings page', () => {
  test('saves the backend URL and tokens, and "Test connection" checks each route', async ({
    appConfigPage,
    page,
    consoleErrors,
    saveScreenshot,
  }) => {
    // Tokens already set show as configured: never sent back to the browser.
    await expect(page.getByRole('button', { name: 'Reset' })).toHaveCount(2);
    await saveScreenshot('settings');

    await page.getByLabel('Backend URL').fill(`${e2e.backendUrlForGrafana}/`);
    await page.getByRole('button', { name: 'Reset' }).first().click();
    await page.getByLabel('Viewer token').fill(e2e.viewerToken);
    const saved = appConfigPage.waitForSettingsResponse();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(saved).toBeOK();
    const body = (await saved).request().postDataJSON();
    expect(body.jsonData).toEqual({ backendUrl: e2e.backendUrlForGrafana });
    // Only the secret that was typed again is sent.
    expect(Object.keys(body.secureJsonData)).toEqual(['viewerToken']);

    // The page reloads with the saved settings.
    await expect(page.getByLabel('Backend URL')).toHaveValue(e2e.backendUrlForGrafana);
    await expect(page.getByRole('button', { name: 'Reset' })).toHaveCount(2);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByText('Connection works')).toBeVisible();
    await expect(page.getByText(/Backend ready \((pglite|postgres), \d+ migrations applied\)/)).toBeVisible();
    await expect(page.getByText('Viewer token accepted (role viewer)')).toBeVisible();
    await expect(page.getByText('Admin token accepted (role admin)')).toBeVisible();
    await saveScreenshot('settings-connection-ok');
    expect(consoleErrors).toEqual([]);
  });

  test('a wrong token is reported by "Test connection", and fixing it works again', async ({ appConfigPage, page }) => {
    const save = async () => {
      const saved = appConfigPage.waitForSettingsResponse();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect(saved).toBeOK();
      await expect(page.getByRole('button', { name: 'Reset' })).toHaveCount(2);
    };
    await page.getByRole('button', { name: 'Reset' }).nth(1).click();
    await page.getByLabel('Admin token').fill('0'.repeat(64));
    await save();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByText('Connection problem')).toBeVisible();
    await expect(page.getByText(/Admin token: The secops backend refused the token/)).toBeVisible();

    await page.getByRole('button', { name: 'Reset' }).nth(1).click();
    await page.getByLabel('Admin token').fill(e2e.adminToken);
    await save();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByText('Connection works')).toBeVisible();
  });
});

import { expect, PLUGIN_ID, test } from './fixtures';

test.describe('as a Viewer', () => {
  test('the audit log shows no admin action', async ({ gotoPage, page, consoleErrors, saveScreenshot }) => {
    await gotoPage('/audit');
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
    await expect(page.getByRole('button', { name: /Details of entry/ }).first()).toBeVisible();
    // Reading, exporting and verifying are the Viewer's; signing a checkpoint is not.
    await expect(page.getByRole('link', { name: 'Export CSV' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Verify chain' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign checkpoint' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByText(/Chain valid: \d+ entries/)).toBeVisible();
    await saveScreenshot('viewer-audit-log');
    expect(consoleErrors).toEqual([]);
  });

  test('a forced admin request is refused by the proxy route, and settings cannot be changed', async ({ page }) => {
    const signed = await page.request.post(`/api/plugin-proxy/${PLUGIN_ID}/admin/audit/checkpoint`);
    expect(signed.status()).toBe(403);
    expect((await signed.json()).message).toMatch(/plugin proxy route access denied/i);

    const settings = await page.request.post(`/api/plugins/${PLUGIN_ID}/settings`, {
      data: { enabled: true, jsonData: { backendUrl: 'http://attacker.invalid' } },
    });
    expect(settings.status()).toBe(403);

    // Reads through the Viewer route still work.
    const events = await page.request.get(`/api/plugin-proxy/${PLUGIN_ID}/api/audit/events?limit=1`);
    expect(events.status()).toBe(200);
  });
});

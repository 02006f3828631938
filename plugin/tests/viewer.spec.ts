import type { Ban } from '../src/api/types';
import { expect, PLUGIN_ID, test } from './fixtures';
import { callBackend, runAddress } from './support/backendApi';

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

test.describe('Bans as a Viewer', () => {
  test('lists bans without any action; a forced ban is refused', async ({
    gotoPage,
    page,
    consoleErrors,
    saveScreenshot,
  }) => {
    const ip = runAddress(6);
    const banned = await callBackend<Ban>('admin', '/api/security/ban', {
      method: 'POST',
      body: { ip, duration: 600, reason: 'e2e: seen by a viewer' },
    });
    expect(banned.status).toBe(201);
    try {
      await gotoPage('/bans');
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: ip }) });
      await expect(row.getByText('e2e: seen by a viewer')).toBeVisible();
      await expect(page.getByRole('button', { name: /Unban/ })).toHaveCount(0);
      await expect(page.getByRole('form', { name: 'Ban an address' })).toHaveCount(0);
      await saveScreenshot('viewer-bans');
      await page.getByRole('tab', { name: 'Whitelist' }).click();
      await expect(
        page.getByText('An admin can whitelist', { exact: false }).or(page.getByRole('table'))
      ).toBeVisible();
      await expect(page.getByRole('form', { name: 'Whitelist an address' })).toHaveCount(0);
      await page.getByRole('tab', { name: 'Fail2ban jails' }).click();
      await expect(
        page
          .getByRole('region', { name: /^Jail / })
          .first()
          .or(page.getByText(/Fail2ban is not/))
      ).toBeVisible();
      await expect(page.getByRole('button', { name: /Ban in|Unban/ })).toHaveCount(0);
      expect(consoleErrors).toEqual([]);

      const forced = await page.request.post(`/api/plugin-proxy/${PLUGIN_ID}/admin/security/ban`, {
        data: { ip: runAddress(7), duration: 600, reason: 'forced by a viewer' },
      });
      expect(forced.status()).toBe(403);
      const unban = await page.request.delete(`/api/plugin-proxy/${PLUGIN_ID}/admin/security/ban`, {
        data: { ip, reason: 'forced by a viewer' },
      });
      expect(unban.status()).toBe(403);
      // The Viewer route reads only: a POST through it matches no route.
      const viaViewerRoute = await page.request.post(`/api/plugin-proxy/${PLUGIN_ID}/api/security/ban`, {
        data: { ip: runAddress(7), duration: 600, reason: 'forced by a viewer' },
      });
      expect(viaViewerRoute.status()).toBeGreaterThanOrEqual(400);
      const bans = await callBackend<{ bans: Ban[] }>('viewer', `/api/soar/bans?ip=${runAddress(7)}`);
      expect(bans.body.bans).toEqual([]);
    } finally {
      await callBackend('admin', '/api/security/ban', { method: 'DELETE', body: { ip, reason: 'e2e: done' } });
    }
  });
});

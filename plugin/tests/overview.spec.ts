import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, PLUGIN_ID, SCREENSHOTS, test } from './fixtures';
import { ingestSecurityEvents, verifyAuditTrail } from './support/backendApi';
import { e2e } from './support/env';

// An address and a user of this run only (TEST-NET-3, never whitelisted by the default rules).
const attacker = `203.0.113.${(parseInt(e2e.runId, 16) % 250) + 2}`;
const user = `mallory-${e2e.runId}`;
/** The default rules ban an address after 5 failed logins within 10 minutes. */
const FAILED_LOGINS = 5;

/** The headline number of a card, as a number (thousands separators dropped). */
async function cardValue(page: Page, name: string): Promise<number> {
  const card = page.getByRole('region', { name });
  const value = card.getByTestId('stat-value');
  await expect(value).toHaveText(/^[\d,]+$/);
  return Number((await value.textContent())?.replace(/,/g, ''));
}

test.describe('overview', () => {
  test('counts and recent events follow new events by themselves, without console errors', async ({
    gotoPage,
    page,
    consoleErrors,
    saveScreenshot,
  }) => {
    await gotoPage('/overview');
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    const failedBefore = await cardValue(page, 'Failed logins (24 h)');
    const bansBefore = await cardValue(page, 'Active bans');
    const suspiciousBefore = await cardValue(page, 'Suspicious activities (24 h)');

    await ingestSecurityEvents(
      Array.from({ length: FAILED_LOGINS }, (_, i) => ({
        // One millisecond apart, so that the table's order (newest first) is theirs.
        time: new Date(Date.now() - (FAILED_LOGINS - i)).toISOString(),
        event: 'auth.login.failed',
        ip: attacker,
        user,
        msg: `invalid password #${i + 1}`,
      }))
    );
    await verifyAuditTrail();

    // No reload: the 5 s auto-refresh brings the new numbers (the expect timeout leaves room for two refreshes).
    const failed = page.getByRole('region', { name: 'Failed logins (24 h)' });
    await expect(failed.getByText(String(failedBefore + FAILED_LOGINS), { exact: true })).toBeVisible({
      timeout: 15_000,
    });
    await expect.poll(() => cardValue(page, 'Suspicious activities (24 h)')).toBe(suspiciousBefore + FAILED_LOGINS);
    // The fifth failure banned the address.
    await expect.poll(() => cardValue(page, 'Active bans')).toBe(bansBefore + 1);
    await expect(page.getByRole('region', { name: 'Audit integrity' }).getByText('Valid', { exact: true })).toBeVisible(
      {
        timeout: 15_000,
      }
    );

    const recent = page.getByRole('region', { name: 'Recent security events' });
    await expect(recent.getByRole('cell', { name: user, exact: true })).toHaveCount(FAILED_LOGINS);
    await expect(recent.getByText('banned (api-auth)')).toBeVisible();

    const top = page.getByRole('region', { name: 'Top attacking addresses (24 h)' });
    await expect(top.getByRole('cell', { name: attacker, exact: true })).toBeVisible();

    // The chart's legend names the types drawn.
    const chart = page.getByRole('region', { name: 'Events per type (24 h)' });
    await expect(chart.locator('canvas')).toBeVisible();
    await expect(chart.getByText('auth.login.failed')).toBeVisible();

    // Tall enough for the whole page, so that the full-page capture does not resize (and redraw) the chart.
    await page.setViewportSize({ width: 1400, height: 1100 });
    await expect(chart.getByText('auth.login.failed')).toBeVisible();
    await saveScreenshot('overview');

    // Hovering the newest bucket (at the right edge of the plot) shows its counts per type.
    const plot = await chart.locator('.u-over').boundingBox();
    expect(plot).not.toBeNull();
    const { x, y, width, height } = plot as NonNullable<typeof plot>;
    await page.mouse.move(x + width - 2, y + height / 2);
    await expect(page.getByText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} – \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)).toBeVisible();
    // The viewport only: a full-page capture resizes the page, which closes the tooltip.
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-chart-tooltip.png') });
    expect(consoleErrors).toEqual([]);
  });

  test('each top address leads to its bans and to the audit log filtered on it', async ({ gotoPage, page }) => {
    await ingestSecurityEvents([{ event: 'auth.login.failed', ip: attacker, user }]);
    await gotoPage('/overview');
    const top = page.getByRole('region', { name: 'Top attacking addresses (24 h)' });
    await expect(top.getByRole('link', { name: `Bans of ${attacker}` })).toHaveAttribute(
      'href',
      `/a/${PLUGIN_ID}/bans?ip=${attacker}`
    );

    await top.getByRole('link', { name: `Audit log of ${attacker}` }).click();
    await expect(page).toHaveURL(new RegExp(`/a/${PLUGIN_ID}/audit\\?ip=${attacker.replace(/\./g, '\\.')}$`));
    await expect(page.getByLabel('IP or CIDR')).toHaveValue(attacker);
  });

  test('auto-refresh can be paused and set to another interval; the choice stays in the URL', async ({
    gotoPage,
    page,
  }) => {
    await gotoPage('/overview');
    await page.getByRole('button', { name: /Choose refresh time interval/ }).click();
    await page.getByRole('menuitemradio', { name: /Turn off auto refresh/i }).click();
    await expect(page).toHaveURL(/refresh=off/);
    const failedBefore = await cardValue(page, 'Failed logins (24 h)');

    await ingestSecurityEvents([{ event: 'auth.login.failed', ip: attacker, user }]);
    await page.waitForTimeout(6_000);
    expect(await cardValue(page, 'Failed logins (24 h)')).toBe(failedBefore);

    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(() => cardValue(page, 'Failed logins (24 h)')).toBe(failedBefore + 1);

    await page.getByRole('button', { name: /Choose refresh time interval/ }).click();
    await page.getByRole('menuitemradio', { name: /10 seconds/i }).click();
    await expect(page).toHaveURL(/refresh=10s/);
  });
});

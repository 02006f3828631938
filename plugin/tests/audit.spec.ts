import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { seedEvents } from './support/seed';

const { alice, bob, events, seed } = seedEvents();
const count = (user: string, pred: (e: (typeof events)[number]) => boolean = () => true) =>
  events.filter((e) => e.username === user && pred(e)).length;

test.beforeAll(async () => {
  await seed();
});

test.describe('audit log', () => {
  test('renders the trail without console errors', async ({ gotoPage, page, consoleErrors, saveScreenshot }) => {
    await gotoPage('/audit');
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
    await expect(page.getByRole('cell', { name: bob, exact: true }).first()).toBeVisible();
    await saveScreenshot('audit-log');
    expect(consoleErrors).toEqual([]);
  });

  test('filters narrow the table and stay in the URL', async ({ gotoPage, page, saveScreenshot }) => {
    await gotoPage('/audit');
    const rows = page.getByRole('row').filter({ has: page.getByRole('button', { name: /Details of entry/ }) });

    await page.getByLabel('User').fill(alice);
    await page.getByLabel('User').press('Enter');
    await expect(rows).toHaveCount(count(alice));
    await expect(page).toHaveURL(new RegExp(`user=${alice}`));

    await page.getByRole('radio', { name: 'Failure' }).check({ force: true });
    await expect(rows).toHaveCount(count(alice, (e) => e.status === 'failure'));

    await page.getByLabel('IP or CIDR').fill('198.51.100.8/32');
    await page.getByLabel('IP or CIDR').press('Enter');
    await expect(rows).toHaveCount(1);
    await saveScreenshot('audit-log-filtered');

    // The URL alone restores the filters (a shared link), here with a full-text search and a CIDR block.
    await gotoPage(`/audit?user=${bob}&ip=203.0.113.0%2F24&q=unknown`);
    await expect(page.getByLabel('Search')).toHaveValue('unknown');
    await expect(rows).toHaveCount(1);

    // A date range in the future matches nothing: the empty state says so.
    await gotoPage(`/audit?user=${bob}&from=2999-01-01T00:00:00Z`);
    await expect(page.getByText('No audit entries match these filters')).toBeVisible();

    await page.getByLabel('IP or CIDR').fill('10.0.0.300');
    await page.getByLabel('IP or CIDR').press('Enter');
    await expect(page.getByText('Not an IP address or CIDR block')).toBeVisible();
  });

  test('exports download the filtered entries', async ({ gotoPage, page }) => {
    await gotoPage(`/audit?user=${alice}&status=failure`);
    const expected = count(alice, (e) => e.status === 'failure');

    const csvDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await csvDownload).path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(expected + 1);
    expect(csv.slice(1).every((line) => line.includes(alice) && line.includes('failure'))).toBe(true);

    const jsonDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export JSON' }).click();
    const rows = JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8')) as Array<{ username: string }>;
    expect(rows).toHaveLength(expected);
    expect(rows.every((row) => row.username === alice)).toBe(true);
  });

  test('the detail drawer shows the hashes and verifies the inclusion proof in the browser', async ({
    gotoPage,
    page,
    saveScreenshot,
  }) => {
    await gotoPage(`/audit?user=${bob}&action=export`);
    await page.getByRole('button', { name: /Details of entry/ }).click();
    const drawer = page.getByRole('dialog');
    await expect(drawer.getByText('leaf_hash')).toBeVisible();
    await expect(drawer.getByText('***REDACTED***')).toBeVisible();
    await expect(drawer.getByText('Verified in your browser')).toBeVisible();
    await expect(drawer.getByText(/Leaf hash recomputed from the entry bytes: matches/)).toBeVisible();
    await expect(drawer.getByText(/Inclusion proof in the tree of \d+ entries leads to the root/)).toBeVisible();
    await expect(page).toHaveURL(/entry=/);
    await saveScreenshot('audit-entry-drawer');
  });

  test('signing a checkpoint anchors the proof on a signed, verified tree head', async ({
    gotoPage,
    page,
    saveScreenshot,
  }) => {
    await gotoPage(`/audit?user=${alice}`);
    await page.getByRole('button', { name: 'Sign checkpoint' }).click();
    await expect(page.getByText('Checkpoint signed')).toBeVisible();
    await page
      .getByRole('button', { name: /Details of entry/ })
      .first()
      .click();
    const drawer = page.getByRole('dialog');
    await expect(drawer.getByText(/leads to the root of the latest signed checkpoint/)).toBeVisible();
    await expect(drawer.getByText(/Checkpoint signature valid \(Ed25519 key [0-9a-f]{64}\)/)).toBeVisible();
    await saveScreenshot('audit-entry-signed-checkpoint');
  });

  test('"Verify chain" re-hashes the trail and says it is valid', async ({ gotoPage, page, saveScreenshot }) => {
    await gotoPage('/audit');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByText(/Chain valid: \d+ entries/)).toBeVisible();
    await expect(page.getByText(/signed checkpoint\(s\) matched/)).toBeVisible();
    await saveScreenshot('audit-verify-valid');
  });
});

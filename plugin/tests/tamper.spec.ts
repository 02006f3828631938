import pg from 'pg';
import { expect, test } from './fixtures';
import { ingest } from './support/backendApi';
import { e2e } from './support/env';

// Needs the database the backend runs on: PostgreSQL (TEST_DATABASE_URL). On PGlite the database lives inside the
// backend process and cannot be reached from here.
test.skip(!e2e.databaseUrl || !e2e.databaseSchema, 'tampering needs TEST_DATABASE_URL (PostgreSQL)');

/** What an attacker with superuser access can do: bypass the WORM triggers and rewrite one stored entry. */
async function tamper(seq: number): Promise<void> {
  const client = new pg.Client({ connectionString: e2e.databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query(`SET LOCAL search_path TO ${e2e.databaseSchema}`);
    const result = await client.query(
      "UPDATE audit_log SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), 'tamper-me', 'tampered!'), 'UTF8') WHERE seq = $1",
      [seq]
    );
    expect(result.rowCount).toBe(1);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

test('"Verify chain" finds a tampered row and names its seq', async ({ gotoPage, page, saveScreenshot }) => {
  const seeded = await ingest([
    { action: 'login', resource: 'session', status: 'success', username: `tamper-me-${e2e.runId}` },
    { action: 'logout', resource: 'session', status: 'success', username: `after-${e2e.runId}` },
  ]);
  const firstSeq = (seeded as NonNullable<typeof seeded>).firstSeq;
  await gotoPage('/audit');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/Chain valid: \d+ entries/)).toBeVisible();

  await tamper(firstSeq);
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(`Chain invalid at seq ${firstSeq}`)).toBeVisible();
  await saveScreenshot('audit-verify-invalid');

  // The entry's own drawer shows the mismatch, computed in the browser.
  await gotoPage(`/audit?user=tamper-me-${e2e.runId}`);
  await page.getByRole('button', { name: /Details of entry/ }).click();
  await expect(page.getByRole('dialog').getByText('Verification failed')).toBeVisible();
  await saveScreenshot('audit-entry-tampered');
});

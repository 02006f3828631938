import type { AuditIntegrity } from '../../api/types';
import { integritySummary } from './overviewSummary';

const latest: NonNullable<AuditIntegrity['latest']> = {
  id: 3,
  startedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
  finishedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
  durationMs: 40,
  source: 'cli',
  actor: null,
  fromSeq: 0,
  toSeq: null,
  whole: true,
  valid: true,
  checked: 1200,
  treeSize: 1200,
  rootHash: 'b'.repeat(64),
  checkpointsChecked: 2,
  archived: 0,
};

test('never verified: says how to verify', () => {
  expect(integritySummary({ status: 'unknown', overdue: true, verifyIntervalHours: 0 })).toEqual({
    value: 'Not verified yet',
    detail: 'Run "Verify chain" on the Audit log page to check the whole trail.',
    tone: 'warning',
  });
});

test('valid but overdue: a warning that asks for a new verification', () => {
  expect(integritySummary({ status: 'valid', overdue: true, verifyIntervalHours: 1, latest })).toEqual({
    value: 'Valid',
    detail: '1200 entries, checked 3 hours ago (overdue: verify again)',
    tone: 'warning',
  });
  expect(integritySummary({ status: 'valid', overdue: false, verifyIntervalHours: 24, latest }).tone).toBe('success');
});

test('invalid without a first bad entry still says it is invalid', () => {
  const summary = integritySummary({ status: 'invalid', overdue: false, verifyIntervalHours: 24, latest });
  expect(summary).toMatchObject({ value: 'Invalid', tone: 'error' });
  expect(summary.detail).toMatch(/^first bad entry unknown; checked 3 hours ago$/);
});

import { canonicalBytes } from '../../src/audit/canonical-json';
import { buildEntry, entryBytes, type AuditEntry, type AuditEventInput } from '../../src/audit/entry';

const inputs: AuditEventInput[] = [
  { action: 'read', resource: 'bans', status: 'success' },
  {
    action: 'ban',
    resource: 'fail2ban/sshd',
    resourceId: '203.0.113.9',
    status: 'failure',
    statusCode: 409,
    responseTime: 12.5,
    errorMessage: 'already banned: "203.0.113.9"\n',
    userId: 'u-1',
    username: 'Zoë',
    method: 'post',
    path: '/api/bans',
    query: { b: 1, a: [true, null, 'x'] },
    body: { é: 1, e: 2, z: { '10': 'ten', '9': 'nine', '': 'empty' }, '\u{1F600}': 'emoji' },
    ip: '::ffff:192.0.2.1',
    userAgent: 'curl/8',
    metadata: { requestId: 'r-1', role: 'admin', nested: { deep: [1, 2.5, -0] } },
    timestamp: '2026-11-22T07:00:00+01:00',
  },
];

describe('entryBytes', () => {
  test.each(inputs.map((input, i) => [i, input] as const))(
    'entry %i: the same bytes as general RFC 8785 canonicalization',
    (_i, input) => {
      const entry = buildEntry(42, input, ['password']);
      expect(entryBytes(entry).toString('utf8')).toBe(canonicalBytes(entry).toString('utf8'));
    }
  );

  test('an entry with a key buildEntry never makes is canonicalized whole, not silently cut', () => {
    const entry = { ...buildEntry(1, inputs[0] as AuditEventInput, []), extra: 'x' } as AuditEntry;
    expect(entryBytes(entry).toString('utf8')).toContain('"extra":"x"');
    const missing = buildEntry(1, inputs[0] as AuditEventInput, []) as Partial<AuditEntry>;
    delete missing.body;
    expect(entryBytes(missing as AuditEntry).equals(canonicalBytes(missing))).toBe(true);
  });
});

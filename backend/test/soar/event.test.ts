import { SecurityEventError } from '../../src/soar/event';
import { EventScanner } from '../../src/soar/event-scanner';
import { parseSecurityEvent, parseSecurityEvents } from '../../src/soar/event-validate';
import { thrown } from '../helpers';

const base = { time: '2026-03-01T12:00:00.250Z', event: 'auth.login.failed', ip: '192.0.2.1' };

describe('parseSecurityEvent', () => {
  test('returns the canonical event: UTC time, normalized address and method, null for what is absent', () => {
    const kept = {
      user: 'alice',
      path: '/api/v1/auth/login',
      status: 401,
      userAgent: 'curl/8.8.0',
      bytes: 0,
      msg: 'Authentication failed',
      jail: 'cartae-api-auth',
    };
    const raw = { ...base, ...kept, time: '2026-03-01T13:00:00.250+01:00', ip: '::ffff:192.0.2.1', method: 'post' };
    expect(parseSecurityEvent({ ...raw, extra: { nested: [1, 2, { deep: true }] } })).toEqual({
      ...kept,
      time: '2026-03-01T12:00:00.250Z',
      timeMs: Date.UTC(2026, 2, 1, 12, 0, 0, 250),
      event: 'auth.login.failed',
      ip: '192.0.2.1',
      method: 'POST',
    });
    expect(parseSecurityEvent({ ...base, user: null, status: null })).toMatchObject({ user: null, status: null });
  });

  test.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0000:0000:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
  ])('one host is one key: %s is written %s', (ip, expected) => {
    expect(parseSecurityEvent({ ...base, ip }).ip).toBe(expected);
  });

  test('a user name that contains "ip":"…" does not change the address', () => {
    const event = parseSecurityEvent({ ...base, user: 'x","ip":"1.2.3.4', msg: '"ip":"5.6.7.8"' });
    expect(event.ip).toBe('192.0.2.1');
    expect(event.user).toBe('x","ip":"1.2.3.4');
  });

  test.each([
    [{ event: 'a', ip: '192.0.2.1' }, 'time', 'is required'],
    [{ ...base, time: '2026-03-01 12:00:00Z' }, 'time', 'ISO 8601'],
    [{ ...base, time: '2026-03-01T12:00:00' }, 'time', 'time zone'],
    [{ ...base, time: '2026-02-30T12:00:00Z' }, 'time', 'ISO 8601'],
    [{ ...base, time: 1772366400000 }, 'time', 'must be a string'],
    [{ ...base, event: '' }, 'event', 'dotted event type'],
    [{ ...base, event: 'auth login' }, 'event', 'dotted event type'],
    [{ ...base, ip: '192.0.2.256' }, 'ip', 'IPv4 or IPv6'],
    [{ ...base, ip: '01.2.3.4' }, 'ip', 'IPv4 or IPv6'],
    [{ time: base.time, event: 'a' }, 'ip', 'is required'],
    [{ ...base, method: 'GET /' }, 'method', 'HTTP method'],
    [{ ...base, status: 99 }, 'status', 'from 100 to 599'],
    [{ ...base, status: 200.5 }, 'status', 'from 100 to 599'],
    [{ ...base, status: '200' }, 'status', 'from 100 to 599'],
    [{ ...base, bytes: -1 }, 'bytes', 'from 0'],
    [{ ...base, user: 42 }, 'user', 'must be a string'],
    [{ ...base, jail: 'bad jail' }, 'jail', 'jail name'],
  ])('%j is refused at %s', (raw, field, detail) => {
    const err = thrown(() => parseSecurityEvent(raw), SecurityEventError);
    expect(err.field).toBe(field);
    expect(err.message).toContain(detail);
    expect(err.statusCode).toBe(400);
  });

  test('a text limit counts characters, not UTF-8 bytes', () => {
    expect(parseSecurityEvent({ ...base, user: 'é'.repeat(256) }).user).toHaveLength(256);
  });

  test('a text longer than its limit is cut to it, not refused (a long user name must not hide an attack)', () => {
    const event = parseSecurityEvent({
      ...base,
      user: 'u'.repeat(300),
      path: `/api/v1/admin/${'p'.repeat(5000)}`,
      userAgent: 'a'.repeat(1025),
      msg: 'é'.repeat(4097),
    });
    expect(event).toMatchObject({ ip: '192.0.2.1', user: 'u'.repeat(256), userAgent: 'a'.repeat(1024) });
    expect(event.path).toHaveLength(4096);
    expect(event.path?.startsWith('/api/v1/admin/pp')).toBe(true);
    expect(event.msg).toBe('é'.repeat(4096));
    const scanner = new EventScanner();
    const line = JSON.stringify({ ...base, user: 'u'.repeat(257), msg: 'short' });
    expect(scanner.scan(Buffer.from(line), 0, line.length)).toBe(true);
    expect(scanner.truncatedFields()).toEqual(['user']);
    expect(scanner.scan(Buffer.from(JSON.stringify(base)), 0, JSON.stringify(base).length)).toBe(true);
    expect(scanner.truncatedFields()).toEqual([]);
  });

  test('a cut never splits a surrogate pair', () => {
    const user = `${'u'.repeat(255)}😀😀`; // the emoji straddles the limit
    expect(parseSecurityEvent({ ...base, user }).user).toBe('u'.repeat(255));
    expect(parseSecurityEvent({ ...base, user: `${'u'.repeat(254)}😀x` }).user).toBe(`${'u'.repeat(254)}😀`);
  });

  test('non-objects are refused', () => {
    for (const raw of [null, 'x', 3, [base]])
      expect(thrown(() => parseSecurityEvent(raw), SecurityEventError).field).toBe('event object');
  });
});

describe('parseSecurityEvents', () => {
  test('validates all or nothing, naming the index and field of the first invalid event', () => {
    expect(parseSecurityEvents([base, base])).toHaveLength(2);
    const err = thrown(
      () => parseSecurityEvents([base, base, { ...base, ip: 'nope' }, { ...base, time: 'x' }]),
      SecurityEventError
    );
    expect(err.index).toBe(2);
    expect(err.field).toBe('ip');
    expect(err.message).toBe('events[2].ip must be an IPv4 or IPv6 address');
  });
});

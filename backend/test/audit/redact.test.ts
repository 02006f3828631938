import {
  CIRCULAR,
  DEFAULT_REDACTED_FIELDS,
  MAX_REDACT_DEPTH,
  REDACTED,
  TRUNCATED,
  isRedactedKey,
  redact,
} from '../../src/audit/redact';

describe('redact', () => {
  it('lists the default fields', () => {
    expect([...DEFAULT_REDACTED_FIELDS].sort()).toEqual(
      ['apiKey', 'api_key', 'authorization', 'cookie', 'creditCard', 'cvv', 'password', 'secret', 'ssn', 'token'].sort()
    );
  });

  it('matches keys case-insensitively, ignoring _ and -, and by suffix', () => {
    const secretKeys = [
      'password',
      'PASSWORD',
      'apiKey',
      'api_key',
      'API-KEY',
      'Api_-Key',
      'accessToken',
      'refresh_token',
      'client_secret',
      'x-api-key',
      'Authorization',
      'Proxy-Authorization',
      'credit_card',
      'Set-Cookie',
      'SSN',
      'card_cvv',
      'dbPassword',
    ];
    for (const key of secretKeys) expect([key, isRedactedKey(key, DEFAULT_REDACTED_FIELDS)]).toEqual([key, true]);
    const plainKeys = ['user', 'ip', 'tokenCount', 'apiKeyId', 'secretary', 'passwordChangedAt', 'cookieConsent'];
    for (const key of plainKeys) expect([key, isRedactedKey(key, DEFAULT_REDACTED_FIELDS)]).toEqual([key, false]);
  });

  it('replaces matching values at any depth, inside arrays, whatever their type', () => {
    const input = {
      user: 'alice',
      password: 'hunter2',
      headers: { Authorization: 'Bearer abc', 'x-api-key': 'k', accept: 'json' },
      attempts: [{ token: { nested: 'object' } }, { ok: 1, client_secret: 42 }, ['plain', { ssn: null }]],
    };
    expect(redact(input)).toEqual({
      user: 'alice',
      password: REDACTED,
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, accept: 'json' },
      attempts: [{ token: REDACTED }, { ok: 1, client_secret: REDACTED }, ['plain', { ssn: REDACTED }]],
    });
    expect(REDACTED).toBe('***REDACTED***');
  });

  it('uses the given field list instead of the defaults', () => {
    expect(redact({ password: 'p', pin: '1234', userPin: '9' }, ['pin'])).toEqual({
      password: 'p',
      pin: REDACTED,
      userPin: REDACTED,
    });
  });

  it('ignores empty field names instead of redacting every key', () => {
    expect(redact({ a: 1, b_: 2 }, ['', '_', '-'])).toEqual({ a: 1, b_: 2 });
  });

  it('does not mutate the input and shares no objects with it', () => {
    const input = { nested: { password: 'x', list: [1, { token: 't' }] }, when: new Date(0) };
    const snapshot = structuredClone(input);
    const out = redact(input) as typeof input;
    expect(input).toEqual(snapshot);
    expect(out.nested).not.toBe(input.nested);
    expect(out.nested.list).not.toBe(input.nested.list);
    expect(out.when).not.toBe(input.when);
    expect(out.when.getTime()).toBe(0);
  });

  it('leaves primitives alone', () => {
    for (const value of ['s', 1, true, null, undefined]) expect(redact(value)).toBe(value);
  });

  it('replaces cycles with [Circular] but copies shared references in full', () => {
    const shared = { password: 'x', v: 1 };
    const input: Record<string, unknown> = { a: shared, b: [shared] };
    input.self = input;
    (input.b as unknown[]).push(input.b);
    expect(redact(input)).toEqual({
      a: { password: REDACTED, v: 1 },
      b: [{ password: REDACTED, v: 1 }, CIRCULAR],
      self: CIRCULAR,
    });
    expect(CIRCULAR).toBe('[Circular]');
  });

  it('keeps a "__proto__" key as data instead of changing the prototype', () => {
    const input: unknown = JSON.parse('{"__proto__": {"token": "t", "x": 1}}');
    const out = redact(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(out['__proto__']).toEqual({ token: REDACTED, x: 1 });
  });

  it('truncates hostile nesting instead of overflowing the stack', () => {
    let deep: unknown = { password: 'x' };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let out = redact(deep);
    let depth = 0;
    while (Array.isArray(out)) {
      out = out[0];
      depth += 1;
    }
    expect(depth).toBe(MAX_REDACT_DEPTH);
    expect(out).toBe(TRUNCATED);
  });
});

import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ConfigError } from '../../src/config';
import { BadRequestError } from '../../src/errors';
import { canonicalBlock, CidrBans } from '../../src/security/cidr';
import path from 'node:path';
import { parseSecuritySettings, readSecurityConfig } from '../../src/security/config';
import { parseEventBody } from '../../src/security/event-body';
import { Gate, ServiceBusyError } from '../../src/security/gate';
import { CappedLabels, DayCount } from '../../src/security/metrics';
import { EventClassifier } from '../../src/security/severity';
import { SecurityStream } from '../../src/security/stream';
import { uuidv7 } from '../../src/security/uuid7';
import { SecurityEventError } from '../../src/soar/event';
import { DEFAULT_AUTO_BLOCKER } from '../../src/soar/config-defaults';
import { parseAutoBlockerConfig } from '../../src/soar/config';
import type { Decision } from '../../src/soar/decision';
import type { BanState } from '../../src/security/ban-query';
import { LiveBans } from '../../src/security/live-bans';

describe('canonicalBlock', () => {
  test.each([
    ['192.0.2.7', '192.0.2.7'],
    ['192.0.2.7/32', '192.0.2.7'],
    ['192.0.2.7/24', '192.0.2.0/24'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:DB8::1/128', '2001:db8::1'],
    ['2001:db8:aaaa:bbbb::1/48', '2001:db8:aaaa::/48'],
    ['2001:db8::/0', '::/0'],
    [' 10.1.2.3/8 ', '10.0.0.0/8'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalBlock(input)).toBe(expected);
  });

  test.each(['', 'example.com', '192.0.2.1/33', 'fe80::1%eth0', '1.2.3.4/x', `${'1'.repeat(70)}`])(
    'rejects %j',
    (input) => {
      expect(canonicalBlock(input)).toBeNull();
    }
  );
});

test('CIDR bans block the addresses inside them until they end', () => {
  const bans = new CidrBans();
  bans.add({ id: 'a', block: '198.51.100.0/24', untilMs: 1000 });
  bans.add({ id: 'b', block: '2001:db8::/32', untilMs: Infinity });
  expect(bans.bannedUntil('198.51.100.77', 999)).toBe(1000);
  expect(bans.bannedUntil('198.51.100.77', 1000)).toBe(0);
  expect(bans.bannedUntil('198.51.101.1', 0)).toBe(0);
  expect(bans.bannedUntil('2001:db8:1::9', 5)).toBe(Infinity);
  bans.add({ id: 'c', block: '198.51.100.0/24', untilMs: 5000 }); // replaces a
  expect(bans.size).toBe(2);
  expect(bans.remove('b')).toBe(true);
  bans.expire(5000);
  expect(bans.size).toBe(0);
});

describe('event severity', () => {
  const classifier = new EventClassifier(DEFAULT_AUTO_BLOCKER);
  test('from the rules naming the type, else a known type, else info; refused requests are at least low', () => {
    expect(classifier.severity('network.scan.detected', null)).toBe('high');
    expect(classifier.severity('auth.login.failed', 401)).toBe('medium');
    expect(classifier.severity('audit.integrity.failed', null)).toBe('critical');
    expect(classifier.severity('http.request', 200)).toBe('info');
    expect(classifier.severity('http.request', 403)).toBe('low');
    expect(classifier.severity('my.app.thing', null)).toBe('info');
  });
  test('the type label is bounded: unknown types are "other"', () => {
    expect(classifier.typeLabel('auth.login.failed')).toBe('auth.login.failed');
    expect(classifier.typeLabel('random.type.123')).toBe('other');
  });
});

describe('request bodies', () => {
  const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  const event = { time: '2026-03-01T12:00:00Z', event: 'auth.login.failed', ip: '::ffff:192.0.2.1' };

  test('an array or {events}, each event validated and normalized', () => {
    const [a] = parseEventBody(body([event]), 10);
    expect(a).toMatchObject({ ip: '192.0.2.1', time: '2026-03-01T12:00:00.000Z', user: null });
    expect(parseEventBody(body({ events: [event, event] }), 10)).toHaveLength(2);
    expect(parseEventBody(body(` [ ${JSON.stringify(event)} ,\n${JSON.stringify(event)} ] `), 10)).toHaveLength(2);
  });

  test('a user name that looks like JSON stays a user name', () => {
    const [a] = parseEventBody(body([{ ...event, user: '","ip":"203.0.113.9' }]), 10);
    expect(a).toMatchObject({ ip: '192.0.2.1', user: '","ip":"203.0.113.9' });
  });

  const refused = (value: unknown, max = 10) => {
    try {
      parseEventBody(body(value), max);
    } catch (err) {
      return err as Error;
    }
    throw new Error('accepted');
  };

  test('the first invalid event is named by index and field', () => {
    const err = refused([event, { ...event, status: 700 }]);
    expect(err).toBeInstanceOf(SecurityEventError);
    expect(err.message).toBe('events[1].status must be an integer from 100 to 599');
    expect(refused([event, 42]).message).toMatch(/^events\[1\]\.event object /);
    expect(refused({ events: [event, { ...event, time: 'yesterday' }] }).message).toMatch(/^events\[1\]\.time /);
  });

  test.each([
    ['not JSON', '[{"time":', /not valid JSON/],
    ['trailing garbage', `[${JSON.stringify(event)}] x`, /not valid JSON/],
    ['empty', [], /at least one event/],
    ['too many', [event, event, event], /at most 2/],
    ['another shape', { event }, /JSON array of events/],
    ['a string', '"x"', /JSON array of events/],
  ])('%s → 400', (_name, value, message) => {
    const err = refused(value, 2);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(message);
  });

  test('a big body is freed once parsed; its events stay whole', () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ ...event, user: `user-${i}`, msg: 'm'.repeat(100) }));
    const bytes = Buffer.from(JSON.stringify(many));
    expect(bytes.length).toBeGreaterThan(65_536);
    const events = parseEventBody(bytes, 1000);
    expect(bytes.buffer.byteLength).toBe(0); // detached: the memory went with the transfer
    expect(events[599]).toMatchObject({ user: 'user-599', msg: 'm'.repeat(100), ip: '192.0.2.1' });
  });

  test('invalid UTF-8 → 400', () => {
    const bytes = Buffer.concat([
      Buffer.from('[{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1","msg":"'),
      Buffer.from([0xff]),
      Buffer.from('"}]'),
    ]);
    expect(() => parseEventBody(bytes, 10)).toThrow(/UTF-8/);
  });
});

test('the gate admits in order, makes the next wait, and refuses past its queue', async () => {
  const gate = new Gate(1, 1);
  const first = await gate.acquire();
  const order: string[] = [];
  const second = gate.acquire().then((release) => {
    order.push('second');
    return release;
  });
  await expect(gate.acquire()).rejects.toBeInstanceOf(ServiceBusyError);
  order.push('first done');
  first();
  (await second)();
  expect(order).toEqual(['first done', 'second']);
  (await gate.acquire())();
});

test('UUIDv7 ids carry their millisecond and sort by it', () => {
  const a = uuidv7(Date.UTC(2026, 0, 1));
  const b = uuidv7(Date.UTC(2026, 0, 1) + 1);
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
  expect(a < b).toBe(true);
  expect(uuidv7(5)).not.toBe(uuidv7(5));
});

describe('security settings', () => {
  test('the shipped soar-config.yml holds the defaults, Fail2ban enforcement off', () => {
    const shipped = readSecurityConfig(path.resolve(__dirname, '../../../provisioning/soar/soar-config.yml'));
    expect(shipped.settings).toEqual(parseSecuritySettings({}));
    expect(readSecurityConfig(null).autoBlocker).toEqual(shipped.autoBlocker);
  });

  test('defaults, and errors naming the key', () => {
    const settings = parseSecuritySettings(undefined);
    expect(settings).toMatchObject({ maxBatchSize: 10_000, enforcement: { fail2ban: { enabled: false } } });
    const err = (() => {
      try {
        parseSecuritySettings({ enforcement: { fail2ban: { jail: '-bad' } } }, 'x.yml: security');
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.key).toBe('x.yml: security.enforcement.fail2ban.jail');
    expect(err?.message).toContain("'^[A-Za-z0-9_]");
    expect(() => parseSecuritySettings({ nope: 1 })).toThrow(/security\.nope is not a known key/);
    expect(() => parseSecuritySettings({ maxBatchSize: 0 })).toThrow(/security\.maxBatchSize/);
  });
});

test('metric helpers: a 24-hour count and capped labels', () => {
  const day = new DayCount();
  const t0 = Date.UTC(2026, 0, 1);
  day.add(3, t0);
  day.add(2, t0 + 3_600_000);
  expect(day.total(t0 + 3_600_000)).toBe(5);
  expect(day.total(t0 + 86_400_000 + 60_000)).toBe(2);
  expect(day.total(t0 + 3 * 86_400_000)).toBe(0);
  const labels = new CappedLabels(2);
  expect(['a', 'b', 'c', 'a'].map((v) => labels.label(v))).toEqual(['a', 'b', 'other', 'a']);
});

describe('the event stream', () => {
  /** A response that buffers writes until `drain` is called, like a socket whose reader is slow. */
  function fakeResponse() {
    const res = Object.assign(new EventEmitter(), {
      chunks: [] as string[],
      writableLength: 0,
      writableEnded: false,
      destroyed: false,
      headers: {} as Record<string, unknown>,
      writeHead(_status: number, headers: Record<string, unknown>) {
        res.headers = headers;
        return res;
      },
      write(chunk: string) {
        res.chunks.push(chunk);
        res.writableLength += chunk.length;
        return true;
      },
      end() {
        res.writableEnded = true;
        res.emit('close');
      },
      drain() {
        res.writableLength = 0;
      },
    });
    return res;
  }

  test('relevant messages by default, all with ?all; a slow client loses messages and is told how many', () => {
    const stream = new SecurityStream({ heartbeatMs: 60_000, maxBufferBytes: 200, maxClients: 2 });
    const slow = fakeResponse();
    const all = fakeResponse();
    stream.attach(slow as unknown as ServerResponse, false);
    stream.attach(all as unknown as ServerResponse, true);
    expect(slow.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.accepting).toBe(false); // maxClients
    stream.publish([
      { event: 'security-event', data: { n: 1 }, relevant: true },
      { event: 'security-event', data: { n: 2 }, relevant: false },
    ]);
    expect(slow.chunks.join('')).toContain('data: {"n":1}');
    expect(slow.chunks.join('')).not.toContain('"n":2');
    expect(all.chunks.join('')).toContain('"n":2');
    const big = { event: 'decision', data: { pad: 'x'.repeat(300) }, relevant: true };
    stream.publish([big]); // fills the slow client's buffer past 200 bytes
    stream.publish([big, big]); // dropped for it
    expect(stream.droppedTotal).toBeGreaterThanOrEqual(2);
    slow.drain();
    stream.publish([{ event: 'decision', data: { n: 3 }, relevant: true }]);
    expect(slow.chunks.join('')).toContain('event: dropped\ndata: {"dropped":2}');
    stream.close();
    expect(slow.writableEnded && all.writableEnded).toBe(true);
    expect(stream.accepting).toBe(false);
  });
});

describe('the live engine memory', () => {
  const config = parseAutoBlockerConfig({
    whitelist: ['192.0.2.128/25'],
    rules: [{ id: 'auth', match: { event: ['auth.login.failed'] }, threshold: 1, windowMs: 60_000, duration: 60 }],
  });
  const T = Date.UTC(2026, 2, 1);
  const state = (id: string, ip: string, atMs: number, extra: Partial<BanState> = {}): BanState => ({
    id,
    ip,
    ruleId: 'auth',
    atMs,
    untilMs: atMs + 60_000,
    banNumber: 1,
    lifted: false,
    recordedMs: atMs,
    ...extra,
  });
  const failed = (ip: string, t: number) => ({
    timeMs: t,
    ip,
    event: 'auth.login.failed',
    method: null,
    status: null,
    path: null,
  });

  test('applying a ban twice changes nothing; an older one learnt late only counts for escalation', () => {
    const decisions: Decision[] = [];
    const live = new LiveBans(config, [], (d) => decisions.push(d), T);
    live.apply(state('b2', '198.51.100.1', T + 1000), T);
    live.apply(state('b2', '198.51.100.1', T + 1000), T);
    live.apply(state('b1', '198.51.100.1', T), T); // older: history only
    expect(live.bannedUntil('198.51.100.1', T + 30_000)).toBe(T + 61_000);
    expect(live.bansSince('198.51.100.1', T - 1)).toBe(2);
    live.lift('b1', '198.51.100.1'); // not the one in force: no effect
    expect(live.bannedUntil('198.51.100.1', T + 30_000)).toBe(T + 61_000);
    live.apply(state('b2', '198.51.100.1', T + 1000, { lifted: true }), T);
    expect(live.bannedUntil('198.51.100.1', T + 30_000)).toBe(0);
    expect(live.process(failed('198.51.100.1', T + 70_000))).toBe('banned');
    expect(decisions.at(-1)).toMatchObject({ banNumber: 3, duration: -1 }); // the third in the window: permanent
  });

  test('a lifted ban not stored recently is not added again (it was known, or loaded, before)', () => {
    const live = new LiveBans(config, [], () => undefined, T);
    live.apply(state('old', '198.51.100.2', T - 3_600_000, { lifted: true }), T, false);
    expect(live.bansSince('198.51.100.2', T - 7_200_000)).toBe(0);
  });

  test('CIDR bans block before the engine, the whitelist wins over them', () => {
    const live = new LiveBans(config, [state('net', '192.0.2.0/24', T, { untilMs: Infinity })], () => undefined, T);
    expect(live.process(failed('192.0.2.7', T + 1))).toBe('blocked');
    expect(live.process(failed('192.0.2.200', T + 1))).toBe('whitelisted');
    expect(live.process(failed('192.0.3.1', T + 1))).toBe('banned');
    live.setWhitelist([]);
    expect(live.process(failed('192.0.2.200', T + 2))).toBe('blocked');
    live.lift('net', '192.0.2.0/24');
    expect(live.process(failed('192.0.2.200', T + 3))).toBe('banned');
  });
});

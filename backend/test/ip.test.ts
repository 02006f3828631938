import { normalizeCidr, normalizeIp } from '../src/net/ip';

test.each([
  ['192.0.2.1', '192.0.2.1'],
  [' 192.0.2.1 ', '192.0.2.1'],
  ['::ffff:192.0.2.1', '192.0.2.1'],
  ['::FFFF:c000:0201', '192.0.2.1'],
  ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['2001:db8:0000:0000:1:0:0:1', '2001:db8::1:0:0:1'],
  ['[2001:db8::1]', '2001:db8::1'],
  ['::1', '::1'],
  ['fe80:0:0:0:0:0:0:0', 'fe80::'],
])('normalizeIp(%j) = %j', (input, expected) => {
  expect(normalizeIp(input)).toBe(expected);
});

test.each(['', 'localhost', '192.0.2', '192.0.2.256', '01.2.3.4', '2001:db8::g', '1.2.3.4/24', 'fe80::1%eth0'])(
  'normalizeIp(%j) is null',
  (input) => {
    expect(normalizeIp(input)).toBeNull();
  }
);

test('normalizeCidr accepts addresses and blocks, and rejects bad prefixes', () => {
  expect(normalizeCidr('10.0.0.0/8')).toBe('10.0.0.0/8');
  expect(normalizeCidr('2001:DB8::/32')).toBe('2001:db8::/32');
  expect(normalizeCidr('::ffff:10.0.0.1')).toBe('10.0.0.1');
  expect(normalizeCidr('10.0.0.0/33')).toBeNull();
  expect(normalizeCidr('2001:db8::/129')).toBeNull();
  expect(normalizeCidr('10.0.0.0/')).toBeNull();
});

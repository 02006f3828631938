import { validateIpOrCidr } from './ip';

test.each([
  '',
  '192.0.2.10',
  '192.0.2.0/24',
  '0.0.0.0/0',
  '2001:db8::1',
  '2001:db8::/32',
  '::1',
  '::ffff:192.0.2.1',
  '1:2:3:4:5:6:7:8',
])('%s is accepted', (value) => {
  expect(validateIpOrCidr(value)).toBeUndefined();
});

test.each([
  ['192.0.2', /Not an IP/],
  ['192.0.2.256', /Not an IP/],
  ['192.0.2.0/33', /0 to 32/],
  ['2001:db8::/129', /0 to 128/],
  ['1::2::3', /Not an IP/],
  ['evil.example.com', /Not an IP/],
  ['192.0.2.0/24/8', /Not an IP/],
])('%s is refused', (value, message) => {
  expect(validateIpOrCidr(value)).toMatch(message);
});

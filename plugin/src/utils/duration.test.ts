import { formatDuration, timeLeft } from './duration';

test('formatDuration shows the two largest units', () => {
  expect(formatDuration(0)).toBe('0s');
  expect(formatDuration(45)).toBe('45s');
  expect(formatDuration(330)).toBe('5m 30s');
  expect(formatDuration(3600)).toBe('1h');
  expect(formatDuration(3661)).toBe('1h 1m');
  expect(formatDuration(2 * 86_400 + 4 * 3600 + 59)).toBe('2d 4h');
  expect(formatDuration(86_400 + 30)).toBe('1d');
  expect(formatDuration(-5)).toBe('0s');
});

test('timeLeft counts down to the end of a ban, then says it expired', () => {
  const until = '2026-01-01T01:00:00.000Z';
  expect(timeLeft(until, Date.parse('2026-01-01T00:00:00.000Z'))).toBe('1h');
  expect(timeLeft(until, Date.parse('2026-01-01T00:59:30.000Z'))).toBe('30s');
  expect(timeLeft(until, Date.parse('2026-01-01T01:00:00.000Z'))).toBe('expired');
});

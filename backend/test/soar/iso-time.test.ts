import { parseIsoTimeString } from '../../src/soar/iso-time';

describe('parseIsoTimeString', () => {
  test.each([
    '2026-03-01T12:00:00Z',
    '2026-03-01T12:00:00.250Z',
    '2026-03-01T12:00:00.2Z',
    '2026-03-01t12:00:00z',
    '2026-03-01T12:00:00+02:00',
    '2026-03-01T12:00:00.999-11:30',
    '2024-02-29T23:59:59Z',
    '2000-02-29T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '1969-12-31T23:59:59.999Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
  ])('%s is the instant Date.parse reads', (text) => {
    expect(parseIsoTimeString(text)).toBe(Date.parse(text.toUpperCase()));
  });

  test('digits beyond milliseconds are truncated; a comma may separate the fraction', () => {
    expect(parseIsoTimeString('2026-03-01T12:00:00.123456789Z')).toBe(Date.parse('2026-03-01T12:00:00.123Z'));
    expect(parseIsoTimeString('2026-03-01T12:00:00,5Z')).toBe(Date.parse('2026-03-01T12:00:00.500Z'));
  });

  test.each([
    '2026-03-01T12:00:00', // no zone: ambiguous
    '2026-03-01 12:00:00Z',
    '2026-03-01',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T12:60:00Z',
    '2026-03-01T12:00:60Z',
    '2026-03-01T12:00:00.Z',
    '2026-03-01T12:00:00.1234567890Z',
    '2026-03-01T12:00:00+2:00',
    '2026-03-01T12:00:00+24:00',
    '2026-03-01T12:00:00+02:60',
    '2026-03-01T12:00:00Zjunk',
    '+2026-03-01T12:00:00Z',
    '2026-03-01T12:00:00Ｚ',
    '２026-03-01T12:00:00Z',
  ])('%j is refused', (text) => {
    expect(parseIsoTimeString(text)).toBeNaN();
  });

  test('agrees with Date.parse on random instants and offsets', () => {
    for (let k = 0; k < 2000; k++) {
      const ms = Math.floor(((k * 7919) % 10_000) * 3.1536e8) - 9e11;
      const offset = ((k * 37) % 1681) - 840; // minutes, −14:00 to +14:00
      const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
      const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
      expect(parseIsoTimeString(`${local}${zone}`)).toBe(ms);
    }
  });
});

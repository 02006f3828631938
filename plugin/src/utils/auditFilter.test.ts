import { EMPTY_FILTERS, filterErrors, filtersFromSearch, filtersToSearch, toApiFilter } from './auditFilter';

test('the URL round-trips the filters and keeps other parameters', () => {
  const values = { ...EMPTY_FILTERS, user: 'alice', ip: '192.0.2.0/24', status: 'failure' };
  const params = filtersToSearch(values, new URLSearchParams('entry=abc&user=bob&q=old'));
  expect(params.get('entry')).toBe('abc');
  expect(params.has('q')).toBe(false);
  expect(filtersFromSearch(params)).toEqual(values);
});

test('the API filter has only the set values, with times resolved', () => {
  expect(toApiFilter({ ...EMPTY_FILTERS, q: 'password', from: '2024-05-01T00:00:00Z' })).toEqual({
    q: 'password',
    from: '2024-05-01T00:00:00.000Z',
  });
  const relative = toApiFilter({ ...EMPTY_FILTERS, from: 'now-1h' });
  expect(Date.now() - Date.parse(relative.from as string)).toBeGreaterThanOrEqual(3_600_000 - 1000);
});

test('bad values are reported per field', () => {
  expect(filterErrors({ ...EMPTY_FILTERS, ip: '10.0.0.300', from: 'yesterday' })).toEqual({
    ip: expect.stringMatching(/IP/),
    from: expect.stringMatching(/date/),
  });
  expect(filterErrors({ ...EMPTY_FILTERS, from: '2024-05-02T00:00:00Z', to: '2024-05-01T00:00:00Z' })).toEqual({
    to: expect.stringMatching(/before/),
  });
});

import { ByteInterner } from '../../src/soar/byte-interner';

const key = (text: string) => {
  const buf = Buffer.from(`__${text}__`);
  return [buf, 2, buf.length - 2] as const;
};

describe('ByteInterner', () => {
  test('finds what was stored by its bytes, wherever they lie', () => {
    const cache = new ByteInterner<string>();
    expect(cache.get(...key('192.0.2.1'))).toBeUndefined();
    cache.set(...key('192.0.2.1'), 'one');
    cache.set(...key('192.0.2.10'), 'ten');
    expect(cache.get(...key('192.0.2.1'))).toBe('one');
    expect(cache.get(...key('192.0.2.10'))).toBe('ten');
    expect(cache.get(...key('192.0.2.100'))).toBeUndefined();
    expect(cache.get(...key(''))).toBeUndefined();
  });

  test('keeps a copy of the key: the source buffer may be reused', () => {
    const cache = new ByteInterner<number>();
    const [buf, start, end] = key('abc');
    cache.set(buf, start, end, 1);
    buf.write('xyz', start);
    expect(cache.get(...key('abc'))).toBe(1);
    expect(cache.get(...key('xyz'))).toBeUndefined();
  });

  test('grows while below maxEntries, then starts over instead of growing further', () => {
    const cache = new ByteInterner<number>(5000);
    for (let i = 0; i < 5000; i++) cache.set(...key(`k${i}`), i);
    expect([0, 1234, 4999].map((i) => cache.get(...key(`k${i}`)))).toEqual([0, 1234, 4999]);
    cache.set(...key('one more'), -1);
    expect(cache.get(...key('k0'))).toBeUndefined();
    expect(cache.get(...key('one more'))).toBe(-1);
  });

  test('starts over when its key arena is full', () => {
    const cache = new ByteInterner<number>(1000, 64);
    cache.set(...key('a'.repeat(40)), 1);
    cache.set(...key('b'.repeat(40)), 2);
    expect(cache.get(...key('a'.repeat(40)))).toBeUndefined();
    expect(cache.get(...key('b'.repeat(40)))).toBe(2);
  });
});

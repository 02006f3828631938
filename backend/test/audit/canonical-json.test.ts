import { CanonicalJsonError, MAX_CANONICAL_DEPTH, canonicalBytes, canonicalize } from '../../src/audit/canonical-json';

function fromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalize: RFC 8785 samples', () => {
  // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
  const appendixB: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];

  it.each(appendixB)('serializes binary64 %s as %s (Appendix B)', (bits, expected) => {
    expect(canonicalize(fromBits(bits))).toBe(expected);
  });

  it('serializes small literals the ECMAScript way (1e21, 1e-7, -0)', () => {
    expect(canonicalize([1e21, 1e-7, -0, 1e20, 0.1, 100])).toBe('[1e+21,1e-7,0,100000000000000000000,0.1,100]');
  });

  it('rejects NaN and both infinities (Appendix B, §3.2.2.3)', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalize({ n: fromBits(bits) })).toThrow(/is not a JSON number at \$\.n/);
    }
  });

  it('produces the §3.2.4 example output and UTF-8 bytes', () => {
    const input: unknown = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}'
    );
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(canonicalize(input)).toBe(expected);
    expect(canonicalBytes(input).toString('hex')).toBe(
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b333333333333333333' +
        '2e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c7530' +
        '3030665c6e4127425c225c5c5c5c5c222f227d'
    );
  });

  it('sorts keys by UTF-16 code units (§3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    );
  });
});

describe('canonicalize: structure', () => {
  it('sorts nested keys, keeps array order, and writes no whitespace', () => {
    expect(canonicalize({ b: [3, { z: 1, a: 2 }, 1], a: { d: true, c: null } })).toBe(
      '{"a":{"c":null,"d":true},"b":[3,{"a":2,"z":1},1]}'
    );
  });

  it('orders integer-like keys as strings, not numerically', () => {
    expect(canonicalize({ 10: 'a', 2: 'b', 1: 'c' })).toBe('{"1":"c","10":"a","2":"b"}');
  });

  it('escapes control characters with lowercase hex and leaves U+2028 and DEL alone', () => {
    expect(canonicalize('\u0000\u001f\b\t\n\f\r"\\/\u007f\u2028')).toBe(
      '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028"'
    );
  });

  it('omits undefined properties', () => {
    expect(canonicalize({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('encodes non-ASCII text as UTF-8', () => {
    expect(canonicalBytes({ k: '\u00e9\ud83d\ude00' }).toString('hex')).toBe('7b226b223a22c3a9f09f9880227d');
  });

  it('accepts a shared, non-cyclic reference', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.y = 2;
    expect(canonicalize(bare)).toBe('{"y":2}');
  });
});

describe('canonicalize: values with no canonical form', () => {
  const rejects: Array<[string, () => unknown, RegExp]> = [
    ['top-level undefined', () => undefined, /undefined is not JSON at \$$/],
    ['undefined in an array', () => [1, undefined], /undefined is not JSON at \$\[1\]/],
    // eslint-disable-next-line no-sparse-arrays -- the hole is what is being tested
    ['an array hole', () => [1, , 3], /undefined is not JSON at \$\[1\]/],
    ['a function', () => ({ f: () => 1 }), /function is not JSON at \$\.f/],
    ['a symbol', () => ({ s: Symbol('s') }), /symbol is not JSON at \$\.s/],
    ['a bigint', () => ({ n: 10n }), /bigint is not JSON at \$\.n/],
    ['a Date', () => ({ at: new Date(0) }), /Date is not a plain object .* at \$\.at/],
    ['a Map', () => new Map([['a', 1]]), /Map is not a plain object/],
    ['a lone high surrogate', () => ({ s: 'a\ud800b' }), /lone UTF-16 surrogate at \$\.s/],
    ['a lone low surrogate key', () => ({ ['\udc00']: 1 }), /lone UTF-16 surrogate/],
  ];

  it.each(rejects)('rejects %s with a clear error', (_name, make, message) => {
    const value = make();
    expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalize(value)).toThrow(message);
  });

  it('rejects a cycle with the path where it closes', () => {
    const a: Record<string, unknown> = { list: [] };
    (a.list as unknown[]).push({ back: a });
    expect(() => canonicalize(a)).toThrow(/cyclic structure at \$\.list\[0\]\.back/);
  });

  it('rejects hostile nesting with an error instead of overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(new RegExp(`nesting deeper than ${MAX_CANONICAL_DEPTH}`));
    let ok: unknown = 0;
    for (let i = 0; i < MAX_CANONICAL_DEPTH; i++) ok = [ok];
    expect(canonicalize(ok)).toBe(`${'['.repeat(MAX_CANONICAL_DEPTH)}0${']'.repeat(MAX_CANONICAL_DEPTH)}`);
  });
});

import { normalizeIp } from '../../src/net/ip';
import { EventScanner } from '../../src/soar/event-scanner';
import { MAX_JSON_DEPTH } from '../../src/soar/json-bytes';

const scanner = new EventScanner();
const LINE = '{"time":"2026-03-01T12:00:00Z","event":"auth.login.failed","ip":"192.0.2.1","user":"bob","status":401}';

/** Scans one line the way the log reader does: inside a larger buffer, next to other lines. */
function scan(line: string): boolean {
  const buf = Buffer.from(`${LINE}\n${line}\n${LINE}`);
  const start = Buffer.byteLength(`${LINE}\n`);
  return scanner.scan(buf, start, start + Buffer.byteLength(line));
}

/** What JSON.parse says: is the text a JSON object? */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

describe('EventScanner', () => {
  test('reads the fields the rules use, whatever the key order and whitespace', () => {
    expect(scan(' { "ip" : "::ffff:192.0.2.9" ,"status":403, "time":"2026-03-01T12:00:00Z", "event":"x"}\r')).toBe(
      true
    );
    expect([scanner.ip, scanner.status, scanner.event, scanner.path]).toEqual(['192.0.2.9', 403, 'x', null]);
  });

  test('the last of duplicate keys wins, as with JSON.parse', () => {
    expect(scan('{"ip":"bad","time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.2"}')).toBe(true);
    expect(scanner.ip).toBe('192.0.2.2');
  });

  test('keys and values written with escapes mean what they mean to JSON.parse', () => {
    expect(
      scan('{"time":"2026-03-01T12:00:00Z","event":"x","\\u0069p":"192.0.2.3","path":"\\/api\\/v1\\/admin\\/x"}')
    ).toBe(true);
    expect([scanner.ip, scanner.path]).toEqual(['192.0.2.3', '/api/v1/admin/x']);
  });

  test('log injection: an address inside another field is only text', () => {
    const line =
      '{"time":"2026-03-01T12:00:00Z","event":"auth.login.failed","user":"x\\",\\"ip\\":\\"1.2.3.4","ip":"192.0.2.4"}';
    expect(scan(line)).toBe(true);
    expect(scanner.ip).toBe('192.0.2.4');
    expect(scanner.toEvent().user).toBe('x","ip":"1.2.3.4');
    // Without its own ip the line is refused: the injected one is never taken.
    expect(scan('{"time":"2026-03-01T12:00:00Z","event":"auth.login.failed","user":"x\\",\\"ip\\":\\"1.2.3.4"}')).toBe(
      false
    );
    expect(scanner.errorField).toBe('ip');
  });

  test.each([
    ['{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1"} trailing'],
    ['{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1",}'],
    ['{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1"'],
    ['{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1","user":"a\tb"}'],
    ['{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1","user":"\\x"}'],
    ['[{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1"}]'],
    [''],
  ])('%j is not a JSON object', (line) => {
    expect(scan(line)).toBe(false);
    expect(scanner.errorField).toBeNull();
  });

  test(`nesting deeper than ${MAX_JSON_DEPTH} is refused; numbers in any JSON form are read`, () => {
    const deep = (n: number) =>
      `{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1","x":${'['.repeat(n)}${']'.repeat(n)}}`;
    expect(scan(deep(MAX_JSON_DEPTH))).toBe(true);
    expect(scan(deep(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(scan('{"time":"2026-03-01T12:00:00Z","event":"x","ip":"192.0.2.1","status":4.01e2,"bytes":-0}')).toBe(true);
    expect(scanner.status).toBe(401);
  });

  test('agrees with JSON.parse on thousands of damaged lines', () => {
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      '\\',
      '\\u00',
      ' ',
      '1',
      '-',
      '.',
      'e',
      'null',
      'é',
      '\u0001',
      'ip',
    ];
    const samples = [
      LINE,
      '{"time":"2026-03-01T12:00:00.5+02:00","event":"http.request","ip":"2001:db8::1","method":"get","path":"/a","bytes":12,"extra":{"a":[1,true,null,"s"]}}',
      '{"event":"auth.login.failed","ip":"198.51.100.7","time":"2026-03-01T12:00:00Z","user":"x\\"y","msg":"\\u00e9t\\u00e9"}',
    ];
    let objects = 0;
    for (let k = 0; k < 5000; k++) {
      let text = samples[k % samples.length] as string;
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * (text.length + 1));
        const piece = pieces[Math.floor(random() * pieces.length)] as string;
        const cut = random() < 0.5 ? 1 : 0;
        text = text.slice(0, at) + (random() < 0.7 ? piece : '') + text.slice(at + cut);
      }
      const bytes = Buffer.from(text);
      const decoded = bytes.toString();
      const expected = isJsonObject(decoded);
      const accepted = scanner.scan(bytes, 0, bytes.length);
      expect({ text: decoded, object: accepted || scanner.errorField !== null }).toEqual({
        text: decoded,
        object: expected,
      });
      if (!accepted) continue;
      objects++;
      const parsed = JSON.parse(decoded) as Record<string, unknown>;
      const event = scanner.toEvent();
      expect(event.timeMs).toBe(Date.parse(parsed.time as string));
      expect(event.ip).toBe(normalizeIp(parsed.ip as string));
      expect([event.event, event.user, event.msg, event.path]).toEqual([
        parsed.event,
        parsed.user ?? null,
        parsed.msg ?? null,
        parsed.path ?? null,
      ]);
    }
    expect(objects).toBeGreaterThan(500);
  });
});

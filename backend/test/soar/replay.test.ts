import { parseAutoBlockerConfig } from '../../src/soar/config';
import { RuleEngine } from '../../src/soar/engine';
import { LineSplitter } from '../../src/soar/line-splitter';
import { formatDecision, LogReplay } from '../../src/soar/replay';

const config = parseAutoBlockerConfig({
  whitelist: ['10.0.0.0/8'],
  rules: [
    { id: 'auth', match: { event: ['auth.login.failed'] }, threshold: 3, windowMs: 60_000, duration: 60 },
    { id: 'watch', match: { status: [404] }, threshold: 2, windowMs: 60_000, action: 'alert' },
  ],
});

const failed = (second: number, ip: string, user = 'bob') =>
  JSON.stringify({
    time: `2026-03-01T12:00:${String(second).padStart(2, '0')}Z`,
    event: 'auth.login.failed',
    ip,
    user,
  });

/** A log with every kind of line a real one may hold, as bytes. */
function sampleLog(): Buffer {
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]), // byte order mark
    Buffer.from(`${failed(1, '198.51.100.1')}\r\n`),
    Buffer.from(`${failed(2, '198.51.100.1', 'x","ip":"203.0.113.66')}\n`),
    Buffer.from('\n'),
    Buffer.from('{"time":"2026-03-01T12:00:02Z","event":"auth.login.failed","ip":"198.51.\n'), // cut by rotation
    Buffer.from(`{"time":"2026-03-01T12:00:03Z","event":"auth.login.failed","ip":"198.51.100.1","user":"`),
    Buffer.from([0xc3, 0x28]), // invalid UTF-8
    Buffer.from('"}\n'),
    Buffer.from(
      `{"time":"2026-03-01T12:00:03Z","event":"x","ip":"198.51.100.2","user":"${'a'.repeat(1024 * 1024)}"}\n`
    ),
    Buffer.from(`${failed(4, '10.1.1.1')}\n${failed(5, '10.1.1.1')}\n${failed(6, '10.1.1.1')}\n`),
    Buffer.from('{"time":"2026-03-01T12:00:07","event":"x","ip":"198.51.100.3"}\n'),
    Buffer.from(`${failed(8, '::ffff:198.51.100.1')}\n`), // the same host as 198.51.100.1: third failure
    Buffer.from(`${failed(9, '198.51.100.1')}\n`), // banned by then: blocked
    Buffer.from('{"time":"2026-03-01T12:00:10Z","event":"http.request","ip":"2001:DB8::1","status":404}\n'),
    Buffer.from('{"time":"2026-03-01T12:00:11Z","event":"http.request","ip":"2001:db8:0::1","status":404}'), // no final newline
  ]);
}

function replay(log: Buffer, chunkBytes: number): { out: string; replay: LogReplay } {
  let out = '';
  const r = new LogReplay(new RuleEngine(config, { onDecision: (d) => (out += formatDecision(d)) }));
  for (let i = 0; i < log.length; i += chunkBytes) r.push(log.subarray(i, i + chunkBytes));
  r.end();
  return { out, replay: r };
}

describe('LogReplay', () => {
  test('skips and counts every bad line, never stops, and decides on the rest', () => {
    const { out, replay: r } = replay(sampleLog(), 1 << 20);
    expect(out).toBe(
      '{"ip":"198.51.100.1","ruleId":"auth","at":"2026-03-01T12:00:08.000Z","duration":60,"banNumber":1}\n' +
        '{"ip":"2001:db8::1","ruleId":"watch","at":"2026-03-01T12:00:11.000Z","duration":0,"banNumber":0,"action":"alert"}\n'
    );
    expect(Object.fromEntries(r.rejected)).toEqual({
      blank: 1,
      invalid_json: 1,
      invalid_utf8: 1,
      too_long: 1,
      invalid_time: 1,
    });
    expect([r.lines, r.events, r.rejectedCount]).toEqual([14, 9, 5]);
    expect([r.engine.whitelisted, r.engine.blocked]).toEqual([3, 1]);
  });

  test('gives the same results however the stream is cut into chunks', () => {
    const log = sampleLog();
    const whole = replay(log, log.length);
    for (const size of [1, 2, 3, 7, 64, 4093, 65_536]) {
      const cut = replay(log, size);
      expect(cut.out).toBe(whole.out);
      expect(cut.replay.rejected).toEqual(whole.replay.rejected);
      expect(cut.replay.lines).toBe(whole.replay.lines);
    }
  });
});

describe('LineSplitter', () => {
  test('never holds more than maxLineBytes of a line, and hands out runs of whole lines only', () => {
    const runs: string[] = [];
    const rejected: string[] = [];
    const splitter = new LineSplitter(
      (buf, s, e) => runs.push(buf.toString('utf8', s, e)),
      (r) => rejected.push(r),
      8
    );
    for (const chunk of ['ab', 'cdefghijkl', 'mnop\nq', 'r\n12345678\n123456789', '\nlast'])
      splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(runs).toEqual(['qr', '12345678', 'last']);
    expect(rejected).toEqual(['too_long', 'too_long']);
  });
});

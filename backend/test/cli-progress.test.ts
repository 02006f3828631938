import { Writable } from 'node:stream';
import { formatDuration, formatRate, Progress, progressLine } from '../src/cli/progress';

test('progress lines show done/total, percent, rate and ETA', () => {
  expect(progressLine('verify', 'entries', 250_000, 1_000_000, 500)).toBe(
    'verify 250000/1000000 (25.0%) 500.0k entries/s, ETA 2s'
  );
  expect(progressLine('verify', 'entries', 0, 10, 0)).toBe('verify 0/10 (0.0%) 0 entries/s, ETA ?');
  expect(progressLine('verify', 'entries', 0, 0, 10)).toBe('verify 0/0 (100.0%) 0 entries/s, ETA 0s');
  expect(formatRate(1_234_567)).toBe('1.23M');
  expect(formatDuration(59.6)).toBe('1m00s');
  expect(formatDuration(3725)).toBe('1h02m');
});

test('off a terminal, a line every logEveryMs and always the last one', () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  let now = 0;
  const progress = new Progress({ label: 'verify', unit: 'entries', stream, logEveryMs: 1000, now: () => now });
  for (const [t, done] of [
    [100, 10],
    [600, 20],
    [1200, 30],
    [1300, 40],
  ] as const) {
    now = t;
    progress.update(done, 40);
  }
  expect(text.trim().split('\n')).toEqual([
    'verify 10/40 (25.0%) 100 entries/s, ETA 0s',
    'verify 30/40 (75.0%) 25 entries/s, ETA 0s',
    'verify 40/40 (100.0%) 31 entries/s, ETA 0s',
  ]);
  expect(progress.done()).toBe(1300);
});

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { append, line, lines, range, startIngest, tempDir, waitFor, type Harness } from './support';

describe('file ingestion: following one file', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('reads what is there, then what is appended, in order and once', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 10));
    h = await startIngest(dir, { files: [log] });
    await waitFor('10 events', () => h!.sink.events.length === 10);
    append(log, lines(10, 15));
    append(log, lines(15, 30));
    await waitFor('30 events', () => h!.sink.events.length === 30);
    await waitFor('caught up', h.caughtUp);
    expect(h.sink.numbers).toEqual(range(0, 30));
    const status = await h.status();
    expect(status).toMatchObject({ path: log, state: 'following', lines: 30, events: 30, rejected: {} });
    expect(status.bytesBehind).toBe(0);
    await waitFor('no lag', async () => (await h!.status()).lagSeconds === 0);
    expect(status.lastEventAt).toBe(h.sink.events[29]?.time);
    expect(h.sink.batches.every((b) => b.meta.source === 'file' && b.meta.path === log)).toBe(true);
  });

  test('events are canonical, and take the jail of their file unless they name one', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'api.jsonl');
    writeFileSync(log, line(1, { ip: '::ffff:198.51.100.9', method: 'post' }) + line(2, { jail: 'sshd' }));
    h = await startIngest(dir, { files: [{ path: log, jail: 'api-auth' }] });
    await waitFor('2 events', () => h!.sink.events.length === 2);
    expect(h.sink.events[0]).toMatchObject({ ip: '198.51.100.9', method: 'POST', jail: 'api-auth', msg: '1' });
    expect(h.sink.events[1]).toMatchObject({ jail: 'sshd' });
  });

  test('skips and counts what is not an event: malformed, too long, invalid UTF-8, blank; CRLF is fine', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    const huge = `{"time":"2026-03-01T12:00:00Z","event":"x","ip":"198.51.100.1","msg":"${'a'.repeat(2 * 1024 * 1024)}"}\n`;
    const bigButValid = line(4, { stack: 'b'.repeat(1_000_000) });
    writeFileSync(
      log,
      Buffer.concat([
        Buffer.from(line(0)),
        Buffer.from('{"time":"2026-03-01T12:00:00Z","event":\n'), // malformed
        Buffer.from(huge), // 2 MiB: over the line cap, skipped as it streams by
        Buffer.from(line(1).replace('\n', '\r\n')), // CRLF
        Buffer.from('{"time":"2026-03-01T12:00:00Z","event":"x","ip":"198.51.100.1","user":"'),
        Buffer.from([0xc3, 0x28]), // invalid UTF-8
        Buffer.from('"}\n\n'), // and a blank line
        Buffer.from(line(2, { ip: 'not-an-address' })),
        Buffer.from(line(3)),
        Buffer.from(bigButValid), // a 1 MB line that is a valid event (a large field no rule reads)
      ])
    );
    h = await startIngest(dir, { files: [log] });
    await waitFor('caught up', h.caughtUp);
    expect(h.sink.numbers).toEqual([0, 1, 3, 4]);
    const status = await h.status();
    expect(status.rejected).toEqual({ invalid_json: 1, too_long: 1, invalid_utf8: 1, blank: 1, invalid_ip: 1 });
    expect(status.lines).toBe(9);
    const rejected = await h.registry.getSingleMetric('ingest_lines_rejected_total')?.get();
    expect(rejected?.values.find((v) => v.labels.reason === 'too_long')).toMatchObject({ value: 1 });
  });

  test('a line cap of maxLineBytes: the same 1 MB line is refused under a 64 KiB cap', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, line(0, { stack: 'b'.repeat(1_000_000) }) + line(1));
    h = await startIngest(dir, { files: [log], maxLineBytes: 65_536 });
    await waitFor('caught up', h.caughtUp);
    expect(h.sink.numbers).toEqual([1]);
    expect((await h.status()).rejected).toEqual({ too_long: 1 });
  });

  test('a line without its newline is waited for, however it is cut', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    const third = line(2);
    writeFileSync(log, lines(0, 2) + third.slice(0, 20));
    h = await startIngest(dir, { files: [log] });
    const whole = 2 * line(0).length;
    // Read to the end, and the two whole lines committed.
    const settled = async () => {
      const f = (await h!.status()).files[0];
      return f !== undefined && f.readOffset === f.size && f.offset === whole;
    };
    await waitFor('the partial line read', settled);
    expect(h.sink.numbers).toEqual([0, 1]);
    append(log, third.slice(20, -1)); // all but the newline
    await waitFor('the rest read', settled);
    expect(h.sink.numbers).toEqual([0, 1]);
    expect((await h.status()).files[0]?.readOffset).toBe(whole + third.length - 1);
    append(log, '\n');
    await waitFor('3 events', () => h!.sink.events.length === 3);
    expect(h.sink.events[2]?.msg).toBe('2');
    expect((await h.status()).rejected).toEqual({});
  });

  test('a file (and its folder) that does not exist yet is waited for, then read from its start', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'later', 'app.jsonl');
    h = await startIngest(dir, { files: [{ path: log, from: 'end' }] });
    await waitFor('waiting', async () => (await h!.status()).state === 'waiting');
    mkdirSync(path.dirname(log));
    writeFileSync(log, lines(0, 5));
    await waitFor('5 events', () => h!.sink.events.length === 5);
    append(log, lines(5, 8));
    await waitFor('8 events', () => h!.sink.events.length === 8);
    expect(h.sink.numbers).toEqual(range(0, 8));
  });

  test('from: end skips the lines already there at the first start, not a line being written', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    const partial = line(5);
    writeFileSync(log, lines(0, 5) + partial.slice(0, 10));
    h = await startIngest(dir, { files: [{ path: log, from: 'end' }] });
    await waitFor('following', async () => (await h!.status()).files.length === 1);
    append(log, partial.slice(10) + lines(6, 8));
    await waitFor('3 events', () => h!.sink.events.length === 3);
    expect(h.sink.numbers).toEqual([5, 6, 7]);
  });

  test('a path that cannot be read is reported in its status, never fatal; the other files go on', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'not-a-file');
    mkdirSync(folder);
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 3));
    h = await startIngest(dir, { files: [folder, log] });
    await waitFor('3 events', () => h!.sink.events.length === 3);
    await waitFor('the error reported', async () => (await h!.status(0)).lastError !== null);
    expect((await h.status(0)).lastError?.message).toMatch(/EISDIR/);
    append(log, lines(3, 4));
    await waitFor('4 events', () => h!.sink.events.length === 4);
  });

  test('many files at once, each in order', async () => {
    const dir = tempDir();
    const files = range(0, 24).map((i) => path.join(dir, `app-${i}.jsonl`));
    files.forEach((f, i) => writeFileSync(f, lines(i * 1000, i * 1000 + 50)));
    h = await startIngest(dir, { files, batchSize: 16 });
    files.forEach((f, i) => append(f, lines(i * 1000 + 50, i * 1000 + 100)));
    await waitFor('2400 events', () => h!.sink.events.length === 2400, 30_000);
    await waitFor('caught up', h.caughtUp);
    for (let i = 0; i < files.length; i++) {
      const ofFile = h.sink.numbers.filter((n) => Math.floor(n / 1000) === i);
      expect(ofFile).toEqual(range(i * 1000, i * 1000 + 100));
    }
    expect(h.sink.batches.every((b) => b.size <= 16)).toBe(true);
    expect((await h.ingester.status()).files.map((f) => f.events)).toEqual(files.map(() => 100));
  });
});

import { copyFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { append, line, lines, range, startIngest, tempDir, waitFor, type Harness } from './support';

describe('file ingestion: rotation and truncation', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('logrotate create: the old file is read to its end, lines its writer adds after the rename included', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 10));
    h = await startIngest(dir, { files: [log], rotateWaitMs: 60_000 });
    await waitFor('10 events', () => h!.sink.events.length === 10);

    renameSync(log, `${log}.1`);
    append(`${log}.1`, lines(10, 15)); // the writer has not reopened its log yet
    writeFileSync(log, lines(15, 20));
    await waitFor('20 events', () => h!.sink.events.length === 20);
    // Still writing to the old file after the new one is followed.
    append(`${log}.1`, lines(20, 25));
    await waitFor('25 events', () => h!.sink.events.length === 25);
    append(log, lines(25, 30));
    await waitFor('30 events', () => h!.sink.events.length === 30);

    expect(h.sink.numbers).toEqual(range(0, 30));
    const status = await h.status();
    expect(status.rotations).toBe(1);
    expect(status.files.map((f) => f.rotated)).toEqual([true, false]);
  });

  test('a rotated file is closed once idle for rotateWaitMs; its last line without a newline is taken', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 3) + line(3).trimEnd()); // its writer never ended the last line
    h = await startIngest(dir, { files: [log], rotateWaitMs: 50 });
    await waitFor('3 events', () => h!.sink.events.length === 3);
    renameSync(log, `${log}.1`);
    await waitFor('the old file closed', async () => (await h!.status()).files.length === 0);
    expect(h.sink.numbers).toEqual([0, 1, 2, 3]);
    expect((await h.status()).state).toBe('waiting');
    writeFileSync(log, lines(4, 6));
    await waitFor('6 events', () => h!.sink.events.length === 6);
    expect(h.sink.numbers).toEqual(range(0, 6));
  });

  test('a file deleted and created again is read from its start', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 5));
    h = await startIngest(dir, { files: [log] });
    await waitFor('5 events', () => h!.sink.events.length === 5);
    unlinkSync(log);
    writeFileSync(log, lines(5, 8));
    await waitFor('8 events', () => h!.sink.events.length === 8);
    await waitFor('the deleted file closed', async () => (await h!.status()).files.length === 1);
    expect(h.sink.numbers).toEqual(range(0, 8));
  });

  test('copytruncate: after the truncation the file is read from its start, nothing twice', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 10));
    h = await startIngest(dir, { files: [log] });
    await waitFor('10 events', () => h!.sink.events.length === 10);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    await waitFor('the truncation seen', async () => (await h!.status()).truncations === 1);
    append(log, lines(10, 13));
    await waitFor('13 events', () => h!.sink.events.length === 13);
    await waitFor('caught up', h.caughtUp);
    expect(h.sink.numbers).toEqual(range(0, 13));
    const status = await h.status();
    expect(status.rotations).toBe(0);
    expect(status.files).toHaveLength(1);
    expect(status.files[0]?.offset).toBe(lines(10, 13).length);
  });

  test('truncated and written past the old position before the next look: the first bytes tell', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 3));
    h = await startIngest(dir, { files: [log] });
    await waitFor('3 events', () => h!.sink.events.length === 3);
    truncateSync(log, 0);
    append(log, lines(100, 110)); // longer than what was read
    await waitFor('13 events', () => h!.sink.events.length === 13);
    await waitFor('caught up', h.caughtUp);
    expect(h.sink.numbers).toEqual([...range(0, 3), ...range(100, 110)]);
    expect((await h.status()).truncations).toBe(1);
  });

  test('rotation counted in the metrics, with the configured path as the only label', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 2));
    h = await startIngest(dir, { files: [log] });
    await waitFor('2 events', () => h!.sink.events.length === 2);
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(2, 4));
    await waitFor('4 events', () => h!.sink.events.length === 4);
    const text = await h.registry.metrics();
    expect(text).toContain(`ingest_rotations_total{file="${log}"} 1`);
    expect(text).toContain(`ingest_events_total{file="${log}"} 4`);
    expect(text).toContain(`ingest_lines_total{file="${log}"} 4`);
    expect(text).toMatch(
      new RegExp(`ingest_bytes_behind\\{file="${log.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\} 0`)
    );
  });
});

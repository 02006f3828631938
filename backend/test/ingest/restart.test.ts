import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { append, line, lines, range, recordingLog, RecordingSink, startIngest, tempDir, waitFor } from './support';

/** Runs ingestion of `log` until it has caught up, then stops it. */
async function runOnce(dir: string, log: string, sink = new RecordingSink(), section: Record<string, unknown> = {}) {
  const h = await startIngest(dir, { files: [log], ...section }, { sink });
  await waitFor('caught up', h.caughtUp);
  await h.close();
  return sink;
}

describe('file ingestion: restarts', () => {
  test('resumes exactly where it stopped: nothing lost, nothing twice, a half-written line read whole', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 10));
    expect((await runOnce(dir, log)).numbers).toEqual(range(0, 10));

    append(log, lines(10, 20) + line(20).slice(0, 30)); // written while the backend was down
    const sink = new RecordingSink();
    const h = await startIngest(dir, { files: [log] }, { sink });
    await waitFor('10 events', () => sink.events.length === 10);
    await h.close(); // stopped with half a line pending
    append(log, line(20).slice(30) + lines(21, 25));
    const after = await runOnce(dir, log);
    expect([...sink.numbers, ...after.numbers]).toEqual(range(10, 25));
  });

  test('positions are saved atomically: one JSON file, no temporary file left', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 3)); // 282 bytes: the head hash covers all of them
    await runOnce(dir, log);
    const stateDir = path.join(dir, 'ingest');
    expect(readdirSync(stateDir)).toEqual(['positions.json']);
    const state = JSON.parse(readFileSync(path.join(stateDir, 'positions.json'), 'utf8'));
    expect(state).toMatchObject({ version: 1, files: { [log]: [{ offset: 282, headLength: 282 }] } });
  });

  test('rotated while down: the rest of the old file is found by its inode and read before the new one', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 10));
    await runOnce(dir, log);
    append(log, lines(10, 15));
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(15, 20));
    const sink = await runOnce(dir, log);
    expect(sink.numbers).toEqual(range(10, 20));
  });

  test('replaced while down (deleted, or rewritten in place): the new content is read from its start', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 10));
    await runOnce(dir, log);

    unlinkSync(log);
    writeFileSync(log, lines(100, 103)); // may well get the same inode number
    expect((await runOnce(dir, log)).numbers).toEqual(range(100, 103));

    writeFileSync(log, lines(200, 230)); // in place, longer than the saved position
    expect((await runOnce(dir, log)).numbers).toEqual(range(200, 230));

    writeFileSync(log, lines(300, 301)); // in place, shorter
    expect((await runOnce(dir, log)).numbers).toEqual([300]);
  });

  test('an unreadable state file is moved aside and reported; ingestion starts over', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 3));
    await runOnce(dir, log);
    const stateFile = path.join(dir, 'ingest', 'positions.json');
    writeFileSync(stateFile, '{"version":1,"files":{"x":[{"dev":1}]}}');
    const log2 = recordingLog();
    const sink = new RecordingSink();
    const h = await startIngest(dir, { files: [log] }, { sink, log: log2 });
    await waitFor('caught up', h.caughtUp);
    await h.close();
    expect(sink.numbers).toEqual(range(0, 3));
    expect(existsSync(`${stateFile}.bad`)).toBe(true);
    expect(log2.messages.some((m) => m.includes('unreadable state file'))).toBe(true);
  });

  test('a path removed from the configuration is forgotten; the others keep their positions', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    writeFileSync(a, lines(0, 2));
    writeFileSync(b, lines(10, 12));
    const h = await startIngest(dir, { files: [a, b] });
    await waitFor('caught up', h.caughtUp);
    await h.close();
    append(a, lines(2, 4));
    expect((await runOnce(dir, a)).numbers).toEqual([2, 3]);
    const state = JSON.parse(readFileSync(path.join(dir, 'ingest', 'positions.json'), 'utf8'));
    expect(Object.keys(state.files)).toEqual([a]);
  });
});

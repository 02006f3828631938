import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { append, lines, range, RecordingSink, startIngest, tempDir, waitFor, type Harness } from './support';

/** The tailer reads 64 KiB at a time, and reads on only while it holds less than a batch. */
const CHUNK = 64 * 1024;

describe('file ingestion: the pipeline', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('a slow pipeline holds reading back: at most a chunk and a batch are read ahead of the commit', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 20_000)); // about 1.9 MB
    const sink = new RecordingSink();
    let release: () => void = () => undefined;
    let held = true;
    const aheads: number[] = [];
    sink.gate = async () => {
      const f = (await h!.status()).files[0];
      if (f) aheads.push(f.readOffset - f.offset);
      if (held) await new Promise<void>((resolve) => (release = resolve));
    };
    h = await startIngest(dir, { files: [log], batchSize: 100 }, { sink });
    await waitFor('the first batch handed', () => sink.calls === 1);
    // The pipeline is stuck: give the tailer a few polls to (wrongly) read on.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stuck = await h.status();
    expect(stuck.files[0]?.offset).toBe(0);
    expect(stuck.files[0]?.readOffset).toBeLessThanOrEqual(CHUNK);
    expect(stuck.bytesBehind).toBe(stuck.files[0]?.size);
    expect(stuck.lagSeconds).toBeGreaterThan(0);

    held = false;
    release();
    await waitFor('20000 events', () => sink.events.length === 20_000);
    expect(sink.numbers).toEqual(range(0, 20_000));
    expect(Math.max(...aheads)).toBeLessThanOrEqual(CHUNK + 100 * lines(19_999, 20_000).length);
    expect(sink.batches.every((b) => b.size <= 100)).toBe(true);
  });

  test('a failing pipeline: the batch is retried, the position does not move until it is committed', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 5));
    const sink = new RecordingSink();
    let failures = 3;
    sink.gate = async () => {
      if (failures-- > 0) throw new Error('database unavailable');
    };
    h = await startIngest(dir, { files: [log] }, { sink });
    await waitFor('a failure', async () => (await h!.status()).sinkFailures >= 1);
    const failing = await h.status();
    expect(failing.state).toBe('retrying');
    expect(failing.files[0]?.offset).toBe(0);
    expect(failing.lastError?.message).toContain('database unavailable');

    await waitFor('5 events', () => sink.events.length === 5);
    await waitFor('caught up', h.caughtUp);
    expect(sink.numbers).toEqual(range(0, 5));
    const status = await h.status();
    expect(status).toMatchObject({ state: 'following', sinkFailures: 3, events: 5 });
    const text = await h.registry.metrics();
    expect(text).toContain(`ingest_sink_failures_total{file="${log}"} 3`);
  });

  test('stopped while the pipeline keeps failing: nothing is lost, the next start hands the batch again', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 5));
    const failing = new RecordingSink();
    failing.gate = async () => {
      throw new Error('down');
    };
    h = await startIngest(dir, { files: [log], pollIntervalMs: 10 }, { sink: failing });
    await waitFor('two failures', async () => (await h!.status()).sinkFailures >= 2);
    await h.close(); // returns although the pipeline never recovered
    append(log, lines(5, 7));
    h = await startIngest(dir, { files: [log] });
    await waitFor('7 events', () => h!.sink.events.length === 7);
    expect(h.sink.numbers).toEqual(range(0, 7));
  });

  test('close waits for the batch being committed, and saves its position', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.jsonl');
    writeFileSync(log, lines(0, 4));
    const sink = new RecordingSink();
    let release: () => void = () => undefined;
    sink.gate = () => new Promise<void>((resolve) => (release = resolve));
    h = await startIngest(dir, { files: [log] }, { sink });
    await waitFor('a batch handed', () => sink.calls === 1);
    let closed = false;
    const closing = h.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(sink.numbers).toEqual(range(0, 4));
    h = await startIngest(dir, { files: [log] });
    append(log, lines(4, 5));
    await waitFor('1 event', () => h!.sink.events.length === 1);
    await waitFor('caught up', h.caughtUp);
    expect(h.sink.numbers).toEqual([4]);
  });
});

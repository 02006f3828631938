/** The audit writer thread (see writer-thread.ts): an AuditWriter on its own PostgreSQL connections. */
import { parentPort, workerData } from 'node:worker_threads';
import { PostgresDatabase } from '../db/postgres';
import { AuditWriter } from './store';
import { threadError, type FromThread, type ToThread, type WriterThreadOptions } from './writer-thread';

type Data = Omit<WriterThreadOptions, 'onCommit' | 'onThreadError'>;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('writer-thread-main runs as a worker thread');
  const data = workerData as Data;
  const send = (message: FromThread): void => port.postMessage(message);
  // Results go back together, once per event-loop turn: one message per append would cost the request thread
  // as much as the entries themselves.
  let settled: Extract<FromThread, { type: 'settled' }>['items'] = [];
  const drain = (): void => {
    if (settled.length === 0) return;
    const items = settled;
    settled = [];
    send({ type: 'settled', items });
  };
  const settle = (item: (typeof settled)[number]): void => {
    if (settled.length === 0) setImmediate(drain);
    settled.push(item);
  };
  // A flush or close is answered after the results it waited for.
  const done = (id: number, err?: unknown): void => {
    drain();
    send(err === undefined ? { type: 'done', id } : { type: 'done', id, error: threadError(err) });
  };
  const db = new PostgresDatabase({
    url: data.database.url,
    schema: data.database.schema,
    poolMax: 2, // one transaction at a time, plus head reads
    statementTimeoutMs: data.database.statementTimeoutMs,
  });
  const writer = new AuditWriter(db, {
    redactFields: data.redactFields,
    maxBatchEntries: data.maxBatchEntries,
    backgroundFlushMs: data.backgroundFlushMs,
    onCommit: (count, seconds) => send({ type: 'commit', count, seconds }),
  });
  port.on('message', (message: ToThread) => {
    switch (message.type) {
      case 'append':
        for (const item of message.items) {
          let appended;
          try {
            appended = writer.append(item.inputs, { background: item.background });
          } catch (err) {
            settle({ id: item.id, error: threadError(err) });
            continue;
          }
          appended.then(
            (result) => settle({ id: item.id, result }),
            (err: unknown) => settle({ id: item.id, error: threadError(err) })
          );
        }
        break;
      case 'flush':
        writer.flush().then(
          () => done(message.id),
          (err: unknown) => done(message.id, err ?? new Error('flush failed'))
        );
        break;
      case 'close':
        writer
          .close()
          .then(() => db.close())
          .then(
            () => done(message.id),
            (err: unknown) => done(message.id, err ?? new Error('close failed'))
          )
          .finally(() => port.close()); // nothing left to keep the thread alive: it exits
        break;
    }
  });
  await db.ping();
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  // Reported to the main thread as the worker's 'error' event.
  setImmediate(() => {
    throw err;
  });
});

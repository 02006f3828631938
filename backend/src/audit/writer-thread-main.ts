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
            send({ type: 'settled', id: item.id, error: threadError(err) });
            continue;
          }
          appended.then(
            (result) => send({ type: 'settled', id: item.id, result }),
            (err: unknown) => send({ type: 'settled', id: item.id, error: threadError(err) })
          );
        }
        break;
      case 'flush':
        writer.flush().then(
          () => send({ type: 'done', id: message.id }),
          (err: unknown) => send({ type: 'done', id: message.id, error: threadError(err) })
        );
        break;
      case 'close':
        writer
          .close()
          .then(() => db.close())
          .then(
            () => send({ type: 'done', id: message.id }),
            (err: unknown) => send({ type: 'done', id: message.id, error: threadError(err) })
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

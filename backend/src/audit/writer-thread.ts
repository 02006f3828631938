/**
 * The audit writer on its own thread. Every API request is recorded, and building, hashing and storing
 * an entry costs several times what serving a small request does; on the request thread that halves the
 * requests/s the API can serve. Here the request thread only validates and posts events (batched per
 * event-loop turn); a worker thread with its own PostgreSQL connections builds, hashes and writes them
 * through an AuditWriter, with the same ordering, group commit and acknowledgement after commit.
 * PGlite lives in the main thread, so it keeps the in-thread AuditWriter.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditInputError, validateInput, type AuditEventInput } from './entry';
import type { AppendOptions, AppendResult, AuditSink } from './store';

export interface WriterThreadOptions {
  database: { url: string; schema: string; statementTimeoutMs: number };
  redactFields: readonly string[];
  maxBatchEntries?: number;
  backgroundFlushMs?: number;
  /**
   * Background entries (the request hook's) wait up to this long, or until BACKGROUND_POST_ENTRIES are waiting,
   * to be posted to the thread together: a postMessage costs tens of microseconds, as much as the rest of the
   * hook. Anything else is posted at the end of the event-loop turn. Default 20 ms.
   */
  backgroundPostMs?: number;
  onCommit?: (count: number, seconds: number) => void;
  /** Told when the thread stops unexpectedly (entries in flight are rejected; the next append restarts it). */
  onThreadError?: (err: Error) => void;
}

/** Posted to the thread. */
export type ToThread =
  | { type: 'append'; items: { id: number; inputs: AuditEventInput[]; background: boolean }[] }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };

/** Posted by the thread. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'settled'; items: { id: number; result?: AppendResult; error?: ThreadError }[] }
  | { type: 'commit'; count: number; seconds: number }
  | { type: 'done'; id: number; error?: ThreadError };

export interface ThreadError {
  message: string;
  inputError?: { field: string; detail: string; index?: number };
}

/** Background entries waiting this many are posted without waiting for backgroundPostMs. */
const BACKGROUND_POST_ENTRIES = 256;

interface Waiter {
  resolve: (value: AppendResult | undefined) => void;
  reject: (err: unknown) => void;
}

export class WriterThread implements AuditSink {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private outbox: { id: number; inputs: AuditEventInput[]; background: boolean }[] = [];
  /** A post is scheduled at the end of this turn (something not in the background is waiting). */
  private posting = false;
  private backgroundTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: WriterThreadOptions) {}

  /** Starts the thread and resolves once its database answers; rejects with the reason when it cannot. */
  async start(): Promise<void> {
    this.thread();
    await this.ready;
  }

  append(inputs: readonly AuditEventInput[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the audit writer is closed'));
    if (inputs.length === 0) return Promise.reject(new RangeError('nothing to append'));
    const background = options.background === true;
    const now = new Date().toISOString();
    const stamped = inputs.map((input, index) => {
      // Events the hook builds are valid by construction; everything else is checked here, so that a bad
      // event fails its own request synchronously, as with the in-thread writer.
      if (!background) {
        try {
          validateInput(input);
        } catch (err) {
          if (err instanceof AuditInputError) throw err.at(index);
          throw err;
        }
      }
      return input.timestamp === undefined ? { ...input, timestamp: now } : input;
    });
    const id = this.nextId++;
    const settled = this.wait(id) as Promise<AppendResult>;
    this.outbox.push({ id, inputs: stamped, background });
    if (!background || this.outbox.length >= BACKGROUND_POST_ENTRIES) {
      if (!this.posting) {
        this.posting = true;
        setImmediate(() => this.post());
      }
    } else {
      this.backgroundTimer ??= setTimeout(() => this.post(), this.options.backgroundPostMs ?? 20);
    }
    return settled;
  }

  async flush(): Promise<void> {
    if (!this.worker && this.outbox.length === 0) return;
    this.post();
    const id = this.nextId++;
    const done = this.wait(id);
    this.send({ type: 'flush', id });
    await done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.post();
    const id = this.nextId++;
    const done = this.wait(id);
    this.send({ type: 'close', id });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      await done;
      // The thread ends by itself once its connections are closed; terminate it if it lingers.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  private settle(id: number, error: ThreadError | undefined, result: AppendResult | undefined): void {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (!waiter) return;
    if (error) waiter.reject(toError(error));
    else waiter.resolve(result);
  }

  private wait(id: number): Promise<AppendResult | undefined> {
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  private post(): void {
    this.posting = false;
    clearTimeout(this.backgroundTimer);
    this.backgroundTimer = undefined;
    if (this.outbox.length === 0) return;
    const items = this.outbox;
    this.outbox = [];
    this.send({ type: 'append', items });
  }

  private send(message: ToThread): void {
    this.thread().postMessage(message);
  }

  /** The running thread, started on first use and again after it stopped. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const { onCommit, onThreadError, ...data } = this.options;
    const file = path.join(__dirname, `writer-thread-main${path.extname(__filename)}`);
    // From the TypeScript sources (tests, `npm run dev`) the thread compiles them as it loads them, through tsx's
    // CommonJS hook. The parent's ESM loader flags (`tsx` run as a command adds `--import <tsx loader>`) are left out:
    // with them Node 20 loads the thread's .ts entry through the ESM loader, which refuses the extension.
    const execArgv = file.endsWith('.ts')
      ? [...process.execArgv.filter((arg, i, all) => !isEsmLoaderFlag(arg, all[i - 1])), '--require', 'tsx/cjs']
      : undefined;
    const worker = new Worker(file, { workerData: data, execArgv, name: 'audit-writer' });
    this.worker = worker;
    let started!: () => void;
    let failed!: (err: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined); // awaited by start(); appends learn of failures from their own promises
    worker.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'ready':
          started();
          break;
        case 'commit':
          onCommit?.(message.count, message.seconds);
          break;
        case 'settled':
          for (const item of message.items) this.settle(item.id, item.error, item.result);
          break;
        case 'done':
          this.settle(message.id, message.error, undefined);
          break;
      }
    });
    const stopped = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      failed(err);
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
      if (!this.closed) onThreadError?.(err);
    };
    worker.on('error', (err) => stopped(new Error(`the audit writer thread failed: ${err.message}`)));
    worker.on('exit', (code) => stopped(new Error(`the audit writer thread exited with code ${code}`)));
    return worker;
  }
}

function toError(error: ThreadError): Error {
  if (error.inputError) {
    const { field, detail, index } = error.inputError;
    return new AuditInputError(field, detail, index);
  }
  return new Error(error.message);
}

/** How the thread reports an error back: input errors keep their field and index. */
export function threadError(err: unknown): ThreadError {
  if (err instanceof AuditInputError) {
    return { message: err.message, inputError: { field: err.field, detail: err.detail, index: err.index } };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** `--import x`, `--import=x`, `--loader x`, `--experimental-loader x`, or the value of one of them. */
function isEsmLoaderFlag(arg: string, previous: string | undefined): boolean {
  const flags = ['--import', '--loader', '--experimental-loader'];
  return (
    flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)) ||
    (previous !== undefined && flags.includes(previous))
  );
}

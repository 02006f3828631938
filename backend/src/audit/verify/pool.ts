/** Hashing threads: this module, loaded again as a worker, answers batches (checkBatch). */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkBatch, type BatchJob, type BatchResult } from './batch';
import type { BatchMemory, OwnBuffer } from './rows';

interface ToHasher {
  job: BatchJob;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

interface FromHasher {
  result: BatchResult;
  /** The batch's memory, given back. */
  buffer: ArrayBuffer;
}

interface Task {
  job: BatchJob;
  buf: OwnBuffer;
  resolve: (result: BatchResult) => void;
  reject: (err: Error) => void;
}

const THREAD_MARKER = 'cartae-audit-verify';

export class BatchPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];

  constructor(
    private readonly threads: number,
    private readonly memory: BatchMemory
  ) {}

  run(job: BatchJob, buf: OwnBuffer): Promise<BatchResult> {
    if (this.threads === 0) {
      try {
        return Promise.resolve(checkBatch(buf, job));
      } catch (err) {
        return Promise.reject(err as Error);
      } finally {
        this.memory.give(buf.buffer);
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, buf, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.workers.length < this.threads)) {
      const worker = this.idle.pop() ?? this.spawn();
      const task = this.queue.shift() as Task;
      this.busy.set(worker, task);
      const { buf } = task;
      const message: ToHasher = { job: task.job, buffer: buf.buffer, offset: buf.byteOffset, length: buf.length };
      worker.postMessage(message, [buf.buffer]);
    }
  }

  private spawn(): Worker {
    const file = __filename;
    // From the TypeScript sources (tests, `npm run dev`) the thread compiles them as it loads them.
    const execArgv = file.endsWith('.ts') ? [...process.execArgv, '--require', 'tsx/cjs'] : undefined;
    const worker = new Worker(file, { workerData: { thread: THREAD_MARKER }, execArgv, name: 'audit-verify' });
    this.workers.push(worker);
    worker.on('message', ({ result, buffer }: FromHasher) => {
      this.memory.give(buffer);
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      task?.resolve(result);
      this.dispatch();
    });
    const failed = (err: Error): void => {
      for (const list of [this.workers, this.idle]) if (list.includes(worker)) list.splice(list.indexOf(worker), 1);
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      task?.reject(err);
      for (const queued of this.queue.splice(0)) queued.reject(err);
    };
    worker.on('error', (err) => failed(new Error(`an audit verify thread failed: ${err.message}`)));
    worker.on('exit', (code) => failed(new Error(`an audit verify thread exited with code ${code}`)));
    return worker;
  }
}

if (!isMainThread && parentPort && (workerData as { thread?: unknown } | null)?.thread === THREAD_MARKER) {
  const port = parentPort;
  port.on('message', (message: ToHasher) => {
    const result = checkBatch(Buffer.from(message.buffer, message.offset, message.length), message.job);
    const reply: FromHasher = { result, buffer: message.buffer };
    port.postMessage(reply, [message.buffer]);
  });
}

/**
 * Follows one configured path: the file it names now, and files it named before (after a rotation by rename)
 * until they have been idle for `rotateWaitMs`, so that lines a writer adds before it reopens its log are read.
 * One loop per path: look at the path, read every open file to its end in batches, close idle rotated files,
 * then wait for a change or the poll. The loop awaits the pipeline before reading on (back-pressure), and saves
 * positions only once the pipeline has committed a batch. Semantics and guarantees: docs/ingest.md.
 */
import path from 'node:path';
import type { IngestFileConfig } from './config';
import { idOf, lastLineStart, sameId, statPath } from './file-identity';
import type { IngestMetrics } from './metrics';
import type { PositionStore } from './positions';
import { positionOf, reopen } from './restore';
import { Segment } from './segment';
import { TailerStats } from './tailer-stats';
import { TailerState, type FileStatus, type IngestLogger, type IngestSink } from './types';
import { ChangeWaker } from './waker';

export interface TailerOptions {
  file: IngestFileConfig;
  sink: IngestSink;
  store: PositionStore;
  pollIntervalMs: number;
  batchSize: number;
  maxLineBytes: number;
  rotateWaitMs: number;
  log: IngestLogger;
  metrics?: IngestMetrics;
}

const CHUNK_BYTES = 64 * 1024;
/** Chunks read from one file before the loop looks at the path again: a busy log cannot starve the others. */
const CHUNKS_PER_PASS = 64;
/** Rotated files read at once; beyond, the oldest is closed once read to its end. */
const MAX_ROTATED = 8;
const MAX_RETRY_MS = 30_000;

class Stopped extends Error {}

export class FileTailer {
  private readonly segments: Segment[] = [];
  private readonly waker: ChangeWaker;
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly stats: TailerStats;
  private running: Promise<void> | null = null;
  /** The latest save: awaited on stop. */
  private saved: Promise<void> = Promise.resolve();
  private stopping = false;
  private wakePause: (() => void) | null = null;
  /** `from` applies only to a file that exists at start-up and has no saved position. */
  private firstLook = true;

  constructor(private readonly o: TailerOptions) {
    const base = path.basename(o.file.path);
    this.stats = new TailerStats(o.file, o.metrics);
    this.waker = new ChangeWaker(path.dirname(o.file.path), o.pollIntervalMs, (name) => {
      return name === null || name === base || this.segments.some((s) => s.rotatedAt !== null);
    });
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops reading; a batch the pipeline is committing is waited for and its position saved. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.waker.close();
    this.wakePause?.();
    await this.running;
  }

  status(): Promise<FileStatus> {
    return this.stats.status(this.segments);
  }

  private async run(): Promise<void> {
    try {
      await this.restore();
    } catch (err) {
      this.stats.fail(err, 'restoring the saved position', this.o.log);
    }
    while (!this.stopping) {
      let more = false;
      try {
        await this.follow();
        more = await this.drain();
        await this.retire();
      } catch (err) {
        if (!(err instanceof Stopped)) this.stats.fail(err, 'reading', this.o.log);
      }
      if (!more) await this.waker.wait();
    }
    await this.saved;
    await Promise.all(this.segments.map((s) => s.close().catch(() => undefined)));
    this.stats.state = TailerState.stopped;
  }

  /** Reopens the files of the saved positions, where they are now (`app.log`, or `app.log.1` once rotated). */
  private async restore(): Promise<void> {
    const saved = this.o.store.get(this.o.file.path);
    if (saved === undefined) return;
    this.firstLook = false;
    for (const position of saved) {
      const reopened = await reopen(this.o.file.path, position, this.segmentOptions());
      if (reopened === null) {
        this.o.log.warn({ file: this.o.file.path, inode: position.ino }, 'a saved file is gone; its rest is lost');
        continue;
      }
      if (reopened.truncated) this.stats.truncated();
      this.segments.push(reopened.segment);
    }
    this.save();
  }

  /** Looks at what the path names now: the same file (truncated?), another one (rotation), or none. */
  private async follow(): Promise<void> {
    const firstLook = this.firstLook;
    this.firstLook = false;
    const st = await statPath(this.o.file.path);
    const current = this.segments.at(-1)?.rotatedAt === null ? this.segments.at(-1) : undefined;
    if (st === null) {
      if (current) this.rotated(current);
      this.stats.state = TailerState.waiting;
      return;
    }
    if (this.stats.state !== TailerState.retrying) this.stats.state = TailerState.following;
    const id = idOf(st);
    if (current && sameId(current.id, id)) {
      if (Number(st.size) < current.readOffset || !(await current.unchanged())) await this.truncated(current);
      return;
    }
    if (current) this.rotated(current);
    const known = this.segments.findIndex((s) => sameId(s.id, id));
    if (known >= 0) {
      // Renamed back: it is the current file again.
      const [segment] = this.segments.splice(known, 1) as [Segment];
      segment.rotatedAt = null;
      this.segments.push(segment);
      return;
    }
    const fromEnd = firstLook && this.o.file.from === 'end';
    const segment = await Segment.open(this.o.file.path, fromEnd ? lastLineStart : 0, this.segmentOptions());
    if (this.segments.some((s) => sameId(s.id, segment.id))) return void (await segment.close()); // moved meanwhile
    this.segments.push(segment);
    this.o.log.info({ file: this.o.file.path, inode: segment.id.ino, offset: segment.committed }, 'following file');
  }

  /** Reads every open file to its end (or CHUNKS_PER_PASS): true when there is more to read. */
  private async drain(): Promise<boolean> {
    let more = false;
    for (const segment of [...this.segments]) {
      for (let chunks = 0; ; chunks++) {
        if (this.stopping) throw new Stopped();
        if (chunks === CHUNKS_PER_PASS) {
          more = true;
          break;
        }
        const lines = segment.linesRead;
        const bytes = await segment.read(this.buf);
        this.stats.read(bytes, segment.linesRead - lines);
        while (segment.queue.length >= this.o.batchSize) await this.deliver(segment, this.o.batchSize);
        if (bytes === 0) break;
      }
      if (segment.queue.length > 0 || segment.lineEnd > segment.committed) {
        await this.deliver(segment, segment.queue.length);
      }
    }
    if (!more) this.stats.caughtUp();
    return more;
  }

  /** Hands the first `count` queued events to the pipeline, then saves the position after them. */
  private async deliver(segment: Segment, count: number): Promise<void> {
    // Checked after reading and before handing: bytes read from a file rewritten in place are never handed.
    if (!(await segment.unchanged())) return this.truncated(segment);
    const batch = segment.queue.splice(0, count);
    const to = segment.queue.length === 0 ? segment.lineEnd : (batch.at(-1) as { end: number }).end;
    if (batch.length > 0) await this.send(batch.map((q) => q.event));
    segment.committed = to;
    this.stats.committed(batch.length, batch.at(-1)?.event.time);
    await segment.growHead();
    this.save();
  }

  private async send(events: Parameters<IngestSink>[0]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) throw new Stopped();
      try {
        await this.o.sink(events, { source: 'file', path: this.o.file.path });
        if (attempt > 0) this.stats.state = TailerState.following;
        return;
      } catch (err) {
        this.stats.sinkFailed(err, this.o.log);
        await this.pause(Math.min(this.o.pollIntervalMs * 2 ** attempt, MAX_RETRY_MS));
      }
    }
  }

  /** Closes rotated files that have been idle for rotateWaitMs, once everything in them is committed. */
  private async retire(): Promise<void> {
    const now = Date.now();
    let rotated = this.segments.filter((s) => s.rotatedAt !== null).length;
    for (const segment of [...this.segments]) {
      if (segment.rotatedAt === null || segment.queue.length > 0 || segment.committed < segment.lineEnd) continue;
      const idle = now - Math.max(segment.rotatedAt, segment.lastGrowthAt) >= this.o.rotateWaitMs;
      if (!idle && rotated <= MAX_ROTATED) continue;
      if (segment.partial > 0) {
        segment.finish(); // its last line never got a newline, and nobody writes to it any more
        await this.deliver(segment, segment.queue.length);
      }
      this.segments.splice(this.segments.indexOf(segment), 1);
      rotated--;
      await segment.close();
      this.save();
    }
  }

  private rotated(segment: Segment): void {
    segment.rotatedAt = Date.now();
    this.stats.rotated();
    this.o.log.info({ file: this.o.file.path, inode: segment.id.ino }, 'file rotated; reading the old one until idle');
  }

  private async truncated(segment: Segment): Promise<void> {
    this.stats.truncated();
    this.o.log.info({ file: this.o.file.path, inode: segment.id.ino }, 'file truncated; reading from the start');
    await segment.restart();
    this.save();
  }

  /**
   * Saves the positions in the background: reading goes on meanwhile, and the saves made during a write share
   * the next one (one fsync for many batches). A crash before it is durable re-reads committed lines, no more.
   */
  private save(): void {
    const positions = this.segments.map(positionOf);
    this.saved = this.o.store.save(this.o.file.path, positions).catch((err: unknown) => {
      this.stats.fail(err, 'saving the position', this.o.log);
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakePause = done;
    });
  }

  private segmentOptions() {
    const { maxLineBytes, file } = this.o;
    return { maxLineBytes, jail: file.jail, onRejected: (reason: string) => this.stats.rejected(reason) };
  }
}

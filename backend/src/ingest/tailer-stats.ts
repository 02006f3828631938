/** A tailer's counters and state, as the status route and the metrics show them. */
import type { IngestFileConfig } from './config';
import type { IngestMetrics } from './metrics';
import type { Segment } from './segment';
import { TailerState, type FileStatus, type IngestLogger } from './types';

export class TailerStats {
  state: TailerState = TailerState.starting;
  private lines = 0;
  private events = 0;
  private readonly rejections = new Map<string, number>();
  private rotations = 0;
  private truncations = 0;
  private sinkFailures = 0;
  private lastEventAt: string | null = null;
  private lastError: FileStatus['lastError'] = null;
  private loggedAt = 0;
  /** When data was first read that is not committed yet; null when caught up. */
  private behindSince: number | null = null;
  private readonly label: { file: string };

  constructor(
    private readonly file: IngestFileConfig,
    private readonly metrics: IngestMetrics | undefined
  ) {
    this.label = { file: file.path };
  }

  read(bytes: number, lines: number): void {
    if (bytes > 0) this.behindSince ??= Date.now();
    if (lines === 0) return;
    this.lines += lines;
    this.metrics?.lines.inc(this.label, lines);
  }

  rejected(reason: string): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
    this.metrics?.rejected.inc({ file: this.file.path, reason });
  }

  committed(events: number, lastTime: string | undefined): void {
    if (events === 0) return;
    this.events += events;
    if (lastTime !== undefined) this.lastEventAt = lastTime;
    this.metrics?.events.inc(this.label, events);
  }

  caughtUp(): void {
    this.behindSince = null;
  }

  rotated(): void {
    this.rotations++;
    this.metrics?.rotations.inc(this.label);
  }

  truncated(): void {
    this.truncations++;
    this.metrics?.truncations.inc(this.label);
  }

  sinkFailed(err: unknown, log: IngestLogger): void {
    this.sinkFailures++;
    this.metrics?.sinkFailures.inc(this.label);
    this.state = TailerState.retrying;
    this.fail(err, 'handing a batch to the pipeline (it is retried)', log);
  }

  /** Records the error; logs it unless it repeats the last one within a minute (a file that stays unreadable). */
  fail(err: unknown, what: string, log: IngestLogger): void {
    const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    const now = Date.now();
    const repeated = this.lastError?.message === message && now - this.loggedAt < 60_000;
    this.lastError = { message, at: new Date(now).toISOString() };
    if (repeated) return;
    this.loggedAt = now;
    log.error({ file: this.file.path, err }, `ingest: error while ${what}`);
  }

  async status(segments: readonly Segment[]): Promise<FileStatus> {
    const files = await Promise.all(
      segments.map(async (s) => ({
        inode: s.id.ino,
        size: await s.size().catch(() => s.readOffset),
        offset: s.committed,
        readOffset: s.readOffset,
        rotated: s.rotatedAt !== null,
      }))
    );
    return {
      path: this.file.path,
      jail: this.file.jail,
      state: this.state,
      files,
      bytesBehind: files.reduce((sum, f) => sum + Math.max(0, f.size - f.offset), 0),
      lagSeconds: this.behindSince === null ? 0 : (Date.now() - this.behindSince) / 1000,
      lines: this.lines,
      events: this.events,
      rejected: Object.fromEntries(this.rejections),
      rotations: this.rotations,
      truncations: this.truncations,
      sinkFailures: this.sinkFailures,
      lastEventAt: this.lastEventAt,
      lastError: this.lastError,
    };
  }
}

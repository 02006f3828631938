/**
 * One open file of a followed path. It reads the file in chunks through the product's line splitter and event
 * validator (soar/), and queues the valid events with the offset just after their line, so that a batch can be
 * committed exactly up to its last line. Memory is bounded: one chunk, one line buffer of `maxLineBytes`, and
 * the queue, which the tailer empties before it reads on.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { SecurityEvent } from '../soar/event';
import { EventLineReader } from '../soar/event-lines';
import { forEachLine, LineSplitter } from '../soar/line-splitter';
import { HEAD_BYTES, idOf, headMatches, readHead, type FileId, type Head } from './file-identity';

export interface QueuedEvent {
  event: SecurityEvent;
  /** Offset just after the event's line. */
  end: number;
}

export interface SegmentOptions {
  maxLineBytes: number;
  /** Set on events that name no jail. */
  jail: string | null;
  onRejected: (reason: string) => void;
}

/** The validator, told where in the file each line ends. */
class PositionedLines extends EventLineReader {
  chunk: Buffer | null = null;
  chunkOffset = 0;
  firstNewline = -1;
  lineEnd = 0;

  constructor(
    onEvent: ConstructorParameters<typeof EventLineReader>[0],
    private readonly onRejected: (reason: string) => void
  ) {
    super(onEvent);
  }

  override line(buf: Buffer, start: number, end: number): void {
    // A line of the chunk ends at its newline (`end`); a line that spanned chunks ends at the chunk's first one.
    this.lineEnd = this.chunkOffset + (buf === this.chunk ? end : this.firstNewline) + 1;
    super.line(buf, start, end);
  }

  override reject(reason: string, count = 1): void {
    super.reject(reason, count);
    this.onRejected(reason);
  }
}

export class Segment {
  /** Bytes handed to the splitter. */
  readOffset: number;
  /** Just after the last whole line read. */
  lineEnd: number;
  /** Just after the last line the pipeline committed. */
  committed: number;
  /** When the path stopped naming this file (null: it still does). */
  rotatedAt: number | null = null;
  lastGrowthAt = Date.now();
  readonly queue: QueuedEvent[] = [];
  private lines!: PositionedLines;
  private linesBefore = 0;
  private splitter!: LineSplitter;

  private constructor(
    private readonly fh: FileHandle,
    readonly id: FileId,
    public head: Head,
    offset: number,
    private readonly options: SegmentOptions
  ) {
    this.readOffset = this.lineEnd = this.committed = offset;
    this.reset();
  }

  /** Opens `filePath` at `offset` (a function of the opened file's size, for `from: end`). */
  static async open(
    filePath: string,
    offset: number | ((fh: FileHandle, size: number) => Promise<number>),
    options: SegmentOptions
  ): Promise<Segment> {
    const fh = await open(filePath, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      const start = typeof offset === 'number' ? offset : await offset(fh, Number(st.size));
      return new Segment(fh, idOf(st), await readHead(fh), start, options);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Whole lines read from this file, valid or not. */
  get linesRead(): number {
    return this.linesBefore + this.lines.lines;
  }

  async size(): Promise<number> {
    return Number((await this.fh.stat({ bigint: true })).size);
  }

  /** Reads one chunk into `buf`; returns the bytes read (0 at the end of the file). */
  async read(buf: Buffer): Promise<number> {
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.readOffset);
    if (bytesRead === 0) return 0;
    const chunk = buf.subarray(0, bytesRead);
    const lines = this.lines;
    lines.chunk = chunk;
    lines.chunkOffset = this.readOffset;
    lines.firstNewline = chunk.indexOf(0x0a);
    this.splitter.push(chunk);
    lines.chunk = null;
    const last = chunk.lastIndexOf(0x0a);
    if (last >= 0) this.lineEnd = this.readOffset + last + 1;
    this.readOffset += bytesRead;
    this.lastGrowthAt = Date.now();
    return bytesRead;
  }

  /** Bytes of a line still waiting for its newline. */
  get partial(): number {
    return this.readOffset - this.lineEnd;
  }

  /** Takes the last line without its newline (a rotated file that nobody writes any more). */
  finish(): void {
    this.lines.chunkOffset = this.readOffset;
    this.lines.firstNewline = -1;
    this.splitter.end();
    this.lineEnd = this.readOffset;
  }

  /** Whether the file still starts as it did: false after a truncation or a rewrite in place. */
  async unchanged(): Promise<boolean> {
    return this.head.length === 0 || headMatches(this.fh, this.head);
  }

  /** Extends the head hash while the file is shorter than HEAD_BYTES, so that it identifies the file better. */
  async growHead(): Promise<void> {
    if (this.head.length < HEAD_BYTES && this.lineEnd > this.head.length) this.head = await readHead(this.fh);
  }

  /** Starts over from the beginning (the file was truncated); a line in progress and the queue are dropped. */
  async restart(): Promise<void> {
    this.queue.length = 0;
    this.readOffset = this.lineEnd = this.committed = 0;
    this.reset();
    this.head = await readHead(this.fh);
  }

  close(): Promise<void> {
    return this.fh.close();
  }

  private reset(): void {
    if (this.lines) this.linesBefore += this.lines.lines;
    const { maxLineBytes, jail, onRejected } = this.options;
    this.lines = new PositionedLines((scanner) => {
      const event = scanner.toEvent();
      if (event.jail === null) event.jail = jail;
      this.queue.push({ event, end: this.lines.lineEnd });
    }, onRejected);
    this.splitter = new LineSplitter(
      (buf, start, end) => forEachLine(buf, start, end, maxLineBytes, this.lines),
      (reason) => this.lines.reject(reason),
      maxLineBytes
    );
  }
}

/**
 * Splits a byte stream into lines in constant memory. The splitter hands out runs of whole lines (one chunk's
 * complete lines, or a line that spanned chunks); `forEachLine` then walks a run. A line longer than
 * `maxLineBytes` is skipped as it streams by (never buffered whole), one that is not valid UTF-8 is refused.
 * UTF-8 is checked once per run (a newline byte never occurs inside a multi-byte character), and line by
 * line only in a run that fails. A UTF-8 byte order mark at the start is ignored.
 */
import { isUtf8 } from 'node:buffer';

export const MAX_LINE_BYTES = 64 * 1024;

export type LineRejection = 'too_long' | 'invalid_utf8';

export interface LineSink {
  line(buf: Buffer, start: number, end: number): void;
  reject(reason: LineRejection): void;
}

const NEWLINE = 0x0a;

/** Lines of `buf[start, end)`, separated by newlines; the last one ends at `end`. */
export function forEachLine(buf: Buffer, start: number, end: number, maxLineBytes: number, sink: LineSink): void {
  const valid = isUtf8(buf.subarray(start, end));
  for (let from = start; ;) {
    let to = buf.indexOf(NEWLINE, from);
    if (to < 0 || to > end) to = end;
    if (to - from > maxLineBytes) sink.reject('too_long');
    else if (!valid && !isUtf8(buf.subarray(from, to))) sink.reject('invalid_utf8');
    else sink.line(buf, from, to);
    if (to === end) return;
    from = to + 1;
  }
}

export class LineSplitter {
  private readonly carry: Buffer;
  private carryLength = 0;
  /** Inside a line already known to be too long: bytes are dropped until its newline. */
  private skipping = false;
  private atStart = true;

  /**
   * `onRun(buf, start, end)` receives whole lines (see forEachLine); the bytes are valid during the call only.
   * `onReject` receives the lines refused for their length while streaming.
   */
  constructor(
    private readonly onRun: (buf: Buffer, start: number, end: number) => void,
    private readonly onReject: (reason: LineRejection) => void,
    readonly maxLineBytes = MAX_LINE_BYTES
  ) {
    this.carry = Buffer.allocUnsafe(maxLineBytes);
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.carryLength > 0 || this.skipping) {
      const newline = chunk.indexOf(NEWLINE, pos);
      if (newline < 0) {
        this.append(chunk, pos, chunk.length);
        return;
      }
      this.append(chunk, pos, newline);
      this.flushCarry();
      pos = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= pos) {
      this.run(chunk, pos, last);
      pos = last + 1;
    }
    if (pos < chunk.length) this.append(chunk, pos, chunk.length);
  }

  /** The last line, when the stream does not end with a newline. */
  end(): void {
    if (this.carryLength > 0 || this.skipping) this.flushCarry();
  }

  private append(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) return;
    if (this.carryLength + end - start > this.maxLineBytes) {
      this.skipping = true;
      this.carryLength = 0;
      return;
    }
    chunk.copy(this.carry, this.carryLength, start, end);
    this.carryLength += end - start;
  }

  private flushCarry(): void {
    if (this.skipping) {
      this.skipping = false;
      this.atStart = false;
      this.onReject('too_long');
    } else {
      this.run(this.carry, 0, this.carryLength);
    }
    this.carryLength = 0;
  }

  /** The first line is whole here, however the chunks cut it: the place to drop a byte order mark. */
  private run(buf: Buffer, start: number, end: number): void {
    if (this.atStart) {
      this.atStart = false;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    this.onRun(buf, start, end);
  }
}

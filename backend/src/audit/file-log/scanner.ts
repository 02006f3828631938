/**
 * Streaming reads of a log file: raw lines with the byte offset after each, then every line parsed and chained
 * from genesis. Memory stays constant however long the file; a line longer than MAX_LINE_BYTES is refused.
 */
import { createReadStream } from 'node:fs';
import { ChainVerifier } from '../chain';
import { parseLine } from './line-format';
import type { ImmutableLogLine } from './types';

/** A line longer than this is refused rather than buffered: entries are far smaller (request bodies are capped). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;

export type ScanEvent =
  | { kind: 'entry'; line: number; end: number; row: ImmutableLogLine; bytes: Buffer; entry: Record<string, unknown> }
  | { kind: 'invalid'; line: number; seq: number; reason: string }
  | { kind: 'torn'; line: number; offset: number; bytes: number };

class LineTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_BYTES} bytes`);
  }
}

interface RawLine {
  text: Buffer;
  line: number;
  /** Byte offset just after this line (and its newline). */
  end: number;
  terminated: boolean;
}

async function* readLines(filePath: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  let offset = 0;
  let read = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    onBytes?.(read);
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const text = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      line += 1;
      offset += text.length + 1;
      yield { text, line, end: offset, terminated: true };
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) throw new LineTooLongError(line + 1);
    }
  }
  if (pendingBytes > 0)
    yield { text: Buffer.concat(pending), line: line + 1, end: offset + pendingBytes, terminated: false };
}

/** Every line re-verified from genesis; stops after the first invalid line. A torn last line is reported, not judged. */
export async function* scanLog(filePath: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<ScanEvent> {
  const chain = new ChainVerifier();
  let seq = 0;
  const lines = readLines(filePath, onBytes);
  try {
    for await (const raw of lines) {
      if (!raw.terminated) {
        yield { kind: 'torn', line: raw.line, offset: raw.end - raw.text.length, bytes: raw.text.length };
        return;
      }
      const parsed = parseLine(raw.text, seq);
      if ('reason' in parsed) {
        yield { kind: 'invalid', line: raw.line, seq, reason: parsed.reason };
        return;
      }
      const { row, bytes, entry } = parsed;
      if (
        !chain.push({
          seq: row.seq,
          entry: bytes,
          hashPrev: row.hashPrev,
          hashCurrent: row.hashCurrent,
          leafHash: row.leafHash,
        })
      ) {
        const result = chain.result();
        yield { kind: 'invalid', line: raw.line, seq, reason: result.valid ? 'chain broken' : result.reason };
        return;
      }
      yield { kind: 'entry', line: raw.line, end: raw.end, row, bytes, entry };
      seq += 1;
    }
  } catch (err) {
    if (!(err instanceof LineTooLongError)) throw err;
    yield { kind: 'invalid', line: err.line, seq, reason: err.message };
  }
}

export function tornWarning(event: Extract<ScanEvent, { kind: 'torn' }>): string {
  return `line ${event.line} is incomplete (${event.bytes} bytes, no newline): an append interrupted by a crash, never acknowledged`;
}

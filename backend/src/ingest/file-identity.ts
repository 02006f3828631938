/**
 * How a followed file is recognised: device and inode say which file a path names now; a hash of the first
 * bytes tells a file from a later one that got the same inode number, or from the same file rewritten in place.
 */
import { hash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Enough bytes to hold the first line of any log, timestamp included. */
export const HEAD_BYTES = 1024;

export interface Head {
  length: number;
  hash: string;
}

export interface FileId {
  dev: string;
  ino: string;
}

export function idOf(st: BigIntStats): FileId {
  return { dev: st.dev.toString(), ino: st.ino.toString() };
}

export function sameId(a: FileId, b: FileId): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/** The file at `filePath` (following symbolic links), or null when there is none. */
export async function statPath(filePath: string): Promise<BigIntStats | null> {
  try {
    return await stat(filePath, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return null;
    }
    throw err;
  }
}

/** Hash of the first `length` bytes (fewer when the file is shorter: `length` then says how many). */
export async function readHead(fh: FileHandle, length = HEAD_BYTES): Promise<Head> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buf, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return { length: filled, hash: hash('sha256', buf.subarray(0, filled), 'hex') };
}

/** Whether the file still starts with the bytes that `head` was taken from. */
export async function headMatches(fh: FileHandle, head: Head): Promise<boolean> {
  const now = await readHead(fh, head.length);
  return now.length === head.length && now.hash === head.hash;
}

/**
 * A file of `folder` with this device and inode: where logrotate moved a file while the process was down
 * (`app.log` → `app.log.1`). Null when it is gone (deleted, or compressed into a new file).
 */
export async function findById(folder: string, id: FileId): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return null;
  }
  for (const name of names) {
    const candidate = path.join(folder, name);
    const st = await stat(candidate, { bigint: true }).catch(() => null);
    if (st?.isFile() && sameId(idOf(st), id)) return candidate;
  }
  return null;
}

/**
 * Where `from: end` starts: after the last newline of the file, so that a line being written is read whole
 * once it is complete. Looks back at most `window` bytes; a longer last line is started at the end.
 */
export async function lastLineStart(fh: FileHandle, size: number, window = 64 * 1024): Promise<number> {
  const from = Math.max(0, size - window);
  const buf = Buffer.alloc(size - from);
  const { bytesRead } = await fh.read(buf, 0, buf.length, from);
  const newline = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
  if (newline >= 0) return from + newline + 1;
  return from === 0 ? 0 : size;
}

/** Saved positions to open files and back: how a restart resumes exactly where the last run stopped. */
import path from 'node:path';
import { findById, idOf, sameId, statPath } from './file-identity';
import type { SavedPosition } from './positions';
import { Segment, type SegmentOptions } from './segment';

export interface Reopened {
  segment: Segment;
  /** Shorter than the saved offset: it is read again from its start. */
  truncated: boolean;
}

/**
 * Reopens the file of a saved position where it is now: at the configured path, or under another name in the
 * same folder after a rotation while the process was down (`app.log.1`, found by device and inode). Null when it
 * is gone: deleted, compressed into a new file, or replaced by a file that got the same inode number.
 */
export async function reopen(
  filePath: string,
  saved: SavedPosition,
  options: SegmentOptions
): Promise<Reopened | null> {
  const at = await statPath(filePath);
  const where = at && sameId(idOf(at), saved) ? filePath : await findById(path.dirname(filePath), saved);
  if (where === null) return null;
  const segment = await Segment.open(where, saved.offset, options);
  segment.head = { length: saved.headLength, hash: saved.headHash };
  if (!sameId(segment.id, saved) || !(await segment.unchanged())) {
    await segment.close(); // renamed meanwhile, or another file with the same inode number
    return null;
  }
  if (where !== filePath) segment.rotatedAt = Date.now();
  if ((await segment.size()) < saved.offset) {
    await segment.restart();
    return { segment, truncated: true };
  }
  await segment.growHead();
  return { segment, truncated: false };
}

export function positionOf(segment: Segment): SavedPosition {
  const { id, committed, head } = segment;
  return { dev: id.dev, ino: id.ino, offset: committed, headLength: head.length, headHash: head.hash };
}

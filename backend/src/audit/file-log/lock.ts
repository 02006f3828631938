/**
 * The writer lock of a log file: `<file>.lock` holds the pid of the one process that may append. A lock left by a
 * process that no longer runs is taken over; one held by a live process is refused with ImmutableLogLockedError.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { ImmutableLogLockedError } from './errors';

/** An unreadable lock file younger than this may be one another process is still writing. */
const UNREADABLE_LOCK_GRACE_MS = 5000;

/** Takes `lockPath` for this process, or throws ImmutableLogLockedError naming the live holder. */
export async function acquireLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLockPid(lockPath);
    if (holder === null) continue; // released in between
    if (holder !== undefined && isAlive(holder)) throw new ImmutableLogLockedError(lockPath, holder);
    if (holder === undefined && !(await olderThan(lockPath, UNREADABLE_LOCK_GRACE_MS))) {
      throw new ImmutableLogLockedError(lockPath, undefined);
    }
    await takeOverStaleLock(lockPath);
  }
  throw new ImmutableLogLockedError(lockPath, undefined);
}

/**
 * Moves a stale lock aside with an atomic rename, then checks what was moved: if another process replaced the
 * stale lock with its own in the meantime, that live lock is put back (link fails rather than overwrite).
 */
async function takeOverStaleLock(lockPath: string): Promise<void> {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readLockPid(aside);
  if (typeof moved === 'number' && isAlive(moved)) {
    await link(aside, lockPath).catch(() => undefined);
    await unlink(aside);
    throw new ImmutableLogLockedError(lockPath, moved);
  }
  await unlink(aside);
}

/** The pid in a lock file; undefined when unreadable, null when the file is gone. */
async function readLockPid(lockPath: string): Promise<number | undefined | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return /^\d+\n?$/.test(text) ? Number(text.trim()) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return true;
  }
}

export async function releaseLock(lockPath: string): Promise<void> {
  if ((await readLockPid(lockPath)) === process.pid) await unlink(lockPath);
}

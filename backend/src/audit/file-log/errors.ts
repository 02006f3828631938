/** Errors of the append-only file log: an invalid file, and a lock held by another writer. */

/** The file is not a valid log: `line` is 1-based, `seq` the entry expected there. */
export class ImmutableLogCorruptError extends Error {
  override name = 'ImmutableLogCorruptError';
  constructor(
    readonly filePath: string,
    readonly line: number,
    readonly seq: number,
    readonly reason: string
  ) {
    super(`${filePath}, line ${line} (seq ${seq}): ${reason}`);
  }
}

export class ImmutableLogLockedError extends Error {
  override name = 'ImmutableLogLockedError';
  constructor(
    readonly lockPath: string,
    readonly pid: number | undefined
  ) {
    super(
      pid === undefined
        ? `${lockPath} is held by another writer (its pid is unreadable)`
        : `${lockPath} is held by process ${pid}; remove the lock file only if no such process uses this log`
    );
  }
}

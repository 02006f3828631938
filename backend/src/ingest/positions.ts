/**
 * Read positions, kept across restarts in one JSON file. A position names the file by device and inode and by a
 * hash of its first bytes (an inode number is reused once a file is deleted), and holds the offset just after
 * the last line the pipeline committed. Writes are atomic (temporary file, fsync, rename, fsync of the folder),
 * so a crash leaves either the previous state or the new one, never a torn file.
 */
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';

export interface SavedPosition {
  dev: string;
  ino: string;
  /** Bytes up to the end of the last committed line. */
  offset: number;
  /** How many leading bytes `headHash` covers (fewer than HEAD_BYTES while the file is that short). */
  headLength: number;
  /** SHA-256 of those bytes, hex. */
  headHash: string;
}

/** A configured path's files, oldest first: rotated files still being read, then the file now at the path. */
export type SavedFile = SavedPosition[];

interface StateFile {
  version: 1;
  files: Record<string, SavedFile>;
}

export class PositionStore {
  private writing: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  private constructor(
    readonly file: string,
    private readonly files: Map<string, SavedFile>
  ) {}

  /**
   * Loads the state file (none yet: no positions). A file that cannot be understood is renamed aside to
   * `<file>.bad` and reported through `onUnreadable`: losing positions re-reads logs, which beats not starting.
   */
  static async open(file: string, onUnreadable: (err: Error) => void): Promise<PositionStore> {
    await mkdir(path.dirname(file), { recursive: true });
    let text: string;
    try {
      const fh = await open(file, 'r');
      try {
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new PositionStore(file, new Map());
      throw err;
    }
    try {
      return new PositionStore(file, new Map(Object.entries(parseState(text))));
    } catch (err) {
      await rename(file, `${file}.bad`);
      onUnreadable(err as Error);
      return new PositionStore(file, new Map());
    }
  }

  get(filePath: string): SavedFile | undefined {
    return this.files.get(filePath);
  }

  /** Keeps only these paths (the configured ones) at the next write. */
  retain(paths: ReadonlySet<string>): void {
    for (const key of [...this.files.keys()]) if (!paths.has(key)) this.files.delete(key);
  }

  /** Records `positions` for `filePath`; resolves once a write that includes them is durable. */
  save(filePath: string, positions: SavedFile): Promise<void> {
    this.files.set(filePath, positions);
    return this.flush();
  }

  /** One write at a time; updates made during a write share the next one. */
  private flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.writing) {
      this.queued = this.writing
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.flush();
        });
      return this.queued;
    }
    this.writing = this.write().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async write(): Promise<void> {
    const state: StateFile = { version: 1, files: Object.fromEntries(this.files) };
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fh = await open(temporary, 'w', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(state, null, 1)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temporary, this.file);
    await syncFolder(path.dirname(this.file));
  }
}

/** Makes the rename itself durable (POSIX: the folder entry lives in the folder). */
async function syncFolder(folder: string): Promise<void> {
  const fh = await open(folder, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems cannot fsync a folder; the rename is then as durable as they make it.
    if (!['EINVAL', 'EISDIR', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await fh.close();
  }
}

function parseState(text: string): Record<string, SavedFile> {
  const state = JSON.parse(text) as Partial<StateFile> | null;
  if (state?.version !== 1 || typeof state.files !== 'object' || state.files === null) {
    throw new Error('not an ingest state file (version 1)');
  }
  for (const [key, positions] of Object.entries(state.files)) {
    if (!Array.isArray(positions) || !positions.every(isPosition)) throw new Error(`bad positions for ${key}`);
  }
  return state.files;
}

function isPosition(p: unknown): p is SavedPosition {
  const o = p as Partial<SavedPosition> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.dev === 'string' &&
    typeof o.ino === 'string' &&
    Number.isSafeInteger(o.offset) &&
    (o.offset as number) >= 0 &&
    Number.isSafeInteger(o.headLength) &&
    typeof o.headHash === 'string'
  );
}

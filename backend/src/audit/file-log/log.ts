/**
 * ImmutableLog: the audit trail as an append-only JSONL file, for hosts that must keep a local copy. Entries are
 * built with the same `buildEntry` and hashed with the same chain and RFC 6962 rules as the database trail
 * (docs/audit-format.md), one line each: {"seq","leafHash","hashPrev","hashCurrent","canonical"}. Opening
 * re-verifies the whole file; only a torn last line (an append cut short by a crash, never acknowledged) is
 * cut, with a warning. Reads stream line by line, so memory stays constant however long the file.
 */
import { open, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { GENESIS_HASH, chainHash } from '../chain';
import { buildEntry, entryBytes, type AuditEventInput, AuditInputError } from '../entry';
import { formatExport, type ExportFormat } from '../export';
import { leafHash } from '../merkle';
import { MerkleTreeBuilder } from '../merkle-builder';
import { DEFAULT_REDACTED_FIELDS } from '../redact';
import { ImmutableLogCorruptError } from './errors';
import { acquireLock, releaseLock } from './lock';
import { readExportDetails, readInclusionProof } from './readers';
import { scanLog, tornWarning } from './scanner';
import { verifyLogFile } from './verify-file';
import type {
  AppendedEntry,
  ImmutableLogLine,
  ImmutableLogOptions,
  KnownHead,
  LogInclusionProof,
  LogVerifyOptions,
  LogVerifyReport,
  OpenResult,
} from './types';

export class ImmutableLog {
  readonly filePath: string;
  readonly lockPath: string;
  private readonly redactFields: readonly string[];
  private readonly fsync: boolean;
  private handle: FileHandle | undefined;
  private state: 'new' | 'open' | 'failed' | 'closed' = 'new';
  private failure: Error | undefined;
  private tree = new MerkleTreeBuilder();
  private head = GENESIS_HASH;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly openWarnings: string[] = [];

  constructor(options: ImmutableLogOptions) {
    this.filePath = path.resolve(options.filePath);
    this.lockPath = `${this.filePath}.lock`;
    this.redactFields = options.redactFields ?? DEFAULT_REDACTED_FIELDS;
    this.fsync = options.fsync ?? true;
  }

  /** Entries in the log (the next seq). */
  get size(): number {
    return this.tree.size;
  }

  /** Warnings recorded by `open`, e.g. a torn last line that was cut. */
  get warnings(): readonly string[] {
    return this.openWarnings;
  }

  /** The current tree head, e.g. to sign it or record it elsewhere for `verify({ knownHeads })`. */
  treeHead(): { treeSize: number; rootHash: string; headHash: string } {
    return { treeSize: this.tree.size, rootHash: this.tree.root().toString('hex'), headHash: this.head };
  }

  /**
   * Locks the file for this process, re-verifies every line and recovers the head. Throws
   * ImmutableLogCorruptError (line and reason) for anything invalid but a torn last line, which is cut.
   */
  async open(): Promise<OpenResult> {
    if (this.state !== 'new') throw new Error(`the log is ${this.state}; open it once`);
    await acquireLock(this.lockPath);
    try {
      let created = false;
      try {
        await stat(this.filePath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        created = true;
      }
      this.handle = await open(this.filePath, 'a', 0o600);
      if (created) await syncDirectory(path.dirname(this.filePath));
      for await (const event of scanLog(this.filePath)) {
        if (event.kind === 'invalid') {
          throw new ImmutableLogCorruptError(this.filePath, event.line, event.seq, event.reason);
        }
        if (event.kind === 'torn') {
          await truncate(this.filePath, event.offset);
          await this.handle.sync();
          this.openWarnings.push(`${tornWarning(event)}; it was cut`);
          break;
        }
        this.tree.append(Buffer.from(event.row.leafHash, 'hex'));
        this.head = event.row.hashCurrent;
      }
      this.state = 'open';
      return { ...this.treeHead(), warnings: [...this.openWarnings] };
    } catch (err) {
      await this.handle?.close();
      this.handle = undefined;
      await releaseLock(this.lockPath);
      throw err;
    }
  }

  /**
   * Appends the inputs as consecutive entries, one line each, in one write. Appends run one after another in
   * call order; with fsync on, the promise resolves once the lines are on disk. Invalid input (AuditInputError,
   * located by index) rejects the whole batch before anything is written.
   */
  append(inputs: readonly AuditEventInput[]): Promise<AppendedEntry[]> {
    const run = this.queue.then(() => this.write(inputs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(inputs: readonly AuditEventInput[]): Promise<AppendedEntry[]> {
    const handle = this.writable();
    const appended: AppendedEntry[] = [];
    const leaves: Buffer[] = [];
    const lines: string[] = [];
    let prev = this.head;
    for (const [i, input] of inputs.entries()) {
      const seq = this.tree.size + i;
      let bytes: Buffer;
      let id: string;
      try {
        const entry = buildEntry(seq, input, this.redactFields);
        bytes = entryBytes(entry);
        id = entry.id;
      } catch (err) {
        throw err instanceof AuditInputError ? err.at(i) : err;
      }
      const leaf = leafHash(bytes);
      const current = chainHash(prev, bytes);
      const line: ImmutableLogLine = {
        seq,
        leafHash: leaf.toString('hex'),
        hashPrev: prev,
        hashCurrent: current,
        canonical: bytes.toString('base64'),
      };
      lines.push(`${JSON.stringify(line)}\n`);
      leaves.push(leaf);
      appended.push({ seq, id, leafHash: line.leafHash, hashCurrent: current });
      prev = current;
    }
    if (lines.length === 0) return appended;
    const data = Buffer.from(lines.join(''), 'utf8');
    try {
      for (let written = 0; written < data.length;) {
        written += (await handle.write(data, written, data.length - written)).bytesWritten;
      }
      if (this.fsync) await handle.sync();
    } catch (err) {
      // Part of the batch may be in the file: refuse further appends until a reopen re-verifies (and cuts) it.
      this.state = 'failed';
      this.failure = err as Error;
      throw err;
    }
    for (const leaf of leaves) this.tree.append(leaf);
    this.head = prev;
    return appended;
  }

  private writable(): FileHandle {
    if (this.state === 'failed') {
      throw new Error(`an earlier append failed (${this.failure?.message}); reopen the log to recover`);
    }
    if (this.state !== 'open' || !this.handle) throw new Error(`the log is ${this.state}, not open`);
    return this.handle;
  }

  /**
   * Re-reads the file from disk and re-verifies every line, with constant memory. Besides `knownHeads`, the file
   * must still reproduce the head this instance wrote: lines removed from the end are caught too.
   */
  async verify(options: LogVerifyOptions = {}): Promise<LogVerifyReport> {
    const own: KnownHead = {
      treeSize: this.tree.size,
      headHash: this.head,
      rootHash: this.tree.root().toString('hex'),
    };
    return verifyLogFile(this.filePath, { ...options, knownHeads: [...(options.knownHeads ?? []), own] });
  }

  /**
   * RFC 6962 inclusion proof of entry `seq` in the tree of the first `treeSize` entries (default: all), from the
   * leaves in the file, re-verified on the way. Streams: only the O(log n) subtree roots of the proof are kept.
   */
  async inclusionProof(seq: number, treeSize: number = this.tree.size): Promise<LogInclusionProof> {
    if (!Number.isSafeInteger(treeSize) || treeSize < 1 || treeSize > this.tree.size) {
      throw new RangeError(`tree size ${treeSize} is not between 1 and ${this.tree.size}`);
    }
    return readInclusionProof(this.filePath, seq, treeSize);
  }

  /**
   * The log in the API's export formats (export.ts), oldest first, re-verified while it is read: the same fields,
   * hashes and canonical bytes, so `audit verify-export` checks a jsonl export of this file too.
   */
  export(format: ExportFormat): AsyncIterable<string> {
    return formatExport(readExportDetails(this.filePath), format);
  }

  /** Waits for pending appends, closes the file and releases the lock. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'new') return;
    await this.queue;
    this.state = 'closed';
    await this.handle?.close();
    this.handle = undefined;
    await releaseLock(this.lockPath);
  }
}

/** Makes a new file's directory entry durable too (POSIX needs an fsync of the directory). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms and file systems cannot fsync a directory (EINVAL, EISDIR, EPERM); the data fsync still holds.
    if (!['EINVAL', 'EISDIR', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

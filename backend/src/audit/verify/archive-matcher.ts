/** Archive files, streamed in seq order next to the rows: their entries must match the stored hashes. */
import { ArchiveFileError, mergeArchives, type ArchivedHashes } from '../archive';
import type { SigningKey } from '../signing-key';
import { AT, HASH_BYTES, tupleOffsets, type Batch, type Failure } from './rows';

export class ArchiveMatcher {
  rehashed = 0;
  private readonly entries: AsyncGenerator<ArchivedHashes & { file: string }>;
  private pending: (ArchivedHashes & { file: string }) | undefined;
  private done = false;

  constructor(files: readonly string[], key: Pick<SigningKey, 'publicKey'>) {
    this.entries = mergeArchives(files, key);
  }

  /** Compares the archived entries that fall in this batch with its stored hashes. */
  async check(batch: Batch): Promise<Failure | undefined> {
    let offsets: number[] | undefined;
    for (;;) {
      const problem = await this.peek();
      if (problem) return problem;
      const entry = this.pending;
      if (!entry || entry.seq >= batch.firstSeq + batch.count) return undefined;
      this.pending = undefined;
      if (entry.seq < batch.firstSeq) continue; // before the verified range
      offsets ??= tupleOffsets(batch.buf, batch.count);
      const p = offsets[entry.seq - batch.firstSeq] as number;
      if (batch.buf.readUInt32BE(p + AT.seq) * 2 ** 32 + batch.buf.readUInt32BE(p + AT.seq + 4) !== entry.seq) {
        continue; // rows are missing: the chain check reports it
      }
      const stored = (at: number) => batch.buf.toString('hex', at, at + HASH_BYTES);
      if (
        stored(p + AT.leaf) !== entry.leafHash ||
        stored(p + AT.current) !== entry.hashCurrent ||
        stored(p + AT.prev) !== entry.hashPrev
      ) {
        return {
          seq: entry.seq,
          reason: `seq ${entry.seq}: the archive ${entry.file} holds other hashes than the log`,
        };
      }
      if (batch.buf[p + AT.archived] !== 0) this.rehashed += 1;
    }
  }

  /** Reads the archives to their end (their trailers are checked there); entries at or past `limit` are an error. */
  async finish(limit: number): Promise<Failure | undefined> {
    for (;;) {
      const problem = await this.peek();
      if (problem || !this.pending) return problem;
      const entry = this.pending;
      this.pending = undefined;
      if (entry.seq >= limit) {
        return {
          seq: entry.seq,
          reason: `the archive ${entry.file} holds seq ${entry.seq}, but the log has ${limit} entries`,
        };
      }
    }
  }

  /** Stops reading the archives early. */
  async close(): Promise<void> {
    this.done = true;
    await this.entries.return(undefined);
  }

  private async peek(): Promise<Failure | undefined> {
    if (this.pending || this.done) return undefined;
    try {
      const next = await this.entries.next();
      if (next.done) this.done = true;
      else this.pending = next.value;
      return undefined;
    } catch (err) {
      if (!(err instanceof ArchiveFileError)) throw err;
      this.done = true;
      return { seq: err.seq ?? 0, reason: `archive ${err.message}` };
    }
  }
}

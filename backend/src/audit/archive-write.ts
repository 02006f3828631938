/** Writing an archive file durably: entries page by page, the signed trailer, fsync, then its final name. */
import { createHash } from 'node:crypto';
import { link, mkdir, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../db';
import type { AuditEventDetail } from '../schemas/audit-read';
import type { ArchiveOptions } from './archive';
import { signTrailer, type ArchiveTrailer } from './archive-file';
import type { SigningKey } from './signing-key';

/** A refused or failed archive run; nothing was cleared. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** An archive run as recorded in `audit_archives`. */
export interface RunRow {
  id: number;
  file: string;
  before: Date;
  from_seq: number;
  to_seq: number;
  entry_count: number;
}

// The export's entry shape (AuditEventDetail, see audit/query.ts), so the same tools read both.
const UTC = `"timestamp" AT TIME ZONE 'UTC'`;
const ENTRY_COLUMNS = `seq, id::text AS id, to_char(${UTC}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "timestamp",
  user_id AS "userId", username, action, resource, resource_id AS "resourceId", method, path, query, body,
  host(ip_address) AS ip, user_agent AS "userAgent", status, status_code AS "statusCode",
  response_time AS "responseTime", error_message AS "errorMessage", metadata, encode(leaf_hash, 'hex') AS "leafHash",
  encode(hash_prev, 'hex') AS "hashPrev", encode(hash_current, 'hex') AS "hashCurrent",
  archived_at IS NOT NULL AS archived, canonical`;
const PAGE_ROWS = 2000;
const FLUSH_BYTES = 1 << 20;

/**
 * Writes the run's entries and the signed trailer to `<file>.partial`, fsyncs it, and only then gives it its
 * name (a hard link, which never replaces an existing file) and fsyncs the folder.
 */
export async function writeArchiveFile(
  db: Queryable,
  key: SigningKey,
  run: RunRow,
  options: ArchiveOptions
): Promise<ArchiveTrailer> {
  await mkdir(path.dirname(run.file), { recursive: true, mode: 0o700 });
  const partial = `${run.file}.partial`;
  const handle = await open(partial, 'w', 0o600);
  const digest = createHash('sha256');
  let count = 0;
  let trailer: ArchiveTrailer;
  try {
    let text = '';
    const flush = async (): Promise<void> => {
      const bytes = Buffer.from(text, 'utf8');
      digest.update(bytes);
      await handle.write(bytes);
      text = '';
    };
    for (let after = run.from_seq - 1; ;) {
      const page = await db.query<Omit<AuditEventDetail, 'canonical'> & { canonical: Uint8Array | null }>(
        `SELECT ${ENTRY_COLUMNS} FROM audit_log
          WHERE seq > $1 AND seq <= $2 AND "timestamp" < $3 AND archived_at IS NULL ORDER BY seq LIMIT $4`,
        [after, run.to_seq, run.before, PAGE_ROWS]
      );
      for (const { canonical, ...rest } of page.rows) {
        if (canonical === null) throw new ArchiveError(`entry ${rest.seq} has no payload but is not archived`);
        const entry: AuditEventDetail = { ...rest, canonical: Buffer.from(canonical).toString('base64') };
        text += `${JSON.stringify(entry)}\n`;
        count += 1;
        if (text.length >= FLUSH_BYTES) await flush();
      }
      options.onProgress?.(count, run.entry_count);
      if (page.rows.length < PAGE_ROWS) break;
      after = (page.rows[page.rows.length - 1] as { seq: number }).seq;
    }
    await flush();
    if (count !== run.entry_count) {
      throw new ArchiveError(`expected ${run.entry_count} entries to archive, found ${count}; nothing was changed`);
    }
    trailer = signTrailer(
      {
        type: 'archive',
        fromSeq: run.from_seq,
        toSeq: run.to_seq,
        count,
        fileSha256: digest.digest('hex'),
        createdAt: (options.now ?? (() => new Date()))().toISOString(),
        keyFingerprint: key.fingerprint,
      },
      key.privateKey
    );
    await handle.write(`${JSON.stringify(trailer)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(partial, run.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ArchiveError(`${run.file} appeared while the archive was written; it was left as ${partial}`);
    }
    throw err;
  }
  await unlink(partial);
  await syncFolder(path.dirname(run.file));
  return trailer;
}

/** Makes a new name (and a removed one) durable: fsync of the folder that holds it. */
async function syncFolder(folder: string): Promise<void> {
  const dir = await open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

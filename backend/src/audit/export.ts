/**
 * Audit export formats. Each entry carries its seq, hashes and canonical bytes (base64), so an export can be
 * verified offline (docs/audit-format.md). Output is produced entry by entry: memory stays constant.
 */
import type { AuditEventDetail } from '../schemas/audit-read';
import type { Checkpoint } from './checkpoints';

export const ExportFormat = { csv: 'csv', json: 'json', jsonl: 'jsonl' } as const;
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** A signed tree head as the last line of a jsonl export, so the export verifies with only the public key. */
export interface CheckpointTrailer extends Checkpoint {
  type: 'checkpoint';
}

export const CSV_COLUMNS = [
  'seq',
  'id',
  'timestamp',
  'userId',
  'username',
  'action',
  'resource',
  'resourceId',
  'method',
  'path',
  'query',
  'body',
  'ip',
  'userAgent',
  'status',
  'statusCode',
  'responseTime',
  'errorMessage',
  'metadata',
  'leafHash',
  'hashPrev',
  'hashCurrent',
  'archived',
  'canonical',
] as const satisfies readonly (keyof AuditEventDetail)[];

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (leading =, +, -, @, tab or
 * carriage return) is prefixed with a single quote, as OWASP recommends against CSV injection.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A decoded entry lacks a field an export line needs, or has one of the wrong type. */
export class ExportEntryError extends TypeError {
  override name = 'ExportEntryError';
  constructor(readonly field: string) {
    super(`canonical entry has an invalid ${field}`);
  }
}

/**
 * The export line of an entry from its decoded canonical JSON: each visible field is the entry's member of that
 * name, or null when it has none (the rule `audit verify-export` checks). For sources without database rows,
 * such as the local file log; the database export selects the same values from its columns.
 */
export function exportDetail(
  entry: Record<string, unknown>,
  row: { seq: number; leafHash: string; hashPrev: string; hashCurrent: string; canonical: string }
): AuditEventDetail {
  const bad = (field: string): never => {
    throw new ExportEntryError(field);
  };
  const text = (field: string): string | null => {
    const value = entry[field] ?? null;
    return value === null || typeof value === 'string' ? value : bad(field);
  };
  const required = (field: string): string => text(field) ?? bad(field);
  const number = (field: string, integer: boolean): number | null => {
    const value = entry[field] ?? null;
    return value === null || (typeof value === 'number' && (!integer || Number.isInteger(value))) ? value : bad(field);
  };
  const status = entry.status === 'success' || entry.status === 'failure' ? entry.status : bad('status');
  const { seq, leafHash, hashPrev, hashCurrent, canonical } = row;
  return {
    seq,
    id: required('id'),
    timestamp: required('timestamp'),
    userId: text('userId'),
    username: text('username'),
    action: required('action'),
    resource: required('resource'),
    resourceId: text('resourceId'),
    method: text('method'),
    path: text('path'),
    query: entry.query ?? null,
    body: entry.body ?? null,
    ip: text('ip'),
    userAgent: text('userAgent'),
    status,
    statusCode: number('statusCode', true),
    responseTime: number('responseTime', false),
    errorMessage: text('errorMessage'),
    metadata: entry.metadata ?? null,
    leafHash,
    hashPrev,
    hashCurrent,
    archived: false,
    canonical,
  };
}

/** The trailer line's object: the checkpoint's members only, whatever else `checkpoint` carries. */
export function checkpointTrailer(checkpoint: Checkpoint): CheckpointTrailer {
  const { treeSize, rootHash, timestamp, signature, keyFingerprint } = checkpoint;
  return { type: 'checkpoint', treeSize, rootHash, timestamp, signature, keyFingerprint };
}

export interface FormatExportOptions {
  /** Ends a jsonl export with this signed head as one last line (csv and json have no place for it). */
  checkpoint?: Checkpoint;
}

/** The export as a stream of text chunks. */
export async function* formatExport(
  entries: AsyncIterable<AuditEventDetail>,
  format: ExportFormat,
  options: FormatExportOptions = {}
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  if (format === 'json') yield '[';
  let first = true;
  for await (const entry of entries) {
    if (format === 'csv') yield `${CSV_COLUMNS.map((c) => csvCell(entry[c])).join(',')}\r\n`;
    else if (format === 'jsonl') yield `${JSON.stringify(entry)}\n`;
    else {
      yield `${first ? '' : ','}\n${JSON.stringify(entry)}`;
      first = false;
    }
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
  if (format === 'jsonl' && options.checkpoint) yield `${JSON.stringify(checkpointTrailer(options.checkpoint))}\n`;
}

/**
 * Audit export formats. Each entry carries its seq, hashes and canonical bytes (base64), so an export can be
 * verified offline (docs/audit-format.md). Output is produced entry by entry: memory stays constant.
 */
import type { AuditEventDetail } from '../schemas/audit-read';

export const ExportFormat = { csv: 'csv', json: 'json', jsonl: 'jsonl' } as const;
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

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

/** The export as a stream of text chunks. */
export async function* formatExport(
  entries: AsyncIterable<AuditEventDetail>,
  format: ExportFormat
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
}

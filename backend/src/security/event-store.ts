/**
 * Writing ingested events to security_events, in the transaction that also records the batch's decisions: COPY for
 * big batches (one round trip, no parameter limit), one INSERT over unnested arrays for small ones.
 */
import type { Queryable } from '../db';
import type { Outcome } from '../soar/decision';
import type { SecurityEvent } from '../soar/event';
import type { EventSeverity } from './severity';

/** One event as stored: the canonical event and what the auto-blocker made of it. */
export interface StoredEvent {
  id: string;
  event: SecurityEvent;
  severity: EventSeverity;
  outcome: Outcome;
  /** The rule that banned or alerted on it. */
  ruleId: string | null;
  source: string;
}

/** Batches at least this big go through COPY. */
export const COPY_MIN_EVENTS = 64;
/**
 * Rows per COPY statement: the text of one stays well under 128 KB, so V8 allocates it in the young generation
 * rather than in large-object space, which only a full collection frees.
 */
const COPY_CHUNK_EVENTS = 256;

const COLUMNS = [
  'id',
  'time',
  'type',
  'ip',
  'user',
  'method',
  'path',
  'status',
  'user_agent',
  'bytes',
  'msg',
  'jail',
  'severity',
  'outcome',
  'rule_id',
  'source',
] as const;

const INSERT = `INSERT INTO security_events (${COLUMNS.map((c) => `"${c}"`).join(', ')})
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::inet[], $5::text[], $6::text[], $7::text[],
  $8::int2[], $9::text[], $10::int8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])`;

/** PostgreSQL text cannot hold U+0000 (JSON can): it becomes U+FFFD, as an invalid byte would. */
export function storableText(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY text format (tab-separated, `\N` for null). */
function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  const text = storableText(value);
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c] as string) : text;
}

function copyLine(row: StoredEvent): string {
  const e = row.event;
  return (
    `${row.id}\t${e.time}\t${copyField(e.event)}\t${e.ip}\t${copyField(e.user)}\t${copyField(e.method)}\t` +
    `${copyField(e.path)}\t${copyField(e.status)}\t${copyField(e.userAgent)}\t${copyField(e.bytes)}\t` +
    `${copyField(e.msg)}\t${copyField(e.jail)}\t${row.severity}\t${row.outcome}\t${copyField(row.ruleId)}\t` +
    `${copyField(row.source)}\n`
  );
}

function text(value: string | null): string | null {
  return value === null ? null : storableText(value);
}

/** Inserts the events (in the caller's transaction). */
export async function writeEvents(db: Queryable, rows: readonly StoredEvent[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length >= COPY_MIN_EVENTS) {
    for (let start = 0; start < rows.length; start += COPY_CHUNK_EVENTS) {
      const lines = rows.slice(start, start + COPY_CHUNK_EVENTS).map(copyLine);
      await db.copyFrom('security_events', COLUMNS, lines.join(''));
    }
    return;
  }
  const columns: unknown[][] = COLUMNS.map(() => []);
  for (const { id, event: e, severity, outcome, ruleId, source } of rows) {
    const values = [
      id,
      e.time,
      text(e.event),
      e.ip,
      text(e.user),
      e.method,
      text(e.path),
      e.status,
      text(e.userAgent),
      e.bytes,
      text(e.msg),
      e.jail,
      severity,
      outcome,
      ruleId,
      source,
    ];
    values.forEach((value, i) => (columns[i] as unknown[]).push(value));
  }
  await db.query(INSERT, columns);
}

/**
 * The audit entry: what is stored, and the canonical JSON object whose RFC 8785 bytes are hashed
 * (docs/audit-format.md). Redaction happens here, before hashing, so a secret never reaches the chain.
 */
import { randomUUID } from 'node:crypto';
import { normalizeIp } from '../net/ip';
import { canonicalBytes, canonicalize } from './canonical-json';
import { redact } from './redact';

export const AuditStatus = { success: 'success', failure: 'failure' } as const;
export type AuditStatus = (typeof AuditStatus)[keyof typeof AuditStatus];

/** An event to record, as the HTTP hook, the ingest API and internal actions produce it. */
export interface AuditEventInput {
  id?: string;
  /** ISO 8601; defaults to now. */
  timestamp?: string;
  userId?: string;
  username?: string;
  action: string;
  resource: string;
  resourceId?: string;
  method?: string;
  path?: string;
  query?: Record<string, unknown>;
  body?: unknown;
  ip?: string;
  userAgent?: string;
  status: AuditStatus;
  statusCode?: number;
  /** Milliseconds. */
  responseTime?: number;
  errorMessage?: string;
  metadata?: Record<string, unknown>;
}

/** The hashed form: `seq` fixes the position, timestamps are UTC with milliseconds, absent fields are omitted. */
export interface AuditEntry extends Omit<AuditEventInput, 'id' | 'timestamp' | 'query' | 'metadata'> {
  seq: number;
  id: string;
  timestamp: string;
  query?: unknown;
  metadata?: unknown;
}

export class AuditInputError extends Error {
  override name = 'AuditInputError';
  constructor(
    readonly field: string,
    readonly detail: string,
    readonly index?: number
  ) {
    super(index === undefined ? `${field} ${detail}` : `events[${index}].${field} ${detail}`);
  }

  /** The same error, located in a batch. */
  at(index: number): AuditInputError {
    return new AuditInputError(this.field, this.detail, index);
  }
}

/** The checks buildEntry makes, without building: throws AuditInputError on invalid input. */
export function validateInput(input: AuditEventInput): void {
  parseInput(input);
}

function parseInput(input: AuditEventInput): { timestamp: Date; ip: string | undefined } {
  const timestamp = input.timestamp === undefined ? new Date() : new Date(input.timestamp);
  if (Number.isNaN(timestamp.getTime())) throw new AuditInputError('timestamp', 'is not an ISO 8601 date-time');
  if (input.ip === undefined) return { timestamp, ip: undefined };
  const ip = normalizeIp(input.ip);
  if (ip === null) throw new AuditInputError('ip', `is not an IPv4 or IPv6 address (got "${input.ip}")`);
  return { timestamp, ip };
}

/** Builds the entry for position `seq`, with secrets redacted; throws AuditInputError on invalid input. */
export function buildEntry(seq: number, input: AuditEventInput, redactFields: readonly string[]): AuditEntry {
  const { timestamp, ip } = parseInput(input);
  const entry: AuditEntry = {
    seq,
    id: input.id ?? randomUUID(),
    timestamp: timestamp.toISOString(),
    userId: input.userId,
    username: input.username,
    action: input.action,
    resource: input.resource,
    resourceId: input.resourceId,
    method: input.method?.toUpperCase(),
    path: input.path,
    query: input.query === undefined ? undefined : redact(input.query, redactFields),
    body: input.body === undefined ? undefined : redact(input.body, redactFields),
    ip,
    userAgent: input.userAgent,
    status: input.status,
    statusCode: input.statusCode,
    responseTime: input.responseTime,
    errorMessage: input.errorMessage,
    metadata: input.metadata === undefined ? undefined : redact(input.metadata, redactFields),
  };
  return entry;
}

/** Every key of an entry buildEntry makes, in RFC 8785 order (UTF-16 code units). */
const ENTRY_KEYS: readonly (keyof AuditEntry)[] = (
  [
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
  ] as const
)
  .slice()
  .sort();

/**
 * The bytes that are hashed and stored in `canonical`: RFC 8785 of the entry. Entries from buildEntry have
 * exactly ENTRY_KEYS, so the top level is written in that precomputed order (sorting 19 keys per entry is a
 * measurable share of ingest); anything else goes through the general canonicalization.
 */
export function entryBytes(entry: AuditEntry): Buffer {
  if (Object.keys(entry).length !== ENTRY_KEYS.length) return canonicalBytes(entry);
  let out = '{';
  for (const key of ENTRY_KEYS) {
    if (!Object.hasOwn(entry, key)) return canonicalBytes(entry);
    const value = entry[key];
    if (value === undefined) continue;
    const text =
      typeof value === 'string' && value.isWellFormed()
        ? JSON.stringify(value)
        : typeof value === 'number' && Number.isFinite(value)
          ? JSON.stringify(value)
          : canonicalize(value);
    out += `${out.length === 1 ? '' : ','}"${key}":${text}`;
  }
  return Buffer.from(`${out}}`, 'utf8');
}

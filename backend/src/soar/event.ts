/**
 * The canonical security event: what the API ingests, the log reader accepts and the rule engine counts.
 * One validator (the byte-level scanner in event-scanner.ts) checks both a log line and an API body
 * (event-validate.ts), so a line the replay tool accepts is exactly an event the API accepts.
 */

export interface SecurityEvent {
  /** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it. */
  time: string;
  /** The same instant in milliseconds since the epoch. */
  timeMs: number;
  /** Event type, e.g. `auth.login.failed`, `admin.operation.unauthorized`, `http.request`. */
  event: string;
  /** Normalized: IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 form. */
  ip: string;
  user: string | null;
  /** Upper case. */
  method: string | null;
  path: string | null;
  status: number | null;
  userAgent: string | null;
  bytes: number | null;
  msg: string | null;
  /** The Fail2ban jail that reported the event, when it came from Fail2ban. */
  jail: string | null;
}

/** An event the product makes itself (an infraction, an alert): a type, an address and a message, nothing else. */
export function bareEvent(timeMs: number, event: string, ip: string, msg: string | null): SecurityEvent {
  const none = { user: null, method: null, path: null, status: null, userAgent: null, bytes: null, jail: null };
  return { time: new Date(timeMs).toISOString(), timeMs, event, ip, ...none, msg };
}

/** The fields the rule engine reads; a SecurityEvent is one, and so is the scanner while it holds a line. */
export interface RuleInput {
  readonly timeMs: number;
  readonly event: string;
  readonly ip: string;
  readonly method: string | null;
  readonly status: number | null;
  readonly path: string | null;
  /** Optional: see AddressSlot. */
  readonly slot?: AddressSlot;
}

/**
 * A place where the rule engine may keep its state for one address. The log reader already finds each address
 * in its own cache; handing the engine this slot with the event spares it a second lookup per line. The engine
 * checks `owner` (a slot may outlive its state, or meet another engine).
 */
export interface AddressSlot {
  readonly ip: string;
  owner: object | null;
  state: object | null;
}

export const EVENT_FIELDS = [
  'time',
  'event',
  'ip',
  'user',
  'method',
  'path',
  'status',
  'userAgent',
  'bytes',
  'msg',
  'jail',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** Longest accepted value of the free-text fields, in UTF-16 code units (JavaScript string length). */
export const EVENT_TEXT_LIMITS = { event: 128, user: 256, path: 4096, userAgent: 1024, msg: 4096 } as const;

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
export const METHOD_PATTERN = /^[A-Za-z]{1,16}$/;
/** What `fail2ban-client` accepts as a jail name (CONTRACTS §1.1). */
export const JAIL_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** An invalid event; `index` locates it in a batch. The message names the field, e.g. `events[3].ip …`. */
export class SecurityEventError extends Error {
  override name = 'SecurityEventError';
  readonly statusCode = 400;
  constructor(
    readonly field: EventField | 'event object',
    readonly detail: string,
    readonly index?: number
  ) {
    super(index === undefined ? `${field} ${detail}` : `events[${index}].${field} ${detail}`);
  }

  at(index: number): SecurityEventError {
    return new SecurityEventError(this.field, this.detail, index);
  }
}

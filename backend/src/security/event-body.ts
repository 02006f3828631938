/**
 * POST /api/security/events bodies read straight from their bytes: each element of the JSON array is checked in
 * place by the event scanner that `cartae-secops replay` uses on log lines (the same validator, soar/README.md), so
 * a batch is neither parsed into objects by JSON.parse nor re-encoded per event. `{ "events": [...] }` goes through
 * JSON.parse and the same validator. All or nothing: the first invalid event fails the batch, naming its index.
 *
 * In two steps: the request parser checks the JSON structure and counts the events; the events themselves are made
 * when the batch's turn comes (SecurityService.ingest), so that requests waiting their turn hold only their bytes.
 */
import { isUtf8 } from 'node:buffer';
import { BadRequestError } from '../errors';
import { SecurityEventError, type SecurityEvent } from '../soar/event';
import { EventScanner } from '../soar/event-scanner';
import { parseSecurityEvents } from '../soar/event-validate';
import { JsonBytes } from '../soar/json-bytes';

/** Where the pending batch hides in a request body (a symbol: JSON and the audit trail's canonical form skip it). */
const BATCH = Symbol('batch');

interface PendingBatch {
  body: Buffer;
  /** Start and end of each element of the array body; null for the `{ "events": [...] }` form. */
  ranges: number[] | null;
  wrapped: unknown[] | null;
}

/**
 * A request body as the rest of Fastify sees it: a summary, which is all the HTTP audit hook records (the events
 * go to the trail one by one when security-relevant), with the batch under a symbol key.
 */
export interface EventBatchBody {
  events: number;
  bytes: number;
  [BATCH]: PendingBatch;
}

const scanner = new EventScanner();
const EMPTY = Buffer.alloc(0);
const json = new JsonBytes();
const SHAPE = 'the body must be a JSON array of events, or {"events": [...]}';

function invalid(): never {
  throw new BadRequestError('the body is not valid JSON');
}

/** Start and end of each element of a top-level JSON array, or null when the body is not an array. */
function arrayElements(b: Buffer): number[] | null {
  json.reset(b, b.length);
  let i = json.ws(0);
  if (json.at(i) !== 0x5b) return null;
  const ranges: number[] = [];
  i = json.ws(i + 1);
  if (json.at(i) === 0x5d) return json.ws(i + 1) === b.length ? ranges : invalid();
  for (;;) {
    const end = json.value(i);
    if (end < 0) return invalid();
    ranges.push(i, end);
    i = json.ws(end);
    const c = json.at(i);
    if (c === 0x5d) return json.ws(i + 1) === b.length ? ranges : invalid();
    if (c !== 0x2c) return invalid();
    i = json.ws(i + 1);
  }
}

function wrappedEvents(body: Buffer): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequestError(SHAPE);
  const events = (parsed as { events?: unknown }).events;
  if (!Array.isArray(events) || Object.keys(parsed).length !== 1) throw new BadRequestError(SHAPE);
  return events;
}

/** Step 1: the body's structure and size; throws a 400 error. */
export function eventBatchBody(body: Buffer, maxEvents: number): EventBatchBody {
  if (!isUtf8(body)) throw new BadRequestError('the body is not valid UTF-8');
  const ranges = arrayElements(body);
  const wrapped = ranges === null ? wrappedEvents(body) : null;
  const count = ranges === null ? (wrapped as unknown[]).length : ranges.length / 2;
  if (count === 0) throw new BadRequestError('events must contain at least one event');
  if (count > maxEvents) {
    throw new BadRequestError(`events has ${count} events; at most ${maxEvents} are accepted per request`);
  }
  return { events: count, bytes: body.length, [BATCH]: { body, ranges, wrapped } };
}

/** Step 2: the validated events; throws SecurityEventError (400) naming the first invalid one's index and field. */
export function eventsOf(parsed: unknown): SecurityEvent[] {
  const batch = (parsed as Partial<EventBatchBody> | undefined)?.[BATCH];
  if (batch === undefined) throw new Error('the request body was not read by the security events parser');
  if (batch.wrapped !== null) return parseSecurityEvents(batch.wrapped);
  const { body, ranges } = batch as { body: Buffer; ranges: number[] };
  // The request keeps this object until it is answered: the bytes need not wait that long.
  batch.body = EMPTY;
  batch.ranges = [];
  const events = new Array<SecurityEvent>(ranges.length / 2);
  for (let i = 0; i < events.length; i++) {
    if (!scanner.scan(body, ranges[2 * i] as number, ranges[2 * i + 1] as number)) {
      throw new SecurityEventError(scanner.errorField ?? 'event object', scanner.errorDetail, i);
    }
    events[i] = scanner.toEvent();
  }
  release(body);
  return events;
}

/**
 * Frees the bytes of a parsed body now. A body that waited its turn has outlived two minor collections, so its
 * memory would otherwise wait for a full collection: under steady load, tens of megabytes. Moving the backing store
 * into a new, unreferenced ArrayBuffer (a transfer) lets the next minor collection free it. Only a Buffer that owns
 * its whole ArrayBuffer (not a slice of Node's pool) is moved.
 */
function release(body: Buffer): void {
  const store = body.buffer;
  if (!(store instanceof ArrayBuffer) || body.byteOffset !== 0 || body.byteLength !== store.byteLength) return;
  if (store.byteLength >= 65_536) structuredClone(store, { transfer: [store] });
}

/** Both steps at once. */
export function parseEventBody(body: Buffer, maxEvents: number): SecurityEvent[] {
  return eventsOf(eventBatchBody(body, maxEvents));
}

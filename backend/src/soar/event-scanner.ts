/**
 * Reads one JSON-lines security event straight from bytes: the whole line must be a valid JSON object (as
 * JSON.parse would accept it, last duplicate key winning), and the known fields must be valid. It builds no
 * object per line: the rule engine reads the scanner itself (it is a RuleInput) while it holds the line, and
 * fields the rules do not read are decoded only on demand. A user name that contains `"ip":"1.2.3.4"` is just
 * the inside of a string here, as it is for JSON.parse.
 */
import { normalizeIp } from '../net/ip';
import { ByteInterner } from './byte-interner';
import {
  EVENT_FIELDS,
  EVENT_TEXT_LIMITS,
  JAIL_PATTERN,
  type AddressSlot,
  type EventField,
  type RuleInput,
  type SecurityEvent,
} from './event';
import { addressSlot, Field, integerAt, isCanonicalIpv4, NO_SLOT, upperMethod, validEventType } from './event-bytes';
import { parseIsoTime, parseIsoTimeString } from './iso-time';
import { JsonFields, Kind } from './json-fields';

/** EVENT_TEXT_LIMITS by Field index (free-text fields only). */
const TEXT_LIMITS: Partial<Record<number, number>> = {
  [Field.user]: EVENT_TEXT_LIMITS.user,
  [Field.path]: EVENT_TEXT_LIMITS.path,
  [Field.userAgent]: EVENT_TEXT_LIMITS.userAgent,
  [Field.msg]: EVENT_TEXT_LIMITS.msg,
};

/** The first `limit` UTF-16 units of `value`, one fewer when the last would be half of a surrogate pair. */
function cut(value: string, limit: number): string {
  const last = value.charCodeAt(limit - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}

/** Interned values are never empty; '' records an invalid one. */
const INVALID = '';
export class EventScanner implements RuleInput {
  timeMs = 0;
  event = '';
  ip = '';
  slot: AddressSlot = NO_SLOT;
  method: string | null = null;
  status: number | null = null;
  bytes: number | null = null;
  /**
   * Free-text fields of the last valid line that were longer than EVENT_TEXT_LIMITS, one bit per Field: they are
   * cut to the limit rather than refused. Refusing them would let a client hide an attack behind a long user
   * name or user agent, which Fail2ban's filters (they check no lengths) would still count.
   */
  truncated = 0;
  /** Why the last line was refused: the field at fault (null: not a JSON object) and a message. */
  errorField: EventField | null = null;
  errorDetail = '';

  private readonly fields = new JsonFields();
  private pathValue: string | null | undefined = undefined;
  private readonly ips = new ByteInterner<AddressSlot>(1 << 17);
  private readonly types = new ByteInterner<string>(1 << 10, 1 << 17);
  private readonly methods = new ByteInterner<string>(1 << 8);

  /** The request path, decoded on first use (only path rules read it). */
  get path(): string | null {
    if (this.pathValue === undefined) this.pathValue = this.optionalText(Field.path);
    return this.pathValue;
  }

  /** Reads `b[start, end)`; true when it is a valid event, which the getters then describe. */
  scan(b: Buffer, start: number, end: number): boolean {
    this.pathValue = undefined;
    this.truncated = 0;
    if (!this.fields.read(b, start, end)) return this.fail(null, 'is not a JSON object');
    return (
      this.readTime() &&
      this.readEventType() &&
      this.readAddress() &&
      this.readMethod() &&
      this.readInteger(Field.status, 100, 599) &&
      this.readInteger(Field.bytes, 0, Number.MAX_SAFE_INTEGER) &&
      this.checkText(Field.user, EVENT_TEXT_LIMITS.user) &&
      this.checkText(Field.path, EVENT_TEXT_LIMITS.path) &&
      this.checkText(Field.userAgent, EVENT_TEXT_LIMITS.userAgent) &&
      this.checkText(Field.msg, EVENT_TEXT_LIMITS.msg) &&
      this.checkJail()
    );
  }

  /** The event of the last valid line as a canonical object, every field decoded. */
  toEvent(): SecurityEvent {
    return {
      time: new Date(this.timeMs).toISOString(),
      timeMs: this.timeMs,
      event: this.event,
      ip: this.ip,
      user: this.optionalText(Field.user),
      method: this.method,
      path: this.path,
      status: this.status,
      userAgent: this.optionalText(Field.userAgent),
      bytes: this.bytes,
      msg: this.optionalText(Field.msg),
      jail: this.optionalText(Field.jail),
    };
  }

  private fail(field: EventField | null, detail: string): false {
    this.errorField = field;
    this.errorDetail = detail;
    return false;
  }

  private readTime(): boolean {
    const { b, kinds, starts, ends } = this.fields;
    if (kinds[Field.time] !== Kind.string)
      return this.fail('time', kinds[Field.time] ? 'must be a string' : 'is required');
    this.timeMs = this.fields.isEscaped(Field.time)
      ? parseIsoTimeString(this.text(Field.time))
      : parseIsoTime(b, starts[Field.time] as number, ends[Field.time] as number);
    if (!Number.isNaN(this.timeMs)) return true;
    return this.fail('time', 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T12:00:00Z');
  }

  private readEventType(): boolean {
    const kind = this.fields.kinds[Field.event];
    if (kind !== Kind.string) return this.fail('event', kind ? 'must be a string' : 'is required');
    const value = this.converted(Field.event, this.types, validEventType);
    if (value === INVALID) return this.fail('event', 'must be a dotted event type such as auth.login.failed');
    this.event = value;
    return true;
  }

  private readAddress(): boolean {
    const kind = this.fields.kinds[Field.ip];
    if (kind !== Kind.string) return this.fail('ip', kind ? 'must be a string' : 'is required');
    let slot: AddressSlot | undefined;
    const { b, starts, ends } = this.fields;
    if (this.fields.isEscaped(Field.ip)) {
      slot = addressSlot(normalizeIp(this.text(Field.ip)));
    } else {
      const start = starts[Field.ip] as number;
      const end = ends[Field.ip] as number;
      slot = this.ips.get(b, start, end);
      if (slot === undefined) {
        // Most addresses are already canonical IPv4: no need for the general normalization.
        const text = this.text(Field.ip);
        slot = addressSlot(isCanonicalIpv4(b, start, end) ? text : normalizeIp(text));
        this.ips.set(b, start, end, slot);
      }
    }
    if (slot === NO_SLOT) return this.fail('ip', 'must be an IPv4 or IPv6 address');
    this.ip = slot.ip;
    this.slot = slot;
    return true;
  }

  private converted(field: number, cache: ByteInterner<string>, convert: (value: string) => string | null): string {
    const { b, starts, ends } = this.fields;
    if (this.fields.isEscaped(field)) return convert(this.text(field)) ?? INVALID;
    const start = starts[field] as number;
    const end = ends[field] as number;
    let value = cache.get(b, start, end);
    if (value === undefined) {
      // Most addresses are already canonical IPv4: no need for the general normalization.
      value = convert(this.text(field)) ?? INVALID;
      cache.set(b, start, end, value);
    }
    return value;
  }

  private readMethod(): boolean {
    this.method = null;
    const kind = this.fields.kinds[Field.method];
    if (kind === Kind.absent || kind === Kind.null) return true;
    const value = kind === Kind.string ? this.converted(Field.method, this.methods, upperMethod) : INVALID;
    if (value === INVALID) return this.fail('method', 'must be an HTTP method such as GET');
    this.method = value;
    return true;
  }

  private readInteger(field: number, min: number, max: number): boolean {
    const { b, kinds, starts, ends } = this.fields;
    const kind = kinds[field];
    let value: number | null = null;
    if (kind === Kind.integer) {
      value = integerAt(b, starts[field] as number, ends[field] as number);
    } else if (kind === Kind.decimal) {
      value = Number(b.toString('latin1', starts[field] as number, ends[field] as number));
      if (!Number.isInteger(value)) value = NaN;
    } else if (kind !== Kind.absent && kind !== Kind.null) {
      value = NaN;
    }
    if (value !== null && !(value >= min && value <= max)) {
      return this.fail(EVENT_FIELDS[field] as EventField, `must be an integer from ${min} to ${max}`);
    }
    if (field === Field.status) this.status = value;
    else this.bytes = value;
    return true;
  }

  /** The names of the fields `truncated` marks. */
  truncatedFields(): EventField[] {
    return this.truncated === 0 ? [] : EVENT_FIELDS.filter((_, field) => (this.truncated & (1 << field)) !== 0);
  }

  /** A free-text field: a string or null; longer than `limit` UTF-16 units, it is marked to be cut. */
  private checkText(field: number, limit: number): boolean {
    const { kinds, starts, ends } = this.fields;
    const kind = kinds[field];
    if (kind === Kind.absent || kind === Kind.null) return true;
    const name = EVENT_FIELDS[field] as EventField;
    if (kind !== Kind.string) return this.fail(name, 'must be a string');
    // A UTF-8 byte never decodes to more than one UTF-16 unit: only long values need decoding to be measured.
    if ((ends[field] as number) - (starts[field] as number) > limit && this.text(field).length > limit) {
      this.truncated |= 1 << field;
    }
    return true;
  }

  private checkJail(): boolean {
    const kind = this.fields.kinds[Field.jail];
    if (kind === Kind.absent || kind === Kind.null) return true;
    if (kind === Kind.string && JAIL_PATTERN.test(this.text(Field.jail))) return true;
    return this.fail('jail', 'must be a Fail2ban jail name (letters, digits, _ . -)');
  }

  private optionalText(field: number): string | null {
    if (this.fields.kinds[field] !== Kind.string) return null;
    const value = this.text(field);
    return (this.truncated & (1 << field)) === 0 ? value : cut(value, TEXT_LIMITS[field] as number);
  }

  private text(field: number): string {
    return this.fields.text(field);
  }
}

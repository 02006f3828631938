/**
 * The top-level object of one JSON line, walked once: where each known field's value lies and what kind it is,
 * without decoding anything. Values are decoded only when asked for (`text`), from the line's own bytes, which
 * must stay unchanged until the next `read`.
 */
import { EVENT_FIELDS, type EventField } from './event';
import { fieldOf } from './event-bytes';
import { JsonBytes } from './json-bytes';

/** What a known field holds in the current line. */
export const Kind = {
  absent: 0,
  string: 1,
  integer: 2,
  /** A number with a fraction or an exponent (`4.01e2` is 401 to JSON.parse, so it is to us). */
  decimal: 3,
  null: 4,
  other: 5,
} as const;

export class JsonFields {
  b: Buffer = Buffer.alloc(0);
  readonly kinds = new Uint8Array(EVENT_FIELDS.length);
  readonly starts = new Int32Array(EVENT_FIELDS.length);
  readonly ends = new Int32Array(EVENT_FIELDS.length);
  private readonly escaped = new Uint8Array(EVENT_FIELDS.length);
  private readonly nonAscii = new Uint8Array(EVENT_FIELDS.length);
  private readonly json = new JsonBytes();

  /** True when `b[start, end)` is one JSON object (surrounding whitespace allowed). */
  read(b: Buffer, start: number, end: number): boolean {
    this.b = b;
    this.json.reset(b, end);
    this.kinds.fill(Kind.absent);
    return this.object(this.json.ws(start), end);
  }

  /** A string field holds escapes (then it is decoded with JSON.parse). */
  isEscaped(field: number): boolean {
    return this.escaped[field] === 1;
  }

  /** The top-level object: records where each known field's value lies. */
  private object(i: number, end: number): boolean {
    const json = this.json;
    if (json.at(i) !== 0x7b) return false;
    i = json.ws(i + 1);
    if (json.at(i) === 0x7d) return json.ws(i + 1) === end;
    for (;;) {
      const keyEnd = json.string(i);
      if (keyEnd < 0) return false;
      // A key written with escapes (`"\u0069p"`) is `ip` to JSON.parse, so it is to us.
      const field = json.escaped
        ? EVENT_FIELDS.indexOf(JSON.parse(this.b.toString('utf8', i, keyEnd)) as EventField)
        : fieldOf(this.b, i + 1, keyEnd - 1);
      let value = json.ws(keyEnd);
      if (json.at(value) !== 0x3a) return false;
      value = json.ws(value + 1);
      const first = json.at(value);
      i = json.value(value);
      if (i < 0) return false;
      if (field >= 0) this.record(field, first, value, i);
      i = json.ws(i);
      const next = json.at(i);
      if (next === 0x2c) i = json.ws(i + 1);
      else return next === 0x7d && json.ws(i + 1) === end;
    }
  }

  private record(field: number, first: number, start: number, end: number): void {
    const json = this.json;
    if (first === 0x22) {
      this.kinds[field] = Kind.string;
      this.starts[field] = start + 1;
      this.ends[field] = end - 1;
      this.escaped[field] = json.escaped ? 1 : 0;
      this.nonAscii[field] = json.nonAscii ? 1 : 0;
    } else if (first === 0x2d || (first >= 0x30 && first <= 0x39)) {
      this.kinds[field] = json.integer ? Kind.integer : Kind.decimal;
      this.starts[field] = start;
      this.ends[field] = end;
    } else {
      this.kinds[field] = first === 0x6e ? Kind.null : Kind.other;
    }
  }

  /** Decodes a string field of the current line. */
  text(field: number): string {
    const start = this.starts[field] as number;
    const end = this.ends[field] as number;
    if (this.escaped[field]) return JSON.parse(this.b.toString('utf8', start - 1, end + 1)) as string;
    return this.b.toString(this.nonAscii[field] ? 'utf8' : 'latin1', start, end);
  }
}

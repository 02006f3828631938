/**
 * The JSON grammar (RFC 8259 §2–7) over the bytes of one line, without building values: the event scanner uses
 * it to validate a whole line and to locate the few fields it reads. Every read is bounded by `end`, so the
 * bytes of the next line can never be taken for part of this one. Methods return the index after the token,
 * or -1 when the bytes are not valid JSON. UTF-8 validity is checked beforehand, on whole chunks.
 */

/** The bytes of the grammar. */
const B = {
  quote: 0x22,
  backslash: 0x5c,
  comma: 0x2c,
  colon: 0x3a,
  openBrace: 0x7b,
  closeBrace: 0x7d,
  openBracket: 0x5b,
  closeBracket: 0x5d,
  minus: 0x2d,
  plus: 0x2b,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
} as const;

/** Deepest nesting accepted in a value: real logs nest a few levels; this keeps hostile lines cheap. */
export const MAX_JSON_DEPTH = 64;

function isDigit(c: number): boolean {
  return c >= B.zero && c <= B.nine;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** `"\/bfnrt` may follow a backslash (u is handled apart). */
function isSimpleEscape(c: number): boolean {
  return (
    c === B.quote ||
    c === B.backslash ||
    c === 0x2f ||
    c === 0x62 ||
    c === 0x66 ||
    c === 0x6e ||
    c === 0x72 ||
    c === 0x74
  );
}

const EMPTY = new Uint8Array(0);

export class JsonBytes {
  b: Uint8Array = EMPTY;
  end = 0;
  /** Flags of the last string read: it holds escapes (decode with JSON.parse) / bytes above 0x7f (decode as UTF-8). */
  escaped = false;
  nonAscii = false;
  /** Whether the last number read is written as an integer (no fraction, no exponent). */
  integer = false;
  private readonly stack = new Uint8Array(MAX_JSON_DEPTH);

  reset(b: Uint8Array, end: number): void {
    this.b = b;
    this.end = end;
  }

  /** The byte at `i`, or -1 past the end of the line. */
  at(i: number): number {
    return i < this.end ? (this.b[i] as number) : -1;
  }

  /** Skips JSON whitespace. */
  ws(i: number): number {
    const { b, end } = this;
    while (i < end) {
      const c = b[i] as number;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
      i++;
    }
    return i;
  }

  /** A string starting at the quote `i`. */
  string(i: number): number {
    const { b, end } = this;
    if (this.at(i) !== B.quote) return -1;
    let escaped = false;
    let nonAscii = false;
    for (i++; i < end; i++) {
      const c = b[i] as number;
      if (c === B.quote) {
        this.escaped = escaped;
        this.nonAscii = nonAscii;
        return i + 1;
      }
      if (c === B.backslash) {
        escaped = true;
        const e = this.at(++i);
        if (e === 0x75) {
          // \uXXXX
          if (!isHex(this.at(i + 1)) || !isHex(this.at(i + 2)) || !isHex(this.at(i + 3)) || !isHex(this.at(i + 4))) {
            return -1;
          }
          i += 4;
        } else if (!isSimpleEscape(e)) {
          return -1;
        }
      } else if (c < 0x20) {
        return -1;
      } else if (c >= 0x80) {
        nonAscii = true;
      }
    }
    return -1;
  }

  /** A number starting at `i`; sets `integer`. */
  number(i: number): number {
    let c = this.at(i);
    if (c === B.minus) c = this.at(++i);
    if (c === B.zero) i++;
    else if (isDigit(c)) while (isDigit(this.at(++i)));
    else return -1;
    this.integer = true;
    if (this.at(i) === B.dot) {
      this.integer = false;
      if (!isDigit(this.at(++i))) return -1;
      while (isDigit(this.at(++i)));
    }
    c = this.at(i);
    if (c === 0x65 || c === 0x45) {
      this.integer = false;
      c = this.at(++i);
      if (c === B.plus || c === B.minus) c = this.at(++i);
      if (!isDigit(c)) return -1;
      while (isDigit(this.at(++i)));
    }
    return i;
  }

  /** true, false or null at `i`. */
  literal(i: number): number {
    const c = this.at(i);
    const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : '';
    if (word === '' || i + word.length > this.end) return -1;
    for (let k = 1; k < word.length; k++) if (this.b[i + k] !== word.charCodeAt(k)) return -1;
    return i + word.length;
  }

  /** Any value at `i` (objects and arrays to MAX_JSON_DEPTH, without recursion). */
  value(i: number): number {
    const c = this.at(i);
    if (c === B.quote) return this.string(i);
    if (c === B.minus || isDigit(c)) return this.number(i);
    if (c === B.openBrace || c === B.openBracket) return this.container(i);
    return this.literal(i);
  }

  /** `"key" :` then whitespace: the index of the member's value. */
  memberStart(i: number): number {
    i = this.string(i);
    if (i < 0) return -1;
    i = this.ws(i);
    return this.at(i) === B.colon ? this.ws(i + 1) : -1;
  }

  private container(i: number): number {
    const stack = this.stack;
    let depth = 0;
    for (;;) {
      // A value starts at i.
      const c = this.at(i);
      if (c === B.openBrace || c === B.openBracket) {
        if (depth === MAX_JSON_DEPTH) return -1;
        stack[depth++] = c;
        i = this.ws(i + 1);
        if (this.at(i) === (c === B.openBrace ? B.closeBrace : B.closeBracket)) {
          i++;
          depth--;
        } else {
          if (c === B.openBrace && (i = this.memberStart(i)) < 0) return -1;
          continue;
        }
      } else if ((i = this.value(i)) < 0) {
        return -1;
      }
      // After a value: close what ends here, or move to the next element.
      for (;;) {
        if (depth === 0) return i;
        i = this.ws(i);
        const open = stack[depth - 1];
        const next = this.at(i);
        if (next === B.comma) {
          i = this.ws(i + 1);
          if (open === B.openBrace && (i = this.memberStart(i)) < 0) return -1;
          break;
        }
        if (next !== (open === B.openBrace ? B.closeBrace : B.closeBracket)) return -1;
        i++;
        depth--;
      }
    }
  }
}

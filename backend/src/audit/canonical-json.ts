/**
 * JSON Canonicalization Scheme (JCS), RFC 8785 (https://www.rfc-editor.org/rfc/rfc8785).
 * The audit trail hashes these bytes, so any two implementations must agree on every byte:
 * anything that is not I-JSON (RFC 7493) or that JSON.stringify would silently change is rejected.
 */

/** Thrown for values that have no canonical JSON form; `path` points at the offending value (`$.a[2]`). */
export class CanonicalJsonError extends TypeError {
  constructor(
    message: string,
    readonly path: string
  ) {
    super(`${message} at ${path}`);
    this.name = 'CanonicalJsonError';
  }
}

/** Deep enough for any audit entry; bounded so hostile nesting fails with a clear error, not a stack overflow. */
export const MAX_CANONICAL_DEPTH = 256;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalize(value: unknown): string {
  if (value === undefined) throw new CanonicalJsonError('undefined is not JSON', '$');
  // Fast pass without paths or cycle tracking (a cycle ends at the depth bound); anything it refuses is
  // serialized again by the careful pass, which names the offending value.
  const fast = fastSerialize(value, 0);
  return fast ?? serialize(value, '$', new Set<object>(), 0);
}

/** The canonical form, or undefined when `value` holds anything the careful pass would reject. */
function fastSerialize(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? JSON.stringify(value) : undefined;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_CANONICAL_DEPTH) return undefined;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = fastSerialize(value[i], depth + 1);
          if (item === undefined) return undefined;
          out += i === 0 ? item : `,${item}`;
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (!key.isWellFormed()) return undefined;
        const text = fastSerialize(member, depth + 1);
        if (text === undefined) return undefined;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/** UTF-8 bytes of the canonical form: what gets stored and hashed (RFC 8785 §3.2.4). */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

function serialize(value: unknown, path: string, ancestors: Set<object>, depth: number): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      // RFC 8785 §3.2.2.3: ECMAScript Number::toString, which JSON.stringify applies to finite numbers
      // (-0 becomes "0"); NaN and Infinity have no JSON form.
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${String(value)} is not a JSON number`, path);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, path, ancestors, depth);
    default:
      // undefined (inside an array), function, symbol, bigint: no JSON form without guessing.
      throw new CanonicalJsonError(`${typeof value} is not JSON`, path);
  }
}

function serializeString(value: string, path: string): string {
  // I-JSON (RFC 7493 §2.1) forbids lone surrogates; they would not survive UTF-8 encoding intact.
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError('string contains a lone UTF-16 surrogate', path);
  // ES2019+ JSON.stringify is exactly the RFC 8785 §3.2.2.2 escaping for well-formed strings.
  return JSON.stringify(value);
}

function serializeContainer(value: object, path: string, ancestors: Set<object>, depth: number): string {
  if (ancestors.has(value)) throw new CanonicalJsonError('cyclic structure', path);
  if (depth >= MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`nesting deeper than ${MAX_CANONICAL_DEPTH}`, path);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        items.push(serialize(value[i], `${path}[${i}]`, ancestors, depth + 1));
      }
      return `[${items.join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      // Dates, Maps, Buffers and class instances would serialize via toJSON or lose data; callers convert first.
      const name = value.constructor?.name ?? 'object';
      throw new CanonicalJsonError(
        `${name} is not a plain object (pass JSON values, e.g. ISO strings for dates)`,
        path
      );
    }
    const record = value as Record<string, unknown>;
    // RFC 8785 §3.2.3: sort by UTF-16 code units, which is what the default Array#sort comparison does.
    const keys = Object.keys(record).sort();
    const members: string[] = [];
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      const memberPath = `${path}.${key}`;
      members.push(`${serializeString(key, memberPath)}:${serialize(member, memberPath, ancestors, depth + 1)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

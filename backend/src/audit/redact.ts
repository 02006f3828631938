/**
 * Removes secrets from audit payloads before they are canonicalized and hashed: once hashed into the
 * chain a value can never be deleted again (the table is WORM), so redaction has to happen first.
 */

export const REDACTED = '***REDACTED***';
/** Replaces an object that contains itself, so hostile or accidental cycles cannot loop forever. */
export const CIRCULAR = '[Circular]';
/** Replaces anything nested deeper than MAX_REDACT_DEPTH, so hostile nesting cannot exhaust the stack. */
export const TRUNCATED = '[Truncated]';
export const MAX_REDACT_DEPTH = 64;

export const DEFAULT_REDACTED_FIELDS: readonly string[] = [
  'password',
  'token',
  'secret',
  'apiKey',
  'api_key',
  'authorization',
  'creditCard',
  'ssn',
  'cvv',
  'cookie',
];

/**
 * Lowercase and drop `_`/`-`, so `apiKey`, `api_key` and `API-KEY` all become `apikey`.
 * A key is redacted when its normalized form equals a normalized field name or ends with it:
 * `accessToken`, `refresh_token`, `client_secret`, `x-api-key`, `Set-Cookie` are all caught.
 */
export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

export function isRedactedKey(key: string, fields: readonly string[]): boolean {
  return matcher(fields)(key);
}

/** Normalized suffixes per field list: audit entries are redacted with the same configured list every time. */
const matchers = new WeakMap<readonly string[], (key: string) => boolean>();

function matcher(fields: readonly string[]): (key: string) => boolean {
  let match = matchers.get(fields);
  if (!match) {
    // An empty field name would end every key; it is ignored rather than redacting everything.
    const suffixes = fields.map(normalizeFieldName).filter((suffix) => suffix !== '');
    match = (key) => {
      const normalized = normalizeFieldName(key);
      return suffixes.some((suffix) => normalized.endsWith(suffix));
    };
    matchers.set(fields, match);
  }
  return match;
}

/**
 * Deep copy of `value` with the value of every matching key, at any depth and inside arrays,
 * replaced by REDACTED. The input is never mutated. Arrays stay arrays, Dates are copied, and other
 * objects become plain objects of their own enumerable properties (what JSON would see).
 * Only true cycles become CIRCULAR; an object shared by two branches is copied into both.
 */
export function redact(value: unknown, fields: readonly string[] = DEFAULT_REDACTED_FIELDS): unknown {
  return copy(value, matcher(fields), new Set<object>(), 0);
}

function copy(value: unknown, redacted: (key: string) => boolean, ancestors: Set<object>, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (ancestors.has(value)) return CIRCULAR;
  if (depth >= MAX_REDACT_DEPTH) return TRUNCATED;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item: unknown) => copy(item, redacted, ancestors, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      const copied = redacted(key) ? REDACTED : copy(member, redacted, ancestors, depth + 1);
      if (key === '__proto__') {
        // defineProperty so a "__proto__" key stays an own property instead of replacing the prototype.
        Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = copied;
      }
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * One entry line of an export, checked on its own: its hashes recomputed from the canonical bytes and its
 * visible fields compared with the hashed entry.
 */
import { chainHash } from '../chain';
import { leafHash } from '../merkle';
import { isRecord, jsonEqual } from './json';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Members that are not fields of the hashed entry. */
const NOT_ENTRY_FIELDS = new Set(['leafHash', 'hashPrev', 'hashCurrent', 'archived', 'canonical']);

export interface EntryLine {
  seq: number;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
}

/** Hashes from the canonical bytes, and every visible field equal to the hashed entry's (absent there = null). */
export function contentProblem(
  line: Record<string, unknown>,
  entry: EntryLine,
  canonical: unknown
): string | undefined {
  if (typeof canonical !== 'string' || !BASE64.test(canonical)) return 'canonical is not base64';
  const bytes = Buffer.from(canonical, 'base64');
  if (leafHash(bytes).toString('hex') !== entry.leafHash) return 'leafHash does not match the canonical bytes';
  if (chainHash(entry.hashPrev, bytes) !== entry.hashCurrent) {
    return 'hashCurrent does not match hashPrev and the canonical bytes';
  }
  let hashed: unknown;
  try {
    hashed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'canonical bytes are not JSON';
  }
  if (!isRecord(hashed)) return 'canonical bytes are not a JSON object';
  for (const [key, shown] of Object.entries(line)) {
    if (NOT_ENTRY_FIELDS.has(key)) continue;
    const expected = Object.hasOwn(hashed, key) ? hashed[key] : null;
    if (!jsonEqual(shown, expected)) return `${key} differs from the hashed entry`;
  }
  return undefined;
}

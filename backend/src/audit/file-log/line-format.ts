/**
 * One line of the file log, checked on its own: exactly the members seq, leafHash, hashPrev, hashCurrent and
 * canonical, with the canonical bytes carrying the line's seq. The chain across lines is checked by scanner.ts.
 */
import { isHashHex } from '../hash';
import type { ImmutableLogLine } from './types';

const LINE_KEYS = ['seq', 'leafHash', 'hashPrev', 'hashCurrent', 'canonical'] as const;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseLine(
  text: Buffer,
  expectedSeq: number
): { row: ImmutableLogLine; bytes: Buffer; entry: Record<string, unknown> } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch {
    return { reason: 'not a JSON line' };
  }
  if (!isRecord(value)) return { reason: 'not a JSON object' };
  const keys = Object.keys(value);
  // Exactly these members: anything else would be data that no hash covers.
  if (keys.length !== LINE_KEYS.length || !LINE_KEYS.every((key) => key in value)) {
    return { reason: `members must be exactly ${LINE_KEYS.join(', ')}` };
  }
  const { seq, leafHash: leaf, hashPrev, hashCurrent, canonical } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return { reason: 'seq is not a whole number' };
  if (seq !== expectedSeq) {
    return {
      reason:
        seq > expectedSeq
          ? `seq ${expectedSeq} is missing (this line has seq ${seq})`
          : `seq ${seq} is repeated or out of order (expected ${expectedSeq})`,
    };
  }
  if (!isHashHex(leaf) || !isHashHex(hashPrev) || !isHashHex(hashCurrent)) {
    return { reason: 'leafHash, hashPrev and hashCurrent must be 64 lowercase hex characters' };
  }
  if (typeof canonical !== 'string' || !BASE64.test(canonical)) return { reason: 'canonical is not base64' };
  const bytes = Buffer.from(canonical, 'base64');
  let entry: unknown;
  try {
    entry = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { reason: 'canonical bytes are not JSON' };
  }
  // The seq inside the hashed entry fixes its position: a line moved elsewhere with its hashes recomputed shows.
  if (!isRecord(entry) || entry.seq !== seq) return { reason: `canonical entry does not carry seq ${seq}` };
  return { row: { seq, leafHash: leaf, hashPrev, hashCurrent, canonical }, bytes, entry };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

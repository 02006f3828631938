import { hash } from 'node:crypto';

/** SHA-256 output size; every hash in the audit trail (leaf, node, chain, root) has this length. */
export const HASH_BYTES = 32;

const HASH_HEX = /^[0-9a-f]{64}$/;

/**
 * SHA-256 of the parts, concatenated. One-shot `crypto.hash` over a concatenation costs about half of a
 * createHash object per call, for the short inputs (entries, 65-byte nodes) hashed here several times an entry.
 */
export function sha256(...parts: readonly Uint8Array[]): Buffer {
  return hash('sha256', parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts), 'buffer');
}

/** Hashes travel as lowercase hex only, so one stored value has exactly one spelling to compare. */
export function isHashHex(value: unknown): value is string {
  return typeof value === 'string' && HASH_HEX.test(value);
}

/** Lowercase hex of stored bytes (pg gives Buffer, PGlite Uint8Array). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Decodes a 64-character lowercase hex SHA-256; throws on anything else instead of truncating like Buffer.from. */
export function hashFromHex(hex: string): Buffer {
  if (!isHashHex(hex)) throw new TypeError('expected a SHA-256 hash as 64 lowercase hex characters');
  return Buffer.from(hex, 'hex');
}

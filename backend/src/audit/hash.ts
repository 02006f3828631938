import { createHash } from 'node:crypto';

/** SHA-256 output size; every hash in the audit trail (leaf, node, chain, root) has this length. */
export const HASH_BYTES = 32;

const HASH_HEX = /^[0-9a-f]{64}$/;

export function sha256(...parts: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
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

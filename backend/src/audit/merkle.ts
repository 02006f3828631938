/**
 * Merkle Tree Hash, audit paths and consistency proofs exactly as defined in RFC 6962 §2.1
 * (https://www.rfc-editor.org/rfc/rfc6962#section-2.1). Leaves are passed already hashed (leafHash),
 * because the audit table stores each row's leaf hash and the tree is rebuilt from those alone.
 */
import { HASH_BYTES, sha256 } from './hash';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const EMPTY = new Uint8Array(0);

/** MTH({d}) = SHA-256(0x00 || d). The 0x00/0x01 prefixes give second-preimage resistance (RFC 6962 §2.1). */
export function leafHash(data: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, data);
}

/** Interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** MTH({}) = SHA-256() of the empty string. */
export function emptyRoot(): Buffer {
  return sha256(EMPTY);
}

/**
 * MTH over leaf hashes in O(n): pairing level by level and carrying an odd last node up unchanged
 * builds the same left-balanced tree as the RFC's "k = largest power of two < n" split.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Buffer {
  assertLeafHashes(leafHashes);
  return rootOf(leafHashes, 0, leafHashes.length);
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1, ordered from the leaf's sibling up to the root's child. */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Buffer[] {
  assertLeafHashes(leafHashes);
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${leafHashes.length}`);
  }
  return path(index, leafHashes, 0, leafHashes.length);
}

/**
 * PROOF(m, D[n]) of RFC 6962 §2.1.2 for 0 < m < n. For m = 0 and m = n the proof is empty: every tree
 * extends the empty tree, and a tree is consistent with itself (RFC 9162 §2.1.4).
 */
export function consistencyProof(m: number, leafHashes: readonly Uint8Array[]): Buffer[] {
  assertLeafHashes(leafHashes);
  const n = leafHashes.length;
  if (!Number.isSafeInteger(m) || m < 0 || m > n) throw new RangeError(`old size ${m} is outside 0..${n}`);
  if (m === 0 || m === n) return [];
  return subproof(m, leafHashes, 0, n, true);
}

/** Largest power of two strictly below n (n > 1); arithmetic rather than bit operators so sizes above 2^31 work. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function path(m: number, hashes: readonly Uint8Array[], lo: number, hi: number): Buffer[] {
  if (hi - lo === 1) return [];
  const k = splitPoint(hi - lo);
  if (m < k) return [...path(m, hashes, lo, lo + k), rootOf(hashes, lo + k, hi)];
  return [...path(m - k, hashes, lo + k, hi), rootOf(hashes, lo, lo + k)];
}

function subproof(m: number, hashes: readonly Uint8Array[], lo: number, hi: number, complete: boolean): Buffer[] {
  if (m === hi - lo) return complete ? [] : [rootOf(hashes, lo, hi)];
  const k = splitPoint(hi - lo);
  if (m <= k) return [...subproof(m, hashes, lo, lo + k, complete), rootOf(hashes, lo + k, hi)];
  return [...subproof(m - k, hashes, lo + k, hi, false), rootOf(hashes, lo, lo + k)];
}

function rootOf(hashes: readonly Uint8Array[], lo: number, hi: number): Buffer {
  if (hi === lo) return emptyRoot();
  let level: Uint8Array[] = hashes.slice(lo, hi);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1];
      next.push(right === undefined ? left : nodeHash(left, right));
    }
    level = next;
  }
  return Buffer.from(level[0] as Uint8Array);
}

function assertLeafHashes(leafHashes: readonly Uint8Array[]): void {
  for (let i = 0; i < leafHashes.length; i++) {
    if (leafHashes[i]?.length !== HASH_BYTES) throw new TypeError(`leaf hash ${i} is not ${HASH_BYTES} bytes`);
  }
}

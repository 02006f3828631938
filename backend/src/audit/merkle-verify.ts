/**
 * Proof verification transcribed from RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency)
 * (https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2). Deliberately shares nothing with the tree
 * builder in merkle.ts beyond the two hash functions, so each checks the other. Inputs may come from
 * untrusted clients: anything malformed or out of bounds makes verification fail rather than throw.
 */
import { HASH_BYTES } from './hash';
import { emptyRoot, nodeHash } from './merkle';

/** A tree of 2^53 leaves needs 53 hashes; anything longer than 64 is garbage and is refused before hashing. */
export const MAX_PROOF_LENGTH = 64;

export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array
): boolean {
  if (!isIndex(leafIndex) || !isIndex(treeSize) || leafIndex >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !isProof(proof)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * size1 = size2 needs an empty proof and equal roots; size1 = 0 needs an empty proof and root1 = MTH({}).
 * Otherwise (0 < size1 < size2) the RFC 9162 §2.1.4.2 algorithm, step by step.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[]
): boolean {
  if (!isIndex(size1) || !isIndex(size2) || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !isProof(proof)) return false;
  if (size1 === size2) return proof.length === 0 && sameHash(root1, root2);
  if (size1 === 0) return proof.length === 0 && sameHash(root1, emptyRoot());
  // 1. An empty proof cannot link two different trees.
  if (proof.length === 0) return false;
  // 2. When size1 is a power of two, the old root is itself the first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // 3-4. Start at the old tree's last leaf and climb while it is a right child.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. Both reconstructions start from the first path element.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // 6. Fold in each remaining element.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7. Both roots must match and the path must have reached the top of the new tree.
  return sameHash(fr, root1) && sameHash(sr, root2) && sn === 0;
}

// Sizes can exceed 2^31, where JavaScript's bit operators would wrap; stay in exact integer arithmetic.
function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  let v = n;
  while (v > 1 && v % 2 === 0) v /= 2;
  return v === 1;
}

function isIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

function isProof(proof: readonly Uint8Array[]): boolean {
  return Array.isArray(proof) && proof.length <= MAX_PROOF_LENGTH && proof.every(isHash);
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

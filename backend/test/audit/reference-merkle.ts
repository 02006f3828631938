/**
 * Test-only reference: RFC 6962 §2.1 written out recursively straight from the definitions, with its own
 * SHA-256 calls, so the production tree code (iterative) and verifiers (RFC 9162 bit walks) are checked
 * against something that shares no code with them.
 */
import { createHash } from 'node:crypto';

const H = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const refLeaf = (data: Uint8Array): Buffer => H(Buffer.from([0]), data);
export const refNode = (l: Uint8Array, r: Uint8Array): Buffer => H(Buffer.from([1]), l, r);

/** k = largest power of two smaller than n, by doubling (n > 1). */
export function refSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over raw leaf data D[n]. */
export function refMth(data: readonly Uint8Array[]): Buffer {
  if (data.length === 0) return H();
  if (data.length === 1) return refLeaf(data[0] as Uint8Array);
  const k = refSplit(data.length);
  return refNode(refMth(data.slice(0, k)), refMth(data.slice(k)));
}

/**
 * The root that PATH(m, D[n]) reconstructs, read off the PATH recursion: the last element is the sibling
 * subtree at the top split, left of us when m >= k. Null when the proof has the wrong length for (m, n).
 */
export function refRootFromPath(m: number, n: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (n === 1) return proof.length === 0 ? Buffer.from(leaf) : null;
  const last = proof[proof.length - 1];
  if (last === undefined) return null;
  const k = refSplit(n);
  const rest = proof.slice(0, -1);
  const sub = m < k ? refRootFromPath(m, k, leaf, rest) : refRootFromPath(m - k, n - k, leaf, rest);
  if (sub === null) return null;
  return m < k ? refNode(sub, last) : refNode(last, sub);
}

/**
 * The (old root, new root) pair that SUBPROOF(m, D[n], b) reconstructs, read off the SUBPROOF recursion.
 * `known` is the old root the verifier already holds (used where the RFC leaves it out of the proof).
 */
export function refRootsFromProof(
  m: number,
  n: number,
  complete: boolean,
  known: Uint8Array,
  proof: readonly Uint8Array[]
): [Buffer, Buffer] | null {
  if (m === n) {
    if (complete) return proof.length === 0 ? [Buffer.from(known), Buffer.from(known)] : null;
    const only = proof[0];
    return proof.length === 1 && only !== undefined ? [Buffer.from(only), Buffer.from(only)] : null;
  }
  const last = proof[proof.length - 1];
  if (last === undefined) return null;
  const k = refSplit(n);
  const rest = proof.slice(0, -1);
  if (m <= k) {
    const sub = refRootsFromProof(m, k, complete, known, rest);
    return sub && [sub[0], refNode(sub[1], last)];
  }
  const sub = refRootsFromProof(m - k, n - k, false, known, rest);
  return sub && [refNode(last, sub[0]), refNode(last, sub[1])];
}

/** Reference verdicts: what an RFC 6962 verifier must answer, for any (possibly wrong) sizes and proof. */
export function refVerifyInclusion(m: number, n: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array) {
  if (m < 0 || m >= n) return false;
  return refRootFromPath(m, n, leaf, proof)?.equals(root) ?? false;
}

export function refVerifyConsistency(m: number, n: number, r1: Uint8Array, r2: Uint8Array, proof: Uint8Array[]) {
  if (m <= 0 || m >= n) return false;
  const roots = refRootsFromProof(m, n, true, r1, proof);
  return roots !== null && roots[0].equals(r1) && roots[1].equals(r2);
}

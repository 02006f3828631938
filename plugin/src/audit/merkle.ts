/**
 * Hashes of the audit trail, recomputed in the browser: RFC 6962 §2.1 leaf and node hashes, the hash chain of
 * docs/audit-format.md §2, and inclusion proof verification as RFC 9162 §2.1.3.2 states it
 * (https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2).
 */
import { bytesToHex, hexToBytes, isHashHex, sha256 } from './bytes';

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);
/** docs/audit-format.md §4: no proof needs more than 64 elements. */
const MAX_PROOF_LENGTH = 64;

/** `H(0x00 ‖ e)`: the leaf hash of entry bytes `e`. */
export async function leafHashHex(entry: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(LEAF_PREFIX, entry));
}

/** `H(bytes(hash_prev) ‖ e)`: the row's hash_current. */
export async function chainHashHex(hashPrev: string, entry: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(hexToBytes(hashPrev), entry));
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(NODE_PREFIX, left, right);
}

/**
 * The root an inclusion proof leads to, or null when the proof cannot be one for (leafIndex, treeSize).
 * Sizes are JavaScript numbers, exact below 2^53; halving is done by division, never with 32-bit shifts.
 */
export async function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHash: string,
  proof: readonly string[]
): Promise<string | null> {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) {
    return null;
  }
  if (proof.length > MAX_PROOF_LENGTH || !isHashHex(leafHash) || !proof.every(isHashHex)) {
    return null;
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = hexToBytes(leafHash);
  for (const element of proof) {
    if (sn === 0) {
      return null;
    }
    const p = hexToBytes(element);
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? bytesToHex(r) : null;
}

/** Accepts iff the proof leads from `leafHash` to `rootHash`, which must come with `treeSize` from one tree head. */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: string,
  proof: readonly string[],
  rootHash: string
): Promise<boolean> {
  return (await rootFromInclusionProof(leafIndex, treeSize, leafHash, proof)) === rootHash;
}

/**
 * Checks one audit entry in the browser, trusting nothing the server computed: its hashes are recomputed from
 * the canonical bytes, and the inclusion proof is folded up to a root that must be the signed checkpoint's.
 */
import type { AuditEventDetail, Checkpoint, InclusionProof } from '../api/types';
import { base64ToBytes } from './bytes';
import { verifyCheckpointSignature, type SignatureCheck } from './checkpoint';
import { chainHashHex, leafHashHex, rootFromInclusionProof } from './merkle';

export interface HashCheck {
  stored: string;
  /** null when the payload was archived: there are no bytes left to hash. */
  computed: string | null;
  ok: boolean | null;
}

export interface EntryVerification {
  leafHash: HashCheck;
  chainHash: HashCheck;
  inclusion: {
    ok: boolean;
    treeSize: number;
    rootHash: string;
    /** The root is a signed checkpoint's, or the current (unsigned) tree head when no checkpoint covers the entry. */
    anchor: 'checkpoint' | 'tree-head';
  };
  /** The checkpoint's signature, when the proof is anchored on one. */
  signature: SignatureCheck | null;
  /** Every check that could run passed. */
  verified: boolean;
}

export interface EntryVerificationInput {
  entry: AuditEventDetail;
  proof: InclusionProof;
  /** The checkpoint whose tree the proof was taken in, if any. */
  checkpoint: Checkpoint | null;
  publicKeyPem: string | null;
}

export async function verifyEntry({
  entry,
  proof,
  checkpoint,
  publicKeyPem,
}: EntryVerificationInput): Promise<EntryVerification> {
  const bytes = entry.canonical === null ? null : base64ToBytes(entry.canonical);
  const leaf = bytes ? await leafHashHex(bytes) : null;
  const chain = bytes ? await chainHashHex(entry.hashPrev, bytes) : null;
  const leafHash: HashCheck = {
    stored: entry.leafHash,
    computed: leaf,
    ok: leaf === null ? null : leaf === entry.leafHash,
  };
  const chainHash: HashCheck = {
    stored: entry.hashCurrent,
    computed: chain,
    ok: chain === null ? null : chain === entry.hashCurrent,
  };

  const anchored = checkpoint !== null && checkpoint.treeSize === proof.treeSize;
  const rootHash = anchored ? checkpoint.rootHash : proof.rootHash;
  // Fold the proof from the hash of the bytes themselves; the stored leaf hash only stands in for archived entries.
  const root = await rootFromInclusionProof(entry.seq, proof.treeSize, leaf ?? entry.leafHash, proof.proof);
  const inclusion = {
    ok: proof.seq === entry.seq && root !== null && root === rootHash,
    treeSize: proof.treeSize,
    rootHash,
    anchor: anchored ? ('checkpoint' as const) : ('tree-head' as const),
  };

  const signature =
    anchored && publicKeyPem ? await verifyCheckpointSignature(checkpoint, checkpoint.signature, publicKeyPem) : null;
  const verified =
    leafHash.ok !== false &&
    chainHash.ok !== false &&
    inclusion.ok &&
    (signature === null || signature.valid !== false);
  return { leafHash, chainHash, inclusion, signature, verified };
}

export { CanonicalJsonError, MAX_CANONICAL_DEPTH, canonicalBytes, canonicalize } from './canonical-json';
export { HASH_BYTES, hashFromHex, isHashHex, sha256 } from './hash';
export { consistencyProof, emptyRoot, inclusionProof, leafHash, merkleRoot, nodeHash } from './merkle';
export { MAX_PROOF_LENGTH, verifyConsistency, verifyInclusion } from './merkle-verify';
export { MerkleTreeBuilder } from './merkle-builder';
export {
  MerkleAppender,
  MissingNodeError,
  nodeKey,
  perfectDecomposition,
  planConsistency,
  planInclusion,
  planRoot,
} from './merkle-store';
export type { NodeId, NodeLookup, NodePlan, StoredNode } from './merkle-store';
export { CHAIN_FAILURE, ChainVerifier, GENESIS_HASH, chainHash, verifyChain, verifyChainAsync } from './chain';
export type { ChainFailure, ChainResult, ChainRow, ChainStart } from './chain';
export {
  CIRCULAR,
  DEFAULT_REDACTED_FIELDS,
  MAX_REDACT_DEPTH,
  REDACTED,
  TRUNCATED,
  isRedactedKey,
  normalizeFieldName,
  redact,
} from './redact';
export {
  generateSigningKey,
  loadSigningKey,
  loadVerifyKey,
  publicKeyFingerprint,
  signTreeHead,
  treeHeadBytes,
  treeHeadProblem,
  verifyTreeHead,
} from './checkpoint';
export type { SigningKeyPem, TreeHead } from './checkpoint';

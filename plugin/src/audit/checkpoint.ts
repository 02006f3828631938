/**
 * Signed checkpoints (docs/audit-format.md, "Signed checkpoints"): Ed25519 (RFC 8032) over the RFC 8785 bytes of
 * exactly {rootHash, timestamp, treeSize}; the key is identified by hex(SHA-256(raw 32-byte public key)).
 */
import { base64ToBytes, bytesToHex, sha256 } from './bytes';

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
}

export interface SignatureCheck {
  /** null when this browser's Web Crypto has no Ed25519. */
  valid: boolean | null;
  /** Fingerprint of the key the signature was checked with, to compare with one obtained out of band. */
  fingerprint: string;
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): SEQUENCE { AlgorithmIdentifier 1.3.101.112, BIT STRING }.
const ED25519_SPKI_PREFIX = '302a300506032b6570032100';

/** RFC 8785 canonical JSON of the three signed members: keys sorted, no whitespace, an integer tree size. */
export function signedBytes({ rootHash, timestamp, treeSize }: TreeHead): Uint8Array {
  const text = `{"rootHash":${JSON.stringify(rootHash)},"timestamp":${JSON.stringify(timestamp)},"treeSize":${treeSize}}`;
  return new TextEncoder().encode(text);
}

/** The DER bytes of an SPKI PEM public key, checked to be Ed25519. */
export function spkiFromPem(pem: string): Uint8Array {
  const body = pem
    .replace(/-----BEGIN PUBLIC KEY-----/, '')
    .replace(/-----END PUBLIC KEY-----/, '')
    .replace(/\s+/g, '');
  const der = base64ToBytes(body);
  if (der.length !== 44 || !bytesToHex(der.slice(0, 12)).startsWith(ED25519_SPKI_PREFIX)) {
    throw new Error('not an Ed25519 public key (SPKI PEM)');
  }
  return der;
}

export async function keyFingerprint(spki: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(spki.slice(12)));
}

export async function verifyCheckpointSignature(
  head: TreeHead,
  signature: string,
  pem: string
): Promise<SignatureCheck> {
  const spki = spkiFromPem(pem);
  const fingerprint = await keyFingerprint(spki);
  let key: CryptoKey;
  try {
    key = await globalThis.crypto.subtle.importKey('spki', spki as BufferSource, { name: 'Ed25519' }, false, [
      'verify',
    ]);
  } catch {
    return { valid: null, fingerprint };
  }
  const valid = await globalThis.crypto.subtle.verify(
    { name: 'Ed25519' },
    key,
    base64ToBytes(signature) as BufferSource,
    signedBytes(head) as BufferSource
  );
  return { valid, fingerprint };
}

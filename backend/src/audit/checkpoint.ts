/**
 * Signed tree heads ("checkpoints"): Ed25519 (RFC 8032) over the RFC 8785 canonical JSON of
 * {rootHash, timestamp, treeSize}. Shipped off-box, they stop someone with database access from
 * rewriting history and recomputing every hash: the old signed root would no longer be reproducible.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalBytes } from './canonical-json';
import { isHashHex } from './hash';

export interface TreeHead {
  /** Number of entries covered, i.e. the entries with seq 0..treeSize-1. */
  treeSize: number;
  /** RFC 6962 Merkle Tree Hash of those entries, lowercase hex. */
  rootHash: string;
  /** When the head was signed: ISO 8601 UTC with milliseconds, as Date#toISOString writes it. */
  timestamp: string;
}

export interface SigningKeyPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

const ISO_UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ED25519_SIGNATURE_BYTES = 64;

/** Why a head cannot be signed, or undefined when it is well formed. */
export function treeHeadProblem(head: TreeHead): string | undefined {
  if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0) return 'treeSize must be a non-negative integer';
  if (!isHashHex(head.rootHash)) return 'rootHash must be 64 lowercase hex characters';
  const time = ISO_UTC_MILLIS.test(head.timestamp) ? new Date(head.timestamp) : undefined;
  // The round trip rejects impossible dates such as 2025-02-30 that the pattern lets through.
  if (time === undefined || Number.isNaN(time.getTime()) || time.toISOString() !== head.timestamp) {
    return 'timestamp must be ISO 8601 UTC with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)';
  }
  return undefined;
}

/** The exact bytes that are signed: only the three head fields, whatever else the object carries. */
export function treeHeadBytes(head: TreeHead): Buffer {
  const problem = treeHeadProblem(head);
  if (problem) throw new TypeError(`invalid tree head: ${problem}`);
  return canonicalBytes({ rootHash: head.rootHash, timestamp: head.timestamp, treeSize: head.treeSize });
}

/** Ed25519 signature of treeHeadBytes(head), base64 (standard alphabet, padded). */
export function signTreeHead(head: TreeHead, privateKey: KeyObject): string {
  assertEd25519(privateKey, 'private');
  return sign(null, treeHeadBytes(head), privateKey).toString('base64');
}

/** False for a wrong signature and for a malformed head or signature, since both come from outside. */
export function verifyTreeHead(head: TreeHead, signatureB64: string, publicKey: KeyObject): boolean {
  assertEd25519(publicKey, 'public');
  if (treeHeadProblem(head) !== undefined) return false;
  if (typeof signatureB64 !== 'string' || !BASE64.test(signatureB64)) return false;
  const signature = Buffer.from(signatureB64, 'base64');
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  return verify(null, treeHeadBytes(head), publicKey, signature);
}

/** A new key pair as PEM: PKCS#8 private key, SPKI public key. */
export function generateSigningKey(): SigningKeyPem {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Loads a PKCS#8 PEM private key and refuses anything that is not Ed25519. */
export function loadSigningKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  assertEd25519(key, 'private');
  return key;
}

/** Loads an SPKI PEM public key (or derives it from a private key PEM); Ed25519 only. */
export function loadVerifyKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  assertEd25519(key, 'public');
  return key;
}

/** hex SHA-256 of the raw 32-byte Ed25519 public key (RFC 8032 §5.1.5 encoding), for pinning a key. */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  assertEd25519(publicKey, 'public');
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new TypeError('Ed25519 public key has no x coordinate');
  return createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex');
}

function assertEd25519(key: KeyObject, type: 'private' | 'public'): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 ${type} key, got a ${key.asymmetricKeyType ?? key.type} ${key.type} key`);
  }
}

import { createPrivateKey, type KeyObject } from 'node:crypto';

/** Test-only: an Ed25519 private key from a raw 32-byte seed (fixed PKCS#8 prefix, RFC 8410 §7), for reproducible signatures. */
export function keyFromSeed(seedHex: string): KeyObject {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

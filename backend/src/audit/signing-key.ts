import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey, loadSigningKey, publicKeyFingerprint } from './checkpoint';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
  /** Where the key came from, for the start-up log. */
  source: string;
}

export function signingKeyFile(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'audit-signing-key.pem');
}

/** The Ed25519 key that signs tree heads: from configuration, else read from or generated into the data folder. */
export function resolveSigningKey(configured: string | undefined, dataDir: string): SigningKey {
  let pem = configured;
  let source = 'AUDIT_SIGNING_KEY';
  if (pem === undefined) {
    const file = signingKeyFile(dataDir);
    source = file;
    if (existsSync(file)) {
      pem = readFileSync(file, 'utf8');
    } else {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      pem = generateSigningKey().privateKeyPem;
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
      source = `${file} (generated)`;
    }
  }
  const privateKey = loadSigningKey(pem);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
    source,
  };
}

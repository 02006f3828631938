import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey, loadSigningKey, loadVerifyKey, publicKeyFingerprint } from './checkpoint';

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

/**
 * The public key that verifies checkpoints, for tools that must not create one: from a PEM file (public or
 * private key), else the configured key, else the key in the data folder; undefined when there is none.
 */
export function readVerifyKey(
  configured: string | undefined,
  dataDir: string,
  publicKeyFile?: string
): { publicKey: KeyObject; fingerprint: string; source: string } | undefined {
  let pem = configured;
  let source = 'AUDIT_SIGNING_KEY';
  if (publicKeyFile !== undefined) {
    pem = readFileSync(publicKeyFile, 'utf8');
    source = publicKeyFile;
  } else if (pem === undefined) {
    source = signingKeyFile(dataDir);
    if (!existsSync(source)) return undefined;
    pem = readFileSync(source, 'utf8');
  }
  const publicKey = loadVerifyKey(pem);
  return { publicKey, fingerprint: publicKeyFingerprint(publicKey), source };
}

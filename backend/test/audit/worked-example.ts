/**
 * The 3-entry worked example of docs/audit-format.md, computed with the module under test.
 * format-doc.test.ts checks that every value printed here appears verbatim in the document.
 */
import { createPublicKey } from 'node:crypto';
import { canonicalBytes, canonicalize } from '../../src/audit/canonical-json';
import { GENESIS_HASH, chainHash } from '../../src/audit/chain';
import { publicKeyFingerprint, signTreeHead, treeHeadBytes } from '../../src/audit/checkpoint';
import { consistencyProof, inclusionProof, leafHash, merkleRoot } from '../../src/audit/merkle';
import { redact } from '../../src/audit/redact';
import { keyFromSeed } from './keys';

/** RFC 8032 §7.1 TEST 1 seed: a published key, so anyone can reproduce the signature. Never use it for real. */
export const EXAMPLE_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

// Entries as a caller would hand them over: keys unsorted, one secret not yet redacted.
export const EXAMPLE_INPUTS: readonly unknown[] = [
  { ts: '2025-01-01T00:00:00.000Z', action: 'ban', actor: 'fail2ban', target: '192.0.2.10', details: { jail: 'sshd' } },
  { ts: '2025-01-01T00:05:00.000Z', action: 'unban', actor: 'alice', target: '192.0.2.10', details: { jail: 'sshd' } },
  { ts: '2025-01-01T00:10:00.000Z', action: 'settings.update', actor: 'bob', details: { slackToken: 'xoxb-1' } },
];

export function workedExample() {
  const canonical = EXAMPLE_INPUTS.map((input) => canonicalize(redact(input)));
  const bytes = EXAMPLE_INPUTS.map((input) => canonicalBytes(redact(input)));
  const leaves = bytes.map((entry) => leafHash(entry));
  const chain: string[] = [];
  for (const entry of bytes) chain.push(chainHash(chain[chain.length - 1] ?? GENESIS_HASH, entry));
  const roots = [1, 2, 3].map((n) => merkleRoot(leaves.slice(0, n)).toString('hex'));
  const hex = (list: Buffer[]): string[] => list.map((b) => b.toString('hex'));
  const privateKey = keyFromSeed(EXAMPLE_SEED);
  const head = { treeSize: 3, rootHash: roots[2] as string, timestamp: '2025-01-01T00:15:00.000Z' };
  return {
    canonical,
    entry0Hex: (bytes[0] as Buffer).toString('hex'),
    leaves: hex(leaves),
    chain,
    roots,
    inclusion0: hex(inclusionProof(0, leaves)),
    inclusion2: hex(inclusionProof(2, leaves)),
    consistency1to3: hex(consistencyProof(1, leaves)),
    consistency2to3: hex(consistencyProof(2, leaves)),
    head,
    headBytes: treeHeadBytes(head).toString(),
    signature: signTreeHead(head, privateKey),
    publicKeyHex: Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x ?? '', 'base64url').toString(
      'hex'
    ),
    fingerprint: publicKeyFingerprint(privateKey),
  };
}

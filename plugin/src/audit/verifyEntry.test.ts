// docs/audit-format.md's worked example: entry 0 in the tree of 3, with the checkpoint signed by the RFC 8032 key.
import type { AuditEventDetail, Checkpoint } from '../api/types';
import { hexToBytes } from './bytes';
import { verifyEntry } from './verifyEntry';

const SEQ0 =
  '{"action":"ban","actor":"fail2ban","details":{"jail":"sshd"},"target":"192.0.2.10","ts":"2025-01-01T00:00:00.000Z"}';
const L = [
  'ba4973aa3f93b0ac12a37ad4e6bda524569bb3a76a3ae706219b85983bcf98eb',
  'c91805aa2ba9c5ae077f97bc47cc734b8f999cee4cffc8ddbaf63f6415b6e884',
  'd6d13e25a38cebeb2942bbfc1e15ab77c6003498dcacadc759fc12477b6b9d83',
];
const ROOT3 = '80f38ba7b85d2fc5a7690985e029d6ac79e848713616da046dbbd43da64fcfd7';
const PEM = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(
  hexToBytes('302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
).toString('base64')}\n-----END PUBLIC KEY-----`;
const checkpoint: Checkpoint = {
  treeSize: 3,
  rootHash: ROOT3,
  timestamp: '2025-01-01T00:15:00.000Z',
  signature: 'nF/9KLf3LYOkq0VX0TLqnDpQx4KgP7vSKwGthZiJPPByIcG44cyNjM98ldVVTiE/IGhK+58q9h5NqwxQUmlYAA==',
  keyFingerprint: '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9',
};
const entry = {
  seq: 0,
  id: '00000000-0000-4000-8000-000000000000',
  leafHash: L[0],
  hashPrev: '0'.repeat(64),
  hashCurrent: 'd20b8cf0b5a6fc563f6423c9236bccafffd465a8ee323c9423a38d4f9c8b2d27',
  archived: false,
  canonical: Buffer.from(SEQ0).toString('base64'),
} as AuditEventDetail;
const proof = { seq: 0, treeSize: 3, leafHash: L[0], rootHash: ROOT3, proof: [L[1], L[2]] };

test('an untouched entry verifies against the signed checkpoint', async () => {
  const result = await verifyEntry({ entry, proof, checkpoint, publicKeyPem: PEM });
  expect(result).toMatchObject({
    verified: true,
    leafHash: { ok: true },
    chainHash: { ok: true },
    inclusion: { ok: true, anchor: 'checkpoint', treeSize: 3, rootHash: ROOT3 },
    signature: { valid: true, fingerprint: checkpoint.keyFingerprint },
  });
});

test('changed entry bytes fail, even when the server vouches for the stored hashes', async () => {
  const tampered = { ...entry, canonical: Buffer.from(SEQ0.replace('192.0.2.10', '192.0.2.11')).toString('base64') };
  const result = await verifyEntry({ entry: tampered, proof, checkpoint, publicKeyPem: PEM });
  expect(result.verified).toBe(false);
  expect(result.leafHash.ok).toBe(false);
  expect(result.chainHash.ok).toBe(false);
  expect(result.inclusion.ok).toBe(false);
});

test('a root that is not the signed one fails, and a forged signature is caught', async () => {
  const otherRoot = await verifyEntry({
    entry,
    proof,
    checkpoint: { ...checkpoint, rootHash: L[2] },
    publicKeyPem: PEM,
  });
  expect(otherRoot.inclusion.ok).toBe(false);
  expect(otherRoot.signature?.valid).toBe(false);
  expect(otherRoot.verified).toBe(false);
});

test('without a checkpoint covering it, the entry is checked against the current tree head', async () => {
  const result = await verifyEntry({ entry, proof, checkpoint: null, publicKeyPem: null });
  expect(result).toMatchObject({ verified: true, inclusion: { anchor: 'tree-head' }, signature: null });
});

test('an archived entry has no bytes to hash: its stored leaf hash is still proven', async () => {
  const archived = { ...entry, archived: true, canonical: null };
  const result = await verifyEntry({ entry: archived, proof, checkpoint, publicKeyPem: PEM });
  expect(result).toMatchObject({ verified: true, leafHash: { ok: null }, chainHash: { ok: null } });
});

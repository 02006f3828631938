import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { canonicalBytes } from '../../src/audit/canonical-json';
import {
  generateSigningKey,
  loadSigningKey,
  loadVerifyKey,
  publicKeyFingerprint,
  signTreeHead,
  treeHeadBytes,
  verifyTreeHead,
  type TreeHead,
} from '../../src/audit/checkpoint';
import { keyFromSeed } from './keys';

// RFC 8032 §7.1 TEST 1 key pair.
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

const head: TreeHead = {
  treeSize: 3,
  rootHash: '36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1',
  timestamp: '2025-01-01T00:00:00.000Z',
};

describe('tree head signing', () => {
  const privateKey = keyFromSeed(RFC8032_SEED);
  const publicKey = createPublicKey(privateKey);

  it('signs exactly the RFC 8785 canonical JSON of the three fields', () => {
    const expected = `{"rootHash":"${head.rootHash}","timestamp":"2025-01-01T00:00:00.000Z","treeSize":3}`;
    expect(treeHeadBytes({ ...head, extra: 'ignored' } as TreeHead).toString()).toBe(expected);
    const signature = signTreeHead(head, privateKey);
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    // Checked with node:crypto directly, i.e. what an independent verifier would do with the documented bytes.
    expect(verify(null, Buffer.from(expected), publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verifyTreeHead(head, signature, publicKey)).toBe(true);
  });

  it('is deterministic (Ed25519), so the documented example can be reproduced', () => {
    expect(signTreeHead(head, privateKey)).toBe(signTreeHead({ ...head }, privateKey));
  });

  it.each<[string, Partial<TreeHead>]>([
    ['treeSize', { treeSize: 4 }],
    ['treeSize to 0', { treeSize: 0 }],
    ['rootHash (first character)', { rootHash: `4${head.rootHash.slice(1)}` }],
    ['rootHash (last character)', { rootHash: `${head.rootHash.slice(0, -1)}0` }],
    ['timestamp by one millisecond', { timestamp: '2025-01-01T00:00:00.001Z' }],
  ])('fails verification when %s changes', (_name, change) => {
    const signature = signTreeHead(head, privateKey);
    expect(verifyTreeHead({ ...head, ...change }, signature, publicKey)).toBe(false);
  });

  it('fails verification for a flipped signature bit, another key, or a malformed signature', () => {
    const signature = Buffer.from(signTreeHead(head, privateKey), 'base64');
    for (const bit of [0, 100, 511]) {
      const flipped = Buffer.from(signature);
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(verifyTreeHead(head, flipped.toString('base64'), publicKey)).toBe(false);
    }
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyTreeHead(head, signature.toString('base64'), other)).toBe(false);
    expect(verifyTreeHead(head, signature.subarray(0, 63).toString('base64'), publicKey)).toBe(false);
    expect(verifyTreeHead(head, `${signature.toString('base64')}AAAA`, publicKey)).toBe(false);
    expect(verifyTreeHead(head, signature.toString('base64url'), publicKey)).toBe(false);
  });

  it.each<[string, Partial<TreeHead>]>([
    ['a negative treeSize', { treeSize: -1 }],
    ['a fractional treeSize', { treeSize: 1.5 }],
    ['an uppercase rootHash', { rootHash: head.rootHash.toUpperCase() }],
    ['a short rootHash', { rootHash: head.rootHash.slice(2) }],
    ['a timestamp without milliseconds', { timestamp: '2025-01-01T00:00:00Z' }],
    ['a timestamp with an offset', { timestamp: '2025-01-01T00:00:00.000+00:00' }],
    ['an impossible date', { timestamp: '2025-02-30T00:00:00.000Z' }],
  ])('refuses to sign, and never verifies, a head with %s', (_name, change) => {
    const bad = { ...head, ...change };
    expect(() => signTreeHead(bad, privateKey)).toThrow(/invalid tree head/);
    // A signature that is cryptographically valid over the malformed head's JSON must still be refused.
    const signature = sign(null, canonicalBytes(bad), privateKey);
    expect(verify(null, canonicalBytes(bad), publicKey, signature)).toBe(true);
    expect(verifyTreeHead(bad, signature.toString('base64'), publicKey)).toBe(false);
  });
});

describe('signing keys', () => {
  it('generates PEM keys that load and sign/verify together', () => {
    const pem = generateSigningKey();
    expect(pem.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(pem.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const signature = signTreeHead(head, loadSigningKey(pem.privateKeyPem));
    expect(verifyTreeHead(head, signature, loadVerifyKey(pem.publicKeyPem))).toBe(true);
    expect(verifyTreeHead(head, signature, loadVerifyKey(pem.privateKeyPem))).toBe(true);
    expect(generateSigningKey().privateKeyPem).not.toBe(pem.privateKeyPem);
  });

  it('fingerprints the raw 32-byte public key (RFC 8032 TEST 1)', () => {
    const privateKey = keyFromSeed(RFC8032_SEED);
    const expected = createHash('sha256').update(Buffer.from(RFC8032_PUBLIC, 'hex')).digest('hex');
    expect(publicKeyFingerprint(createPublicKey(privateKey))).toBe(expected);
    expect(publicKeyFingerprint(privateKey)).toBe(expected);
  });

  it('refuses keys that are not Ed25519, or of the wrong kind', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSigningKey(ecPem)).toThrow(/expected an Ed25519 private key, got a ec private key/);
    expect(() => loadVerifyKey(ecPem)).toThrow(/Ed25519 public key/);
    expect(() => signTreeHead(head, ec.privateKey)).toThrow(TypeError);
    expect(() => verifyTreeHead(head, 'AAAA', ec.publicKey)).toThrow(TypeError);
    const ed = generateKeyPairSync('ed25519');
    expect(() => signTreeHead(head, ed.publicKey)).toThrow(/expected an Ed25519 private key/);
    expect(() => publicKeyFingerprint(ec.publicKey)).toThrow(TypeError);
  });
});

// The checkpoint of docs/audit-format.md's worked example, signed with the published RFC 8032 §7.1 TEST 1 key.
import { bytesToHex, hexToBytes } from './bytes';
import { keyFingerprint, signedBytes, spkiFromPem, verifyCheckpointSignature } from './checkpoint';

const RAW_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PEM = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(hexToBytes(`302a300506032b6570032100${RAW_KEY}`)).toString('base64')}\n-----END PUBLIC KEY-----\n`;
const HEAD = {
  treeSize: 3,
  rootHash: '80f38ba7b85d2fc5a7690985e029d6ac79e848713616da046dbbd43da64fcfd7',
  timestamp: '2025-01-01T00:15:00.000Z',
};
const SIGNATURE = 'nF/9KLf3LYOkq0VX0TLqnDpQx4KgP7vSKwGthZiJPPByIcG44cyNjM98ldVVTiE/IGhK+58q9h5NqwxQUmlYAA==';

test('signed bytes are the canonical JSON of the three members', () => {
  expect(new TextDecoder().decode(signedBytes(HEAD))).toBe(
    '{"rootHash":"80f38ba7b85d2fc5a7690985e029d6ac79e848713616da046dbbd43da64fcfd7","timestamp":"2025-01-01T00:15:00.000Z","treeSize":3}'
  );
});

test('the key fingerprint is the SHA-256 of the raw public key', async () => {
  expect(await keyFingerprint(spkiFromPem(PEM))).toBe(
    '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9'
  );
  expect(bytesToHex(spkiFromPem(PEM).slice(12))).toBe(RAW_KEY);
});

test('the worked example signature verifies, and not for another tree head', async () => {
  expect((await verifyCheckpointSignature(HEAD, SIGNATURE, PEM)).valid).toBe(true);
  expect((await verifyCheckpointSignature({ ...HEAD, treeSize: 4 }, SIGNATURE, PEM)).valid).toBe(false);
});

test('a key that is not Ed25519 is refused', () => {
  expect(() => spkiFromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(/Ed25519/);
});

// Vectors: docs/audit-format.md ("Worked example", "Test vectors") and CONTRACTS §6.3.
import { bytesToHex, hexToBytes, sha256 } from './bytes';
import { chainHashHex, leafHashHex, rootFromInclusionProof, verifyInclusion } from './merkle';

const L = [
  'ba4973aa3f93b0ac12a37ad4e6bda524569bb3a76a3ae706219b85983bcf98eb',
  'c91805aa2ba9c5ae077f97bc47cc734b8f999cee4cffc8ddbaf63f6415b6e884',
  'd6d13e25a38cebeb2942bbfc1e15ab77c6003498dcacadc759fc12477b6b9d83',
];
const ROOT2 = 'd275b723872814d9ce57e15ce18383c0b3cb3bb9c0c18828e707933672fe6015';
const ROOT3 = '80f38ba7b85d2fc5a7690985e029d6ac79e848713616da046dbbd43da64fcfd7';
const SEQ0 =
  '{"action":"ban","actor":"fail2ban","details":{"jail":"sshd"},"target":"192.0.2.10","ts":"2025-01-01T00:00:00.000Z"}';
const text = (s: string) => new TextEncoder().encode(s);

async function leaf(s: string) {
  return leafHashHex(text(s));
}
async function node(l: string, r: string) {
  return bytesToHex(await sha256(new Uint8Array([1]), hexToBytes(l), hexToBytes(r)));
}

describe('audit hashes', () => {
  test('RFC 6962 leaf hashes of the test vectors', async () => {
    expect(await leaf('')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(await leaf('a')).toBe('022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c');
    expect(await node(await leaf('a'), await leaf('b'))).toBe(
      'b137985ff484fb600db93107c77b0365c80d78f5b429ded0fd97361d077999eb'
    );
  });

  test('leaf and chain hash of the worked example entry 0', async () => {
    expect(await leafHashHex(text(SEQ0))).toBe(L[0]);
    expect(await chainHashHex('0'.repeat(64), text(SEQ0))).toBe(
      'd20b8cf0b5a6fc563f6423c9236bccafffd465a8ee323c9423a38d4f9c8b2d27'
    );
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3.2)', () => {
  test('the worked example proofs lead to the size-3 root', async () => {
    expect(await verifyInclusion(0, 3, L[0], [L[1], L[2]], ROOT3)).toBe(true);
    expect(await verifyInclusion(2, 3, L[2], [ROOT2], ROOT3)).toBe(true);
    expect(await verifyInclusion(0, 1, L[0], [], L[0])).toBe(true);
  });

  test('a changed leaf, sibling, index or size does not verify', async () => {
    expect(await verifyInclusion(0, 3, L[1], [L[1], L[2]], ROOT3)).toBe(false);
    expect(await verifyInclusion(0, 3, L[0], [L[2], L[1]], ROOT3)).toBe(false);
    expect(await verifyInclusion(1, 3, L[0], [L[1], L[2]], ROOT3)).toBe(false);
    expect(await verifyInclusion(2, 2, L[2], [ROOT2], ROOT3)).toBe(false);
  });

  test('malformed input is refused rather than hashed', async () => {
    expect(await rootFromInclusionProof(3, 3, L[0], [])).toBeNull();
    expect(await rootFromInclusionProof(-1, 3, L[0], [])).toBeNull();
    expect(await rootFromInclusionProof(0, 3, L[0].toUpperCase(), [L[1], L[2]])).toBeNull();
    expect(await rootFromInclusionProof(0, 3, L[0], [L[1], L[2], L[2]])).toBeNull();
    expect(await rootFromInclusionProof(0, 3, L[0], Array(65).fill(L[1]))).toBeNull();
  });

  test('every leaf of a 7-leaf tree verifies against the recomputed root', async () => {
    const leaves = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'j'].map(leaf));
    const [g, h, i] = [
      await node(leaves[0], leaves[1]),
      await node(leaves[2], leaves[3]),
      await node(leaves[4], leaves[5]),
    ];
    const [k, l] = [await node(g, h), await node(i, leaves[6])];
    const root = await node(k, l);
    // RFC 6962 §2.1.3: PATH(d0) = [b, h, l], PATH(d3) = [c, g, l], PATH(d4) = [f, j, k], PATH(d6) = [i, k].
    expect(await verifyInclusion(0, 7, leaves[0], [leaves[1], h, l], root)).toBe(true);
    expect(await verifyInclusion(3, 7, leaves[3], [leaves[2], g, l], root)).toBe(true);
    expect(await verifyInclusion(4, 7, leaves[4], [leaves[5], leaves[6], k], root)).toBe(true);
    expect(await verifyInclusion(6, 7, leaves[6], [i, k], root)).toBe(true);
  });
});

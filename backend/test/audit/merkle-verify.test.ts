import { emptyRoot, inclusionProof, leafHash, merkleRoot, nodeHash } from '../../src/audit/merkle';
import { MAX_PROOF_LENGTH, verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify';

const D = Array.from({ length: 8 }, (_, i) => leafHash(Buffer.from(`x${i}`)));
const root8 = merkleRoot(D);
const proof3 = inclusionProof(3, D);
const hashOf = (s: string): Buffer => leafHash(Buffer.from(s));

describe('verifyInclusion input bounds', () => {
  // Each case below would be accepted by the bare RFC 9162 loop; only the bound checks reject it.
  const leaf = D[0] as Buffer;
  const short = leaf.subarray(0, 31);

  it('accepts the well-formed twins of the cases below (controls)', () => {
    expect(verifyInclusion(0, 1, leaf, [], leaf)).toBe(true);
    expect(verifyInclusion(0, 2, leaf, [D[1] as Buffer], nodeHash(leaf, D[1] as Buffer))).toBe(true);
    expect(verifyInclusion(3, 8, D[3] as Buffer, proof3, root8)).toBe(true);
  });

  it.each([
    ['index equal to the size', 1, 1],
    ['negative index', -1, 1],
    ['fractional index', 0.5, 1],
    ['NaN index', Number.NaN, 1],
  ])('rejects %s', (_name, index, size) => {
    expect(verifyInclusion(index, size, leaf, [], leaf)).toBe(false);
  });

  it('rejects a fractional tree size', () => {
    expect(verifyInclusion(0, 1.5, leaf, [D[1] as Buffer], nodeHash(leaf, D[1] as Buffer))).toBe(false);
  });

  it('rejects tree sizes beyond 2^53 - 1, where integers stop being exact', () => {
    const proof = Array.from({ length: 53 }, (_, i) => hashOf(`sibling ${i}`));
    const root = proof.reduce((acc, p) => nodeHash(acc, p), leaf);
    expect(verifyInclusion(0, Number.MAX_SAFE_INTEGER, leaf, proof, root)).toBe(true);
    expect(verifyInclusion(0, 2 ** 53, leaf, proof, root)).toBe(false);
  });

  it('rejects hashes that are not 32 bytes', () => {
    expect(verifyInclusion(0, 1, short, [], short)).toBe(false);
    expect(verifyInclusion(0, 2, leaf, [short], nodeHash(leaf, short))).toBe(false);
    expect(verifyInclusion(3, 8, D[3] as Buffer, proof3, root8.subarray(0, 31))).toBe(false);
  });

  it('rejects proofs longer than 64 hashes (no tree of 2^53 leaves needs more than 53)', () => {
    expect(MAX_PROOF_LENGTH).toBe(64);
    const huge = Array.from({ length: MAX_PROOF_LENGTH + 1 }, () => D[0] as Buffer);
    expect(verifyInclusion(3, Number.MAX_SAFE_INTEGER, D[3] as Buffer, huge, root8)).toBe(false);
  });
});

describe('verifyConsistency input bounds', () => {
  const proof = [D[4] as Buffer];
  const root4 = merkleRoot(D.slice(0, 4));
  const root5 = merkleRoot(D.slice(0, 5));
  const [p0, p1] = [D[0] as Buffer, D[1] as Buffer];

  it('accepts the untouched proof (control for the cases below)', () => {
    expect(verifyConsistency(4, 5, root4, root5, proof)).toBe(true);
  });

  it('rejects an old size above the new size that the bare loop would accept', () => {
    expect(verifyConsistency(3, 2, p0, nodeHash(p0, p1), [p0, p1])).toBe(false);
  });

  it.each([
    ['negative old size', -4, 5],
    ['fractional new size', 4, 5.5],
    ['new size beyond 2^53', 4, 2 ** 53],
  ])('rejects %s', (_name, size1, size2) => {
    expect(verifyConsistency(size1, size2, root4, root5, proof)).toBe(false);
  });

  it('rejects an empty proof between different sizes, bad hash lengths and over-long proofs', () => {
    expect(verifyConsistency(4, 5, root4, root5, [])).toBe(false);
    expect(verifyConsistency(4, 5, root4.subarray(1), root5, proof)).toBe(false);
    expect(verifyConsistency(4, 5, root4, root5, [Buffer.alloc(64)])).toBe(false);
    expect(
      verifyConsistency(
        3,
        2 ** 40,
        root4,
        root5,
        Array.from({ length: 65 }, () => root4)
      )
    ).toBe(false);
  });
});

describe('trees larger than 2^32 leaves (no 32-bit bit operators)', () => {
  // The last leaf of a tree of 2^k + 1 leaves has a one-element path: the root of the first 2^k leaves.
  const left = hashOf('root of the first 2^40 leaves');
  const last = hashOf('leaf 2^40');
  const root = nodeHash(left, last);

  it('verifies the last leaf of a 2^40 + 1 leaf tree', () => {
    expect(verifyInclusion(2 ** 40, 2 ** 40 + 1, last, [left], root)).toBe(true);
    expect(verifyInclusion(2 ** 40 - 1, 2 ** 40 + 1, last, [left], root)).toBe(false);
  });

  it('verifies a leaf deep in a 2^33 + 2 leaf tree', () => {
    // Leaf 2^33 + 1 is the right child of (2^33, 2^33 + 1), whose sibling at the top is the left 2^33 subtree.
    const sibling = hashOf('leaf 2^33');
    const leaf = hashOf('leaf 2^33 + 1');
    const topRoot = nodeHash(left, nodeHash(sibling, leaf));
    expect(verifyInclusion(2 ** 33 + 1, 2 ** 33 + 2, leaf, [sibling, left], topRoot)).toBe(true);
    expect(verifyInclusion(2 ** 33, 2 ** 33 + 2, leaf, [sibling, left], topRoot)).toBe(false);
  });

  it('verifies consistency from 2^40 to 2^40 + 1 leaves', () => {
    expect(verifyConsistency(2 ** 40, 2 ** 40 + 1, left, root, [last])).toBe(true);
    expect(verifyConsistency(2 ** 40, 2 ** 40 + 1, last, root, [last])).toBe(false);
  });

  it('still treats a size-0 tree as the empty root', () => {
    expect(verifyConsistency(0, 2 ** 40, emptyRoot(), root, [])).toBe(true);
  });
});

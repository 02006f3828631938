import { consistencyProof, emptyRoot, inclusionProof, leafHash, merkleRoot, nodeHash } from '../../src/audit/merkle';
import { MerkleTreeBuilder } from '../../src/audit/merkle-builder';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify';
import { refMth } from './reference-merkle';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(bytes(`entry ${i}`)));

describe('RFC 6962 hashes: CONTRACTS §6.3 vectors', () => {
  it('hashes the empty tree, single leaves and small trees', () => {
    expect(hex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(bytes('')))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(leafHash(bytes('a')))).toBe('022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c');
    expect(hex(leafHash(bytes('b')))).toBe('57eb35615d47f34ec714cacdf5fd74608a5e8e102724e80b24b287c0c27b6a31');
    expect(hex(leafHash(bytes('c')))).toBe('597fcb31282d34654c200d3418fca5705c648ebf326ec73d8ddef11841f876d8');
    const [a, b, c] = ['a', 'b', 'c'].map((s) => leafHash(bytes(s))) as [Buffer, Buffer, Buffer];
    expect(hex(merkleRoot([a]))).toBe(hex(a));
    expect(hex(merkleRoot([a, b]))).toBe('b137985ff484fb600db93107c77b0365c80d78f5b429ded0fd97361d077999eb');
    expect(hex(merkleRoot([a, b, c]))).toBe('36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1');
  });

  it('matches the recursive definition for every size 0..200', () => {
    const data = Array.from({ length: 200 }, (_, i) => bytes(`d${i}`));
    const hashes = data.map((d) => leafHash(d));
    for (let n = 0; n <= 200; n++) expect(hex(merkleRoot(hashes.slice(0, n)))).toBe(hex(refMth(data.slice(0, n))));
  });
});

describe('RFC 6962 §2.1.3 example tree of 7 leaves', () => {
  // Node names from the RFC's figure: a..f and j are leaves d0..d6; g..i and k, l are interior nodes.
  const d = Array.from({ length: 7 }, (_, i) => bytes(`d${i}`));
  const D = d.map((x) => leafHash(x));
  const [a, b, c, dd, e, f, j] = D as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  const g = nodeHash(a, b);
  const h = nodeHash(c, dd);
  const i = nodeHash(e, f);
  const k = nodeHash(g, h);
  const l = nodeHash(i, j);
  const root = nodeHash(k, l);
  const names = new Map([a, b, c, dd, e, f, g, h, i, j, k, l].map((x, n) => [hex(x), 'abcdefghijkl'[n]]));
  const named = (proof: Buffer[]): string => proof.map((x) => names.get(hex(x)) ?? '?').join('');

  it('has the root of the figure', () => {
    expect(hex(merkleRoot(D))).toBe(hex(root));
  });

  it.each([
    [0, 'bhl'],
    [3, 'cgl'],
    [4, 'fjk'],
    [6, 'ik'],
  ])('audit path of d%i is [%s]', (index, expected) => {
    const proof = inclusionProof(index, D);
    expect(named(proof)).toBe(expected);
    expect(verifyInclusion(index, 7, D[index] as Buffer, proof, root)).toBe(true);
  });

  it.each([
    [3, 'cdgl', nodeHash(g, c)],
    [4, 'l', k],
    [6, 'ijk', nodeHash(k, i)],
  ])('PROOF(%i, D[7]) is [%s]', (m, expected, oldRoot) => {
    const proof = consistencyProof(m, D);
    expect(named(proof)).toBe(expected);
    expect(hex(merkleRoot(D.slice(0, m)))).toBe(hex(oldRoot));
    expect(verifyConsistency(m, 7, oldRoot, root, proof)).toBe(true);
  });
});

describe('proof generation bounds', () => {
  const D = leaves(5);

  it('refuses indices outside the tree', () => {
    for (const index of [-1, 5, 6, 1.5, Number.NaN]) expect(() => inclusionProof(index, D)).toThrow(RangeError);
    expect(() => inclusionProof(0, [])).toThrow(RangeError);
  });

  it('refuses old sizes outside 0..n and gives empty proofs at both ends', () => {
    for (const m of [-1, 6, 2.5]) expect(() => consistencyProof(m, D)).toThrow(RangeError);
    expect(consistencyProof(0, D)).toEqual([]);
    expect(consistencyProof(5, D)).toEqual([]);
  });

  it('refuses leaf hashes that are not 32 bytes', () => {
    const bad = [...D.slice(0, 2), Buffer.alloc(31)];
    expect(() => merkleRoot(bad)).toThrow(/leaf hash 2 is not 32 bytes/);
    expect(() => inclusionProof(0, bad)).toThrow(TypeError);
    expect(() => consistencyProof(1, bad)).toThrow(TypeError);
  });
});

describe('MerkleTreeBuilder', () => {
  const D = leaves(200);

  it('equals merkleRoot at every size 0..200 while appending', () => {
    const builder = new MerkleTreeBuilder();
    expect(hex(builder.root())).toBe(hex(emptyRoot()));
    for (let n = 1; n <= 200; n++) {
      builder.append(D[n - 1] as Buffer);
      expect(builder.size).toBe(n);
      expect(hex(builder.root())).toBe(hex(merkleRoot(D.slice(0, n))));
    }
  });

  it('keeps one hash per set bit of the size', () => {
    const builder = new MerkleTreeBuilder();
    for (const leaf of D.slice(0, 200)) builder.append(leaf);
    expect(builder.frontier()).toHaveLength(3); // 200 = 128 + 64 + 8
  });

  it('resumes from a saved frontier and keeps matching', () => {
    const first = new MerkleTreeBuilder();
    for (const leaf of D.slice(0, 77)) first.append(leaf);
    const resumed = MerkleTreeBuilder.restore(first.size, first.frontier());
    for (let n = 78; n <= 200; n++) {
      resumed.append(D[n - 1] as Buffer);
      expect(hex(resumed.root())).toBe(hex(merkleRoot(D.slice(0, n))));
    }
  });

  it('is not affected by later changes to the buffers it was given or returned', () => {
    const builder = new MerkleTreeBuilder();
    const leaf = Buffer.from(D[0] as Buffer);
    builder.append(leaf);
    leaf.fill(0);
    builder.frontier()[0]?.fill(0);
    expect(hex(builder.root())).toBe(hex(D[0] as Buffer));
  });

  it('refuses a frontier that cannot belong to the size, and bad leaf hashes', () => {
    expect(() => MerkleTreeBuilder.restore(6, [D[0] as Buffer])).toThrow(/has 2 frontier hashes, got 1/);
    expect(() => MerkleTreeBuilder.restore(-1, [])).toThrow(RangeError);
    expect(() => new MerkleTreeBuilder().append(Buffer.alloc(33))).toThrow(TypeError);
  });
});

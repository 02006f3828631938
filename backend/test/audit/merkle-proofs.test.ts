/**
 * Exhaustive round trips: every proof the builder makes for trees of 1..64 leaves verifies, and the
 * RFC 9162 verifiers agree with the RFC 6962 recursion (reference-merkle.ts) on every corrupted input.
 */
import { consistencyProof, inclusionProof, leafHash, merkleRoot } from '../../src/audit/merkle';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify';
import { refVerifyConsistency, refVerifyInclusion } from './reference-merkle';

const MAX = 64;
const D = Array.from({ length: MAX + 2 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
const roots = Array.from({ length: MAX + 2 }, (_, n) => merkleRoot(D.slice(0, n)));
const leaf = (i: number): Buffer => D[i] as Buffer;
const root = (n: number): Buffer => roots[n] as Buffer;

function flip(hash: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(hash);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

function replaced<T>(list: readonly T[], at: number, value: T): T[] {
  return list.map((item, j) => (j === at ? value : item));
}

/** Runs check over every (n, x) pair and returns the ones that failed, so one assertion reports them all. */
function failures(pairs: (n: number) => number[], check: (n: number, x: number) => boolean): string[] {
  const failed: string[] = [];
  for (let n = 1; n <= MAX; n++) for (const x of pairs(n)) if (!check(n, x)) failed.push(`n=${n} x=${x}`);
  return failed;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const indices = (n: number): number[] => range(0, n);
const oldSizes = (n: number): number[] => range(1, n);
// Claimed sizes tried instead of the true one: every size within 16 of it keeps these loops to seconds.
const nearSizes = (n: number, above: number): number[] => range(Math.max(above, n - 16) + 1, Math.min(MAX + 2, n + 17));

describe('inclusion proofs for every index of trees of 1..64 leaves', () => {
  it('verify, and agree with the reference', () => {
    const failed = failures(indices, (n, i) => {
      const proof = inclusionProof(i, D.slice(0, n));
      return verifyInclusion(i, n, leaf(i), proof, root(n)) && refVerifyInclusion(i, n, leaf(i), proof, root(n));
    });
    expect(failed).toEqual([]);
  });

  it('fail when a bit of the leaf, of any proof element or of the root is flipped', () => {
    const failed = failures(indices, (n, i) => {
      const proof = inclusionProof(i, D.slice(0, n));
      const bit = (j: number): number => (n * 31 + i * 17 + j * 7) % 256;
      if (verifyInclusion(i, n, flip(leaf(i), bit(99)), proof, root(n))) return false;
      if (verifyInclusion(i, n, leaf(i), proof, flip(root(n), bit(98)))) return false;
      return proof.every((p, j) => !verifyInclusion(i, n, leaf(i), replaced(proof, j, flip(p, bit(j))), root(n)));
    });
    expect(failed).toEqual([]);
  });

  it('fail when the proof is shortened or extended', () => {
    const failed = failures(indices, (n, i) => {
      const proof = inclusionProof(i, D.slice(0, n));
      const extended = !verifyInclusion(i, n, leaf(i), [...proof, root(n)], root(n));
      return extended && (proof.length === 0 || !verifyInclusion(i, n, leaf(i), proof.slice(0, -1), root(n)));
    });
    expect(failed).toEqual([]);
  });

  it('fail for every other index of the same tree', () => {
    const failed = failures(indices, (n, i) => {
      const proof = inclusionProof(i, D.slice(0, n));
      return indices(n).every((other) => other === i || !verifyInclusion(other, n, leaf(i), proof, root(n)));
    });
    expect(failed).toEqual([]);
  });

  it('under any other claimed tree size, verify exactly when the RFC 6962 path shape is the same', () => {
    let accepted = 0;
    const failed = failures(indices, (n, i) => {
      const proof = inclusionProof(i, D.slice(0, n));
      return nearSizes(n, i).every((size) => {
        if (size === n) return true;
        const verdict = verifyInclusion(i, size, leaf(i), proof, root(n));
        if (verdict) accepted += 1;
        return verdict === refVerifyInclusion(i, size, leaf(i), proof, root(n));
      });
    });
    expect(failed).toEqual([]);
    // RFC 9162 proofs do not bind the size beyond the path shape (e.g. leaf 0 of 3 vs of 4 leaves);
    // this pins that the case exists, so the agreement above is not vacuous.
    expect(accepted).toBeGreaterThan(0);
  });

  it('flip every one of the 256 bits of each input for selected trees', () => {
    const failed: string[] = [];
    for (const [n, i] of [
      [7, 0],
      [7, 6],
      [64, 37],
      [33, 32],
    ] as const) {
      const proof = inclusionProof(i, D.slice(0, n));
      for (let bit = 0; bit < 256; bit++) {
        if (verifyInclusion(i, n, flip(leaf(i), bit), proof, root(n))) failed.push(`leaf ${n}/${i}/${bit}`);
        if (verifyInclusion(i, n, leaf(i), proof, flip(root(n), bit))) failed.push(`root ${n}/${i}/${bit}`);
        proof.forEach((p, j) => {
          if (verifyInclusion(i, n, leaf(i), replaced(proof, j, flip(p, bit)), root(n))) failed.push(`p${j}/${bit}`);
        });
      }
    }
    expect(failed).toEqual([]);
  });
});

describe('consistency proofs for every old size of trees of 1..64 leaves', () => {
  it('verify, and agree with the reference', () => {
    const failed = failures(oldSizes, (n, m) => {
      const proof = consistencyProof(m, D.slice(0, n));
      return verifyConsistency(m, n, root(m), root(n), proof) && refVerifyConsistency(m, n, root(m), root(n), proof);
    });
    expect(failed).toEqual([]);
  });

  it('fail when a bit of either root or of any proof element is flipped', () => {
    const failed = failures(oldSizes, (n, m) => {
      const proof = consistencyProof(m, D.slice(0, n));
      const bit = (j: number): number => (n * 29 + m * 13 + j * 5) % 256;
      if (verifyConsistency(m, n, flip(root(m), bit(99)), root(n), proof)) return false;
      if (verifyConsistency(m, n, root(m), flip(root(n), bit(98)), proof)) return false;
      return proof.every((p, j) => !verifyConsistency(m, n, root(m), root(n), replaced(proof, j, flip(p, bit(j)))));
    });
    expect(failed).toEqual([]);
  });

  it('fail when the proof is shortened or extended, or the roots are swapped', () => {
    const failed = failures(oldSizes, (n, m) => {
      const proof = consistencyProof(m, D.slice(0, n));
      return (
        !verifyConsistency(m, n, root(m), root(n), proof.slice(0, -1)) &&
        !verifyConsistency(m, n, root(m), root(n), [...proof, root(n)]) &&
        !verifyConsistency(m, n, root(n), root(m), proof)
      );
    });
    expect(failed).toEqual([]);
  });

  it('under other claimed sizes, verify exactly when the RFC 6962 recursion accepts the same proof', () => {
    let accepted = 0;
    const failed = failures(oldSizes, (n, m) => {
      const proof = consistencyProof(m, D.slice(0, n));
      const check = (size1: number, size2: number): boolean => {
        const verdict = verifyConsistency(size1, size2, root(m), root(n), proof);
        if (verdict) accepted += 1;
        return verdict === refVerifyConsistency(size1, size2, root(m), root(n), proof);
      };
      const otherOld = nearSizes(m, 0).filter((m2) => m2 < n && m2 !== m);
      const otherNew = nearSizes(n, m).filter((n2) => n2 !== n);
      return otherOld.every((m2) => check(m2, n)) && otherNew.every((n2) => check(m, n2));
    });
    expect(failed).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });

  it('trivial cases: equal sizes need equal roots and no proof; size 0 needs the empty root', () => {
    expect(verifyConsistency(5, 5, root(5), root(5), [])).toBe(true);
    expect(verifyConsistency(5, 5, root(5), root(6), [])).toBe(false);
    expect(verifyConsistency(5, 5, root(5), root(5), [leaf(0)])).toBe(false);
    expect(verifyConsistency(0, 9, root(0), root(9), [])).toBe(true);
    expect(verifyConsistency(0, 9, root(1), root(9), [])).toBe(false);
    expect(verifyConsistency(0, 9, root(0), root(9), [leaf(0)])).toBe(false);
    expect(verifyConsistency(6, 5, root(6), root(5), consistencyProof(5, D.slice(0, 6)))).toBe(false);
  });
});

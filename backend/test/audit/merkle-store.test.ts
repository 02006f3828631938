/**
 * Proofs planned over stored perfect subtrees must be byte-for-byte the proofs merkle.ts computes from all
 * leaves; the node store in these tests holds only what MerkleAppender emitted plus the leaves, as the
 * database will, so a plan that needs an incomplete or never-emitted node fails here.
 */
import { consistencyProof, emptyRoot, inclusionProof, leafHash, merkleRoot, nodeHash } from '../../src/audit/merkle';
import {
  MerkleAppender,
  MissingNodeError,
  type NodeId,
  type NodePlan,
  nodeKey,
  perfectDecomposition,
  planConsistency,
  planInclusion,
  planRoot,
} from '../../src/audit/merkle-store';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle-verify';

const D = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const roots = Array.from({ length: D.length + 1 }, (_, n) => merkleRoot(D.slice(0, n)));
const leaf = (i: number): Buffer => D[i] as Buffer;
const root = (n: number): Buffer => roots[n] as Buffer;
const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
const hexes = (hs: readonly Uint8Array[]): string[] => hs.map(hex);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Brute force: a node's hash straight from its leaves. */
const bruteHash = (id: NodeId): Buffer => merkleRoot(D.slice(id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level));
/** BigInt so the check itself cannot round for sizes near 2^53. */
const isComplete = (id: NodeId, n: number): boolean => (BigInt(id.index) + 1n) << BigInt(id.level) <= BigInt(n);

/** Yields the store as the server would hold it after each append: leaves at level 0 plus emitted nodes. */
function* growingStore(max: number): Generator<[number, Map<string, Buffer>]> {
  const appender = new MerkleAppender();
  const store = new Map<string, Buffer>();
  for (let n = 1; n <= max; n++) {
    store.set(nodeKey({ level: 0, index: n - 1 }), leaf(n - 1));
    for (const node of appender.append(leaf(n - 1))) store.set(nodeKey(node), node.hash);
    yield [n, store];
  }
}

/** Assembles from the store and lists what is wrong with the plan's node list (empty when nothing is). */
function run<T>(plan: NodePlan<T>, store: Map<string, Buffer>, n: number): { result: T; problems: string[] } {
  const fetched: string[] = [];
  const result = plan.assemble((id) => {
    fetched.push(nodeKey(id));
    return store.get(nodeKey(id));
  });
  const listed = plan.nodes.map(nodeKey);
  const problems: string[] = [];
  if (new Set(listed).size !== listed.length) problems.push(`duplicates in ${listed.join(' ')}`);
  if ([...fetched].sort().join() !== [...listed].sort().join())
    problems.push(`fetched ${fetched} but listed ${listed}`);
  for (const id of plan.nodes) if (!isComplete(id, n)) problems.push(`incomplete ${nodeKey(id)}`);
  return { result, problems };
}

describe('perfectDecomposition', () => {
  it('gives the set bits of the size, largest first, and folds to MTH for every RFC 6962 shaped range', () => {
    const failed: string[] = [];
    for (let size = 1; size <= 64; size++) {
      const align = 2 ** Math.ceil(Math.log2(size));
      for (let start = 0; start + size <= 256; start += align) {
        const nodes = perfectDecomposition(start, start + size);
        const widths = nodes.map((id) => 2 ** id.level);
        const bits = [...size.toString(2)].map((b, j, all) => Number(b) * 2 ** (all.length - 1 - j)).filter(Boolean);
        const folded = nodes.map(bruteHash).reduceRight((acc, h) => nodeHash(h, acc));
        const rfc = merkleRoot(D.slice(start, start + size));
        if (widths.join() !== bits.join() || !folded.equals(rfc)) failed.push(`[${start}, ${start + size})`);
      }
    }
    expect(failed).toEqual([]);
  });

  it('covers any range contiguously, each node as large as alignment and the end allow', () => {
    const failed: string[] = [];
    for (let start = 0; start <= 64; start++) {
      for (let end = start; end <= 64; end++) {
        let pos = start;
        for (const { level, index } of perfectDecomposition(start, end)) {
          const width = 2 ** level;
          const maximal = pos % (2 * width) !== 0 || pos + 2 * width > end;
          if (index * width !== pos || pos + width > end || !maximal) failed.push(`[${start}, ${end}) at ${pos}`);
          pos += width;
        }
        if (pos !== end) failed.push(`[${start}, ${end}) stops at ${pos}`);
      }
    }
    expect(failed).toEqual([]);
    const keys = (start: number, end: number): string => perfectDecomposition(start, end).map(nodeKey).join(' ');
    expect(keys(0, 7)).toBe('2:0 1:2 0:6');
    expect(keys(1, 4)).toBe('0:1 1:1'); // not an RFC 6962 range: a cover, but sizes increase
    expect(keys(MAX_SAFE, MAX_SAFE)).toBe('');
    expect(perfectDecomposition(0, MAX_SAFE)).toHaveLength(53);
  });

  it('refuses reversed, negative, fractional and unsafe bounds with a RangeError', () => {
    expect(() => perfectDecomposition(5, 4)).toThrow(RangeError);
    expect(() => perfectDecomposition(-1, 2)).toThrow(RangeError);
    expect(() => perfectDecomposition(0, 1.5)).toThrow(RangeError);
    expect(() => perfectDecomposition(0, 2 ** 53)).toThrow(RangeError);
  });
});

describe('plans assembled from stored nodes equal the RFC 6962 proofs of merkle.ts', () => {
  it('inclusion: every index of every tree of 1..130 leaves, and the proofs verify', () => {
    const failed: string[] = [];
    for (const [n, store] of growingStore(130)) {
      for (let i = 0; i < n; i++) {
        const { result, problems } = run(planInclusion(i, n), store, n);
        const same = hexes(result).join() === hexes(inclusionProof(i, D.slice(0, n))).join();
        if (!same || problems.length > 0 || !verifyInclusion(i, n, leaf(i), result, root(n))) {
          failed.push(`i=${i} n=${n} ${problems.join('; ')}`);
        }
      }
    }
    expect(failed).toEqual([]);
  });

  it('consistency: every 1 <= m <= n <= 70, and the proofs verify', () => {
    const failed: string[] = [];
    for (const [n, store] of growingStore(70)) {
      for (let m = 1; m <= n; m++) {
        const { result, problems } = run(planConsistency(m, n), store, n);
        const same = hexes(result).join() === hexes(consistencyProof(m, D.slice(0, n))).join();
        if (!same || problems.length > 0 || !verifyConsistency(m, n, root(m), root(n), result)) {
          failed.push(`m=${m} n=${n} ${problems.join('; ')}`);
        }
      }
    }
    expect(failed).toEqual([]);
  });

  it('root: every size 0..300 (size 0 fetches nothing and is MTH({}))', () => {
    expect(planRoot(0).nodes).toEqual([]);
    expect(hex(planRoot(0).assemble(() => undefined))).toBe(hex(emptyRoot()));
    const failed: string[] = [];
    for (const [n, store] of growingStore(300)) {
      const { result, problems } = run(planRoot(n), store, n);
      if (!result.equals(root(n)) || problems.length > 0) failed.push(`n=${n} ${problems.join('; ')}`);
    }
    expect(failed).toEqual([]);
  });
});

describe('plans fetch O(log n) nodes', () => {
  // Tighter than O(log^2 n), since 2c <= (c + 1)^2: every proof element is one node except at most one
  // sibling range that is not a perfect subtree, and that one splits into at most log2 n nodes.
  const bound = (n: number): number => 2 * Math.ceil(Math.log2(n));
  // Deterministic LCG so a failure reproduces.
  let seed = 42;
  const random = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  const sizes = [
    ...Array.from({ length: 256 }, (_, i) => i + 1),
    ...Array.from({ length: 21 }, (_, k) => [2 ** k - 1, 2 ** k + 1, 2 ** k]).flat(),
    ...Array.from({ length: 300 }, () => 1 + random(2 ** 20)),
  ].filter((n, i, all) => n >= 1 && n <= 2 ** 20 && all.indexOf(n) === i);
  const bad = (plan: NodePlan<unknown>, n: number): boolean =>
    plan.nodes.length > bound(n) || plan.nodes.some((id) => !isComplete(id, n));

  it('within 2 ceil(log2 n) <= (ceil(log2 n) + 1)^2 nodes, all complete, for sizes up to 2^20 (planning only)', () => {
    const failed: string[] = [];
    for (const n of sizes) {
      const picks = n <= 256 ? Array.from({ length: n }, (_, i) => i) : [0, 1, n - 2, n - 1, random(n), random(n)];
      for (const x of picks) {
        if (bad(planInclusion(x, n), n)) failed.push(`inclusion ${x} of ${n}`);
        if (x >= 1 && bad(planConsistency(x, n), n)) failed.push(`consistency ${x} to ${n}`);
      }
      // A root reads one node per set bit of n (the frontier), which for n = 1 is above the proof bound of 0.
      const { nodes } = planRoot(n);
      const ones = [...n.toString(2)].filter((b) => b === '1').length;
      if (nodes.length !== ones || nodes.some((id) => !isComplete(id, n))) failed.push(`root ${n}`);
    }
    expect(failed).toEqual([]);
  });

  it('stays exact at the largest safe size, 2^53 - 1', () => {
    for (const plan of [planInclusion(MAX_SAFE - 1, MAX_SAFE), planConsistency(MAX_SAFE - 1, MAX_SAFE)]) {
      expect(plan.nodes.length).toBeLessThanOrEqual(2 * 53);
      expect(plan.nodes.every((id) => isComplete(id, MAX_SAFE))).toBe(true);
    }
    expect(planRoot(MAX_SAFE).nodes).toHaveLength(53);
  });
});

describe('MerkleAppender', () => {
  const emissions: string[][] = [];
  const frontiers: Buffer[][] = [new MerkleAppender().frontier()];
  const appender = new MerkleAppender();
  for (let n = 1; n <= 200; n++) {
    emissions.push(appender.append(leaf(n - 1)).map((node) => `${nodeKey(node)}=${hex(node.hash)}`));
    frontiers.push(appender.frontier());
  }

  it('emits, for every size up to 200, exactly the level >= 1 nodes that just became complete', () => {
    const failed: string[] = [];
    for (let n = 1; n <= 200; n++) {
      const expected: string[] = [];
      for (let level = 1; 2 ** level <= 200; level++) {
        for (let index = 0; index * 2 ** level < 200; index++) {
          const id = { level, index };
          if (isComplete(id, n) && !isComplete(id, n - 1)) expected.push(`${nodeKey(id)}=${hex(bruteHash(id))}`);
        }
      }
      if (emissions[n - 1]?.join() !== expected.join()) failed.push(`n=${n}`);
    }
    expect(failed).toEqual([]);
    const all = emissions.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(200 - 3); // a tree of n leaves has n - popcount(n) interior perfect nodes; 200 = 0b11001000
  });

  it('restored at any size, emits what the uninterrupted appender emitted', () => {
    const failed: string[] = [];
    for (let cut = 0; cut < 200; cut++) {
      const resumed = MerkleAppender.restore(cut, frontiers[cut] as Buffer[]);
      if (!resumed.root().equals(root(cut)) || resumed.size !== cut) failed.push(`cut=${cut} root`);
      for (let n = cut + 1; n <= Math.min(200, cut + 40); n++) {
        const got = resumed.append(leaf(n - 1)).map((node) => `${nodeKey(node)}=${hex(node.hash)}`);
        if (got.join() !== emissions[n - 1]?.join() || !resumed.root().equals(root(n)))
          failed.push(`cut=${cut} n=${n}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it('has a frontier equal to the nodes of planRoot(size)', () => {
    for (let n = 0; n <= 200; n++)
      expect(hexes(frontiers[n] as Buffer[])).toEqual(hexes(planRoot(n).nodes.map(bruteHash)));
  });

  it('refuses a bad leaf without changing state, and a bad restore', () => {
    const a = new MerkleAppender();
    a.append(leaf(0));
    expect(() => a.append(Buffer.alloc(31))).toThrow(TypeError);
    expect(a.size).toBe(1);
    expect(a.append(leaf(1)).map((node) => hex(node.hash))).toEqual([hex(root(2))]);
    expect(() => MerkleAppender.restore(3, [leaf(0)])).toThrow(RangeError);
    expect(() => MerkleAppender.restore(-1, [])).toThrow(RangeError);
  });
});

describe('errors', () => {
  const store = [...growingStore(13)].pop()?.[1] as Map<string, Buffer>;
  const plans: [string, NodePlan<unknown>][] = [
    ['inclusion', planInclusion(5, 13)],
    ['consistency', planConsistency(3, 13)],
    ['root', planRoot(13)],
  ];

  it.each(plans)('%s: a missing or malformed node makes assemble throw, naming the node', (_, plan) => {
    expect(plan.nodes.length).toBeGreaterThan(1);
    for (const missing of plan.nodes) {
      const replacing = (hash: Buffer | undefined) => (id: NodeId) =>
        nodeKey(id) === nodeKey(missing) ? hash : store.get(nodeKey(id));
      expect(() => plan.assemble(replacing(undefined))).toThrow(MissingNodeError);
      expect(() => plan.assemble(replacing(undefined))).toThrow(`Merkle node ${nodeKey(missing)} `);
      expect(() => plan.assemble(replacing(Buffer.alloc(31)))).toThrow(TypeError);
    }
  });

  it.each([
    [() => planInclusion(5, 5), /leaf index 5 is not in a tree of size 5/],
    [() => planInclusion(0, 0), /leaf index 0 is not in a tree of size 0/],
    [() => planInclusion(-1, 5), /leaf index must be a whole number/],
    [() => planInclusion(1.5, 5), /leaf index must be a whole number/],
    [() => planInclusion(0, 2 ** 53), /tree size must be a whole number from 0 to 2\^53-1, got 9007199254740992/],
    [() => planInclusion(0, NaN), /tree size must be a whole number/],
    [() => planConsistency(0, 5), /old tree size 0 must be at least 1 and at most the new tree size 5/],
    [() => planConsistency(6, 5), /old tree size 6 must be at least 1 and at most the new tree size 5/],
    [() => planConsistency(1, 2 ** 53), /new tree size must be a whole number/],
    [() => planConsistency(-2, 5), /old tree size must be a whole number/],
    [() => planRoot(-1), /tree size must be a whole number/],
    [() => planRoot(2.5), /tree size must be a whole number/],
  ])('%#: bad arguments are a RangeError with a message for API clients', (call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});

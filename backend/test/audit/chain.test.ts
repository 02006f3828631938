import { createHash } from 'node:crypto';
import {
  CHAIN_FAILURE,
  ChainVerifier,
  GENESIS_HASH,
  chainHash,
  verifyChain,
  verifyChainAsync,
  type ChainRow,
} from '../../src/audit/chain';

const sha256hex = (...parts: Uint8Array[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

/** Rows built straight from the documented format, without the module under test. */
function buildRows(count: number, from: { seq: number; prev: string } = { seq: 0, prev: '0'.repeat(64) }): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = from.prev;
  for (let i = 0; i < count; i++) {
    const seq = from.seq + i;
    const entry = Buffer.from(`{"n":${seq}}`);
    const hashCurrent = sha256hex(Buffer.from(prev, 'hex'), entry);
    rows.push({ seq, entry, hashPrev: prev, hashCurrent, leafHash: sha256hex(Buffer.of(0), entry) });
    prev = hashCurrent;
  }
  return rows;
}

const withRow = (rows: ChainRow[], index: number, change: Partial<ChainRow>): ChainRow[] =>
  rows.map((row, i) => (i === index ? { ...row, ...change } : row));

describe('chainHash', () => {
  it('hashes the 32 raw bytes of the previous hash, then the entry bytes', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    const entry = Buffer.from('{"a":1}');
    expect(chainHash(GENESIS_HASH, entry)).toBe(sha256hex(Buffer.alloc(32), entry));
    // Hashing the 64 hex characters instead would be a different, incompatible chain.
    expect(chainHash(GENESIS_HASH, entry)).not.toBe(sha256hex(Buffer.from(GENESIS_HASH), entry));
  });

  it('refuses a previous hash that is not 64 lowercase hex characters', () => {
    for (const prev of ['', '0'.repeat(63), 'A'.repeat(64), 'g'.repeat(64), `${'0'.repeat(64)}00`]) {
      expect(() => chainHash(prev, Buffer.alloc(0))).toThrow(/64 lowercase hex/);
    }
  });
});

describe('verifyChain', () => {
  const rows = buildRows(50);

  it('accepts an intact chain and reports its head', () => {
    expect(verifyChain(rows)).toEqual({ valid: true, checked: 50, headHash: rows[49]?.hashCurrent });
  });

  it('accepts an empty chain with the genesis head', () => {
    expect(verifyChain([])).toEqual({ valid: true, checked: 0, headHash: GENESIS_HASH });
  });

  it('finds an altered entry', () => {
    const entry = Buffer.from('{"n":17,"evil":true}');
    expect(verifyChain(withRow(rows, 17, { entry }))).toMatchObject({
      valid: false,
      checked: 17,
      firstBadSeq: 17,
      code: CHAIN_FAILURE.hashMismatch,
    });
  });

  it('finds a row rewritten with its own hashes recomputed, at the next row', () => {
    const entry = Buffer.from('{"n":20,"evil":true}');
    const forged = withRow(rows, 20, {
      entry,
      hashCurrent: sha256hex(Buffer.from(rows[20]?.hashPrev ?? '', 'hex'), entry),
      leafHash: sha256hex(Buffer.of(0), entry),
    });
    expect(verifyChain(forged)).toMatchObject({
      valid: false,
      checked: 21,
      firstBadSeq: 21,
      code: CHAIN_FAILURE.prevMismatch,
    });
  });

  it('cannot see a rewrite of every later hash, but the head changes (why heads are signed and shipped)', () => {
    // An attacker with write access rewrites seq 10 onwards and recomputes every hash after it.
    let prev = rows[9]?.hashCurrent ?? '';
    const forged = rows.slice(0, 10).concat(
      rows.slice(10).map((row) => {
        const entry = Buffer.from(`${Buffer.from(row.entry).toString()} `);
        const hashCurrent = sha256hex(Buffer.from(prev, 'hex'), entry);
        const out = { seq: row.seq, entry, hashPrev: prev, hashCurrent, leafHash: sha256hex(Buffer.of(0), entry) };
        prev = hashCurrent;
        return out;
      })
    );
    const result = verifyChain(forged);
    expect(result).toMatchObject({ valid: true, checked: 50 });
    expect(result.valid && result.headHash).not.toBe(rows[49]?.hashCurrent);
  });

  it.each([
    ['a tampered hash_current', { hashCurrent: 'f'.repeat(64) }, CHAIN_FAILURE.hashMismatch],
    ['an uppercase hash_current', { hashCurrent: rows[30]?.hashCurrent.toUpperCase() }, CHAIN_FAILURE.hashMismatch],
    ['a tampered hash_prev', { hashPrev: 'e'.repeat(64) }, CHAIN_FAILURE.prevMismatch],
    ['a tampered leaf_hash', { leafHash: 'd'.repeat(64) }, CHAIN_FAILURE.leafMismatch],
  ])('finds %s', (_name, change, code) => {
    expect(verifyChain(withRow(rows, 30, change))).toMatchObject({ valid: false, firstBadSeq: 30, checked: 30, code });
  });

  it('finds a deleted row, a duplicated row, reordered rows and a chain not starting at 0', () => {
    const without = rows.filter((row) => row.seq !== 12);
    expect(verifyChain(without)).toMatchObject({ firstBadSeq: 12, code: CHAIN_FAILURE.seqGap });
    expect(verifyChain(without)).toMatchObject({ reason: 'seq 12 is missing (next row has seq 13)' });
    const duplicated = [...rows.slice(0, 8), rows[7] as ChainRow, ...rows.slice(8)];
    expect(verifyChain(duplicated)).toMatchObject({
      firstBadSeq: 8,
      reason: 'seq 7 is repeated or out of order (expected 8)',
    });
    const swapped = [...rows.slice(0, 3), rows[4] as ChainRow, rows[3] as ChainRow, ...rows.slice(5)];
    expect(verifyChain(swapped)).toMatchObject({ firstBadSeq: 3, code: CHAIN_FAILURE.seqGap });
    expect(verifyChain(rows.slice(1))).toMatchObject({ firstBadSeq: 0, code: CHAIN_FAILURE.seqGap });
  });

  it('finds a first row that does not start from genesis', () => {
    const other = buildRows(3, { seq: 0, prev: 'a'.repeat(64) });
    expect(verifyChain(other)).toMatchObject({ firstBadSeq: 0, code: CHAIN_FAILURE.prevMismatch });
  });
});

describe('ChainVerifier (streaming)', () => {
  const rows = buildRows(2_000);

  it('gives the same answer page by page as in one pass', () => {
    const verifier = new ChainVerifier();
    for (let page = 0; page < rows.length; page += 300) {
      for (const row of rows.slice(page, page + 300)) expect(verifier.push(row)).toBe(true);
    }
    expect(verifier.result()).toEqual(verifyChain(rows));
  });

  it('stops at the first failure and ignores later rows', () => {
    const verifier = new ChainVerifier();
    const broken = withRow(rows, 5, { leafHash: '0'.repeat(64) });
    const accepted = broken.map((row) => verifier.push(row));
    expect(accepted.indexOf(false)).toBe(5);
    expect(accepted.slice(5).every((ok) => !ok)).toBe(true);
    expect(verifier.result()).toMatchObject({
      valid: false,
      checked: 5,
      firstBadSeq: 5,
      code: CHAIN_FAILURE.leafMismatch,
    });
  });

  it('resumes from a trusted row instead of genesis', () => {
    const start = { seq: 1_500, hashPrev: rows[1_499]?.hashCurrent ?? '' };
    expect(verifyChain(rows.slice(1_500), start)).toEqual({
      valid: true,
      checked: 500,
      headHash: rows[1_999]?.hashCurrent,
    });
    expect(verifyChain(rows.slice(1_501), start)).toMatchObject({ valid: false, firstBadSeq: 1_500 });
    expect(() => new ChainVerifier({ seq: -1, hashPrev: GENESIS_HASH })).toThrow(RangeError);
    expect(() => new ChainVerifier({ seq: 0, hashPrev: 'zz' })).toThrow(TypeError);
  });

  it('verifies rows from an async cursor', async () => {
    async function* cursor(): AsyncGenerator<ChainRow> {
      for (const row of rows) yield row;
    }
    await expect(verifyChainAsync(cursor())).resolves.toEqual(verifyChain(rows));
    await expect(verifyChainAsync(withRow(rows, 1_999, { hashCurrent: GENESIS_HASH }))).resolves.toMatchObject({
      valid: false,
      firstBadSeq: 1_999,
    });
  });
});

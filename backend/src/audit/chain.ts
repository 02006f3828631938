/**
 * The hash chain over audit rows: hash_current = SHA-256(raw 32 bytes of hash_prev || canonical entry bytes),
 * starting from 32 zero bytes. Unlike the Merkle tree it needs no proofs: re-hashing rows in seq order finds
 * the first row that was altered, inserted or removed. Format: docs/audit-format.md.
 */
import { hashFromHex, isHashHex, sha256 } from './hash';
import { leafHash } from './merkle';

/** hash_prev of seq 0: 32 zero bytes, as lowercase hex. */
export const GENESIS_HASH = '0'.repeat(64);

/** hex(SHA-256(bytes(prevHex) || entryBytes)), where bytes(prevHex) is the 32-byte hash, not its 64 hex characters. */
export function chainHash(prevHex: string, entryBytes: Uint8Array): string {
  return sha256(hashFromHex(prevHex), entryBytes).toString('hex');
}

/** One stored audit row as the verifier needs it; `entry` is the stored canonical bytes, exactly as hashed. */
export interface ChainRow {
  seq: number;
  entry: Uint8Array;
  hashPrev: string;
  hashCurrent: string;
  leafHash: string;
}

export const CHAIN_FAILURE = {
  seqGap: 'seq-gap',
  prevMismatch: 'prev-mismatch',
  hashMismatch: 'hash-mismatch',
  leafMismatch: 'leaf-mismatch',
} as const;
export type ChainFailure = (typeof CHAIN_FAILURE)[keyof typeof CHAIN_FAILURE];

/**
 * `checked` counts rows that verified. On failure, `firstBadSeq` is the seq at which the chain stops
 * being trustworthy: the altered row, or the first missing seq when rows are missing.
 */
export type ChainResult =
  | { valid: true; checked: number; headHash: string }
  | { valid: false; checked: number; firstBadSeq: number; code: ChainFailure; reason: string };

/** Where verification starts: genesis by default, or a row already trusted (e.g. from a signed checkpoint). */
export interface ChainStart {
  seq: number;
  hashPrev: string;
}

/** Streaming verifier: push rows page by page in seq order; memory stays constant however long the chain. */
export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  private checked = 0;
  private failure: Extract<ChainResult, { valid: false }> | undefined;

  constructor(start: ChainStart = { seq: 0, hashPrev: GENESIS_HASH }) {
    if (!Number.isSafeInteger(start.seq) || start.seq < 0) throw new RangeError(`invalid start seq ${start.seq}`);
    if (!isHashHex(start.hashPrev)) throw new TypeError('start hashPrev must be 64 lowercase hex characters');
    this.expectedSeq = start.seq;
    this.prevHash = start.hashPrev;
  }

  /** Checks one row; returns false once the chain is broken (later rows are then ignored). */
  push(row: ChainRow): boolean {
    if (this.failure) return false;
    const problem = this.check(row);
    if (problem) {
      this.failure = { valid: false, checked: this.checked, firstBadSeq: this.expectedSeq, ...problem };
      return false;
    }
    this.prevHash = row.hashCurrent;
    this.expectedSeq += 1;
    this.checked += 1;
    return true;
  }

  result(): ChainResult {
    return this.failure ?? { valid: true, checked: this.checked, headHash: this.prevHash };
  }

  private check(row: ChainRow): { code: ChainFailure; reason: string } | undefined {
    const seq = this.expectedSeq;
    if (row.seq !== seq) {
      const reason =
        row.seq > seq
          ? `seq ${seq} is missing (next row has seq ${row.seq})`
          : `seq ${row.seq} is repeated or out of order (expected ${seq})`;
      return { code: CHAIN_FAILURE.seqGap, reason };
    }
    if (row.hashPrev !== this.prevHash) {
      return { code: CHAIN_FAILURE.prevMismatch, reason: `seq ${seq}: hash_prev does not equal the previous hash` };
    }
    if (chainHash(this.prevHash, row.entry) !== row.hashCurrent) {
      return { code: CHAIN_FAILURE.hashMismatch, reason: `seq ${seq}: hash_current does not match the entry` };
    }
    if (leafHash(row.entry).toString('hex') !== row.leafHash) {
      return { code: CHAIN_FAILURE.leafMismatch, reason: `seq ${seq}: leaf_hash does not match the entry` };
    }
    return undefined;
  }
}

export function verifyChain(rows: Iterable<ChainRow>, start?: ChainStart): ChainResult {
  const verifier = new ChainVerifier(start);
  for (const row of rows) if (!verifier.push(row)) break;
  return verifier.result();
}

/** Same as verifyChain for rows streamed from a database cursor. */
export async function verifyChainAsync(
  rows: AsyncIterable<ChainRow> | Iterable<ChainRow>,
  start?: ChainStart
): Promise<ChainResult> {
  const verifier = new ChainVerifier(start);
  for await (const row of rows) if (!verifier.push(row)) break;
  return verifier.result();
}

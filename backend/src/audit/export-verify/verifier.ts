/**
 * The line-by-line verifier of a jsonl export: each entry checked on its own, seq continuity and hashPrev links
 * in either order, and the RFC 6962 root of seq 0 up to the trailer's tree size computed in both directions.
 */
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '../chain';
import { publicKeyFingerprint, verifyTreeHead } from '../checkpoint';
import type { CheckpointTrailer } from '../export';
import { isHashHex } from '../hash';
import { MerkleTreeBuilder } from '../merkle-builder';
import { contentProblem, type EntryLine } from './entry-line';
import { isRecord, jsonEqual } from './json';
import { describeReport, type ExportCheckpointResult, type ExportCoverage, type ExportVerifyReport } from './report';
import { ReverseTreeHash } from './reverse-tree-hash';
import { parseCheckpointTrailer } from './trailer';

export interface ExportVerifyOptions {
  /** Ed25519 public key that must have signed the checkpoint. */
  publicKey?: KeyObject;
  /** The checkpoint that ends the export, known before its lines are read (`readTrailer`). */
  checkpoint?: CheckpointTrailer;
}

/** Verifies an export pushed one line at a time (without its newline); stops judging after the first problem. */
export class ExportVerifier {
  private readonly publicKey: KeyObject | undefined;
  private readonly checkpoint: CheckpointTrailer | undefined;
  private line = 0;
  private trailerLine: number | undefined;
  private entries = 0;
  private rehashed = 0;
  private archived = 0;
  private gaps = 0;
  private links = 0;
  private firstGap: string | undefined;
  private order: 'asc' | 'desc' | null = null;
  private low: number | null = null;
  private high: number | null = null;
  private prev: EntryLine | undefined;
  private failure: ExportVerifyReport['firstInvalid'];
  // Both directions are tried until the order is known; each needs O(log n) memory.
  private readonly forward = new MerkleTreeBuilder();
  private forwardBroken = false;
  private readonly reverse: ReverseTreeHash | undefined;
  private reverseBroken = false;

  constructor(options: ExportVerifyOptions = {}) {
    this.publicKey = options.publicKey;
    this.checkpoint = options.checkpoint;
    this.reverse = options.checkpoint && new ReverseTreeHash(options.checkpoint.treeSize);
  }

  push(text: string): boolean {
    if (this.failure) return false;
    this.line += 1;
    const problem = this.check(text);
    if (problem) this.failure = { line: this.line, ...problem };
    return this.failure === undefined;
  }

  private fail(reason: string, seq: number | null = null): { seq: number | null; reason: string } {
    return { seq, reason };
  }

  private check(text: string): { seq: number | null; reason: string } | undefined {
    if (this.trailerLine !== undefined) return this.fail('a line follows the checkpoint trailer');
    if (text.trim() === '') return this.fail('empty line');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.fail('not a JSON line');
    }
    if (!isRecord(value)) return this.fail('not a JSON object');
    if (value.type === 'checkpoint') return this.checkTrailer(value);
    const { seq, leafHash: leaf, hashPrev, hashCurrent, canonical, archived } = value;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return this.fail('seq is not a whole number');
    if (!isHashHex(leaf) || !isHashHex(hashPrev) || !isHashHex(hashCurrent)) {
      return this.fail('leafHash, hashPrev and hashCurrent must be 64 lowercase hex characters', seq);
    }
    if (seq === 0 && hashPrev !== GENESIS_HASH) return this.fail('seq 0 does not start from the genesis hash', seq);
    const entry: EntryLine = { seq, leafHash: leaf, hashPrev, hashCurrent };
    if (canonical === null) {
      if (archived !== true) return this.fail('canonical is missing but the entry is not archived', seq);
      this.archived += 1;
    } else {
      const problem = contentProblem(value, entry, canonical);
      if (problem) return this.fail(problem, seq);
      this.rehashed += 1;
    }
    const linkProblem = this.link(entry);
    if (linkProblem) return this.fail(linkProblem, seq);
    this.feedRoot(entry);
    this.entries += 1;
    this.low = Math.min(this.low ?? seq, seq);
    this.high = Math.max(this.high ?? seq, seq);
    this.prev = entry;
    return undefined;
  }

  /** Continuity with the previous line: same direction throughout, hashPrev links between consecutive seqs. */
  private link(entry: EntryLine): string | undefined {
    const prev = this.prev;
    if (!prev) return undefined;
    const step = entry.seq - prev.seq;
    if (step === 0) return `seq ${entry.seq} is repeated`;
    const direction = step > 0 ? 'asc' : 'desc';
    if (this.order !== null && direction !== this.order) {
      return `seq ${entry.seq} is out of order (the export is ${this.order === 'asc' ? 'ascending' : 'descending'})`;
    }
    this.order = direction;
    if (Math.abs(step) !== 1) {
      this.gaps += 1;
      this.firstGap ??= `between seq ${prev.seq} and ${entry.seq}`;
      return undefined;
    }
    const [older, newer] = step > 0 ? [prev, entry] : [entry, prev];
    if (newer.hashPrev !== older.hashCurrent) {
      return `hashPrev of seq ${newer.seq} does not equal hashCurrent of seq ${older.seq}`;
    }
    this.links += 1;
    return undefined;
  }

  /** Feeds the leaves of seq 0..treeSize-1 to both root computations; a gap or a wrong start breaks one. */
  private feedRoot(entry: EntryLine): void {
    const size = this.checkpoint?.treeSize;
    if (size === undefined || entry.seq >= size) return;
    const leaf = Buffer.from(entry.leafHash, 'hex'); // checked against the canonical bytes unless archived
    if (!this.forwardBroken && entry.seq === this.forward.size) this.forward.append(leaf);
    else this.forwardBroken = true;
    const reverse = this.reverse;
    if (reverse && !this.reverseBroken && entry.seq === size - 1 - reverse.pushed) reverse.push(leaf);
    else this.reverseBroken = true;
  }

  private checkTrailer(value: Record<string, unknown>): { seq: null; reason: string } | undefined {
    const trailer = parseCheckpointTrailer(value);
    if (typeof trailer === 'string') return { seq: null, reason: `malformed checkpoint trailer: ${trailer}` };
    if (!this.checkpoint || !jsonEqual(trailer, this.checkpoint)) {
      return { seq: null, reason: 'a checkpoint line must be the last line, and only one' };
    }
    this.trailerLine = this.line;
    return undefined;
  }

  result(): ExportVerifyReport {
    const checkpoint = this.checkpointResult();
    const keyFp = this.publicKey ? publicKeyFingerprint(this.publicKey) : null;
    let firstInvalid = this.failure;
    if (!firstInvalid && checkpoint && checkpoint.signature === 'invalid') {
      const other = checkpoint.keyFingerprint !== keyFp ? ` (signed by key ${checkpoint.keyFingerprint})` : '';
      firstInvalid = { line: this.trailerLine ?? 0, seq: null, reason: `checkpoint signature does not verify${other}` };
    }
    if (!firstInvalid && checkpoint?.root === 'mismatch') {
      firstInvalid = {
        line: this.trailerLine ?? 0,
        seq: null,
        reason: `the first ${checkpoint.treeSize} entries do not hash to the checkpoint root: entries were altered, added, removed or reordered`,
      };
    }
    const contiguous = this.entries > 0 && this.gaps === 0;
    const coverage: ExportCoverage = firstInvalid
      ? 'none'
      : checkpoint?.signature === 'valid' && checkpoint.root === 'match'
        ? 'checkpoint'
        : contiguous && this.entries > 1
          ? 'chain'
          : this.entries > 0
            ? 'entries'
            : 'none';
    const report: ExportVerifyReport = {
      valid: firstInvalid === undefined,
      entries: this.entries,
      rehashed: this.rehashed,
      archived: this.archived,
      order: this.order,
      firstSeq: this.low,
      lastSeq: this.high,
      gaps: this.gaps,
      links: this.links,
      checkpoint,
      publicKeyFingerprint: keyFp,
      coverage,
      proven: [],
      notProven: [],
      ...(firstInvalid ? { firstInvalid } : {}),
    };
    if (report.valid) describeReport(report, this.firstGap);
    return report;
  }

  private checkpointResult(): ExportCheckpointResult | null {
    const cp = this.checkpoint;
    if (!cp) return null;
    let signature: ExportCheckpointResult['signature'] = 'not-checked';
    if (this.publicKey) {
      const sameKey = cp.keyFingerprint === publicKeyFingerprint(this.publicKey);
      signature = sameKey && verifyTreeHead(cp, cp.signature, this.publicKey) ? 'valid' : 'invalid';
    }
    // With fewer than two entries the order is unknown, and only the forward computation can be complete.
    const computed =
      this.order === 'desc'
        ? this.reverseBroken
          ? undefined
          : this.reverse?.root()
        : this.forwardBroken || this.forward.size !== cp.treeSize
          ? undefined
          : this.forward.root();
    const root =
      computed === undefined ? 'not-covered' : computed.toString('hex') === cp.rootHash ? 'match' : 'mismatch';
    const { treeSize, rootHash, timestamp, keyFingerprint } = cp;
    return { treeSize, rootHash, timestamp, keyFingerprint, signature, root };
  }
}

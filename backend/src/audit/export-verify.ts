/**
 * Offline verification of a jsonl export (GET /api/audit/export?format=jsonl) with nothing but the export and
 * the public key: every entry is re-hashed from its canonical bytes, its visible fields compared with the hashed
 * entry, seq continuity and hashPrev links checked in either order, and, when the export holds seq 0 up to the
 * trailer's tree size, the RFC 6962 root recomputed and compared with the signed checkpoint.
 * What each step proves: docs/audit-format.md. Streams line by line; memory stays O(log n).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, chainHash } from './chain';
import { publicKeyFingerprint, treeHeadProblem, verifyTreeHead } from './checkpoint';
import type { CheckpointTrailer } from './export';
import { isHashHex } from './hash';
import { emptyRoot, leafHash, nodeHash } from './merkle';
import { MerkleTreeBuilder } from './merkle-builder';
import { perfectDecomposition, type NodeId } from './merkle-store';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Members that are not fields of the hashed entry. */
const NOT_ENTRY_FIELDS = new Set(['leafHash', 'hashPrev', 'hashCurrent', 'archived', 'canonical']);
const TRAILER_KEYS = ['type', 'treeSize', 'rootHash', 'timestamp', 'signature', 'keyFingerprint'];
/** The trailer is a few hundred bytes; reading this much from the end finds it without reading the file twice. */
const TAIL_BYTES = 64 * 1024;

/** How far verification got: per entry only, one unbroken chain, or up to a signed root. */
export type ExportCoverage = 'none' | 'entries' | 'chain' | 'checkpoint';

export interface ExportCheckpointResult {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyFingerprint: string;
  signature: 'valid' | 'invalid' | 'not-checked';
  root: 'match' | 'mismatch' | 'not-covered';
}

export interface ExportVerifyReport {
  valid: boolean;
  /** Entry lines read (the trailer not included). */
  entries: number;
  /** Entries re-hashed from their canonical bytes, with their visible fields compared. */
  rehashed: number;
  /** Archived entries (canonical null): their content cannot be checked; reported, not counted as tampering. */
  archived: number;
  order: 'asc' | 'desc' | null;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Places where consecutive lines are not consecutive seqs (a filtered export, or missing lines). */
  gaps: number;
  /** hashPrev links checked between lines of consecutive seqs. */
  links: number;
  checkpoint: ExportCheckpointResult | null;
  publicKeyFingerprint: string | null;
  coverage: ExportCoverage;
  /** Plain statements of what the checks establish, and of what they leave open. */
  proven: string[];
  notProven: string[];
  firstInvalid?: { line: number; seq: number | null; reason: string };
}

export interface ExportVerifyOptions {
  /** Ed25519 public key that must have signed the checkpoint. */
  publicKey?: KeyObject;
  /** The checkpoint that ends the export, known before its lines are read (`readTrailer`). */
  checkpoint?: CheckpointTrailer;
}

interface EntryLine {
  seq: number;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
}

/** The trailer's members, or why they are not a checkpoint. */
export function parseCheckpointTrailer(value: unknown): CheckpointTrailer | string {
  if (!isRecord(value) || value.type !== 'checkpoint') return 'not a checkpoint line';
  const keys = Object.keys(value);
  if (keys.length !== TRAILER_KEYS.length || !TRAILER_KEYS.every((key) => key in value)) {
    return `members must be exactly ${TRAILER_KEYS.join(', ')}`;
  }
  const { treeSize, rootHash, timestamp, signature, keyFingerprint } = value;
  if (typeof treeSize !== 'number' || typeof rootHash !== 'string' || typeof timestamp !== 'string') {
    return 'treeSize, rootHash and timestamp have the wrong types';
  }
  const problem = treeHeadProblem({ treeSize, rootHash, timestamp });
  if (problem) return problem;
  if (typeof signature !== 'string' || !isHashHex(keyFingerprint)) {
    return 'signature must be a string and keyFingerprint 64 lowercase hex characters';
  }
  return { type: 'checkpoint', treeSize, rootHash, timestamp, signature, keyFingerprint };
}

/**
 * MTH(D[0:size]) from leaves given last to first, for newest-first exports. The perfect subtrees covering
 * [0, size) are completed right to left (merkle-store.ts), each with a binary-counter stack in which a new
 * node is the left sibling of the one below it; their roots fold right to left as RFC 6962 §2.1 splits.
 */
export class ReverseTreeHash {
  private readonly nodes: NodeId[];
  private stack: { hash: Buffer; level: number }[] = [];
  private folded: Buffer | undefined;
  private done = 0;
  private fed = 0;

  constructor(readonly size: number) {
    this.nodes = perfectDecomposition(0, size).reverse();
  }

  push(leaf: Uint8Array): void {
    if (this.fed >= this.size) throw new RangeError(`a tree of size ${this.size} has no more leaves`);
    let item: { hash: Buffer; level: number } = { hash: Buffer.from(leaf), level: 0 };
    for (let top = this.stack.at(-1); top?.level === item.level; top = this.stack.at(-1)) {
      this.stack.pop();
      item = { hash: nodeHash(item.hash, top.hash), level: item.level + 1 };
    }
    this.stack.push(item);
    this.fed += 1;
    if (this.stack.length === 1 && item.level === this.nodes[this.done]?.level) {
      this.folded = this.folded === undefined ? item.hash : nodeHash(item.hash, this.folded);
      this.stack = [];
      this.done += 1;
    }
  }

  get pushed(): number {
    return this.fed;
  }

  /** The root once all `size` leaves were pushed. */
  root(): Buffer | undefined {
    if (this.fed !== this.size) return undefined;
    return this.folded ?? emptyRoot();
  }
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
      const problem = this.checkContent(value, entry, canonical);
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

  /** Hashes from the canonical bytes, and every visible field equal to the hashed entry's (absent there = null). */
  private checkContent(line: Record<string, unknown>, entry: EntryLine, canonical: unknown): string | undefined {
    if (typeof canonical !== 'string' || !BASE64.test(canonical)) return 'canonical is not base64';
    const bytes = Buffer.from(canonical, 'base64');
    if (leafHash(bytes).toString('hex') !== entry.leafHash) return 'leafHash does not match the canonical bytes';
    if (chainHash(entry.hashPrev, bytes) !== entry.hashCurrent) {
      return 'hashCurrent does not match hashPrev and the canonical bytes';
    }
    let hashed: unknown;
    try {
      hashed = JSON.parse(bytes.toString('utf8'));
    } catch {
      return 'canonical bytes are not JSON';
    }
    if (!isRecord(hashed)) return 'canonical bytes are not a JSON object';
    for (const [key, shown] of Object.entries(line)) {
      if (NOT_ENTRY_FIELDS.has(key)) continue;
      const expected = Object.hasOwn(hashed, key) ? hashed[key] : null;
      if (!jsonEqual(shown, expected)) return `${key} differs from the hashed entry`;
    }
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
    if (report.valid) describe(report, this.firstGap);
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

/** Fills `proven` and `notProven` of a valid report. */
function describe(report: ExportVerifyReport, firstGap: string | undefined): void {
  const { proven, notProven, checkpoint: cp } = report;
  const range = `seq ${report.firstSeq}..${report.lastSeq}`;
  if (report.entries === 0) notProven.push('the export holds no entries');
  if (report.rehashed > 0) {
    proven.push(
      `${report.rehashed} entries: leafHash and hashCurrent recomputed from the canonical bytes, and every visible field equals the hashed entry`
    );
  }
  if (report.archived > 0) {
    notProven.push(
      `${report.archived} archived entries have no canonical bytes: their hashes are taken as stated and their fields are not checked`
    );
  }
  if (report.gaps === 0 && report.entries > 1) {
    proven.push(
      `${range} form one unbroken hash chain${report.firstSeq === 0 ? ' from the genesis hash' : ''}: no entry inside it was removed, inserted or reordered`
    );
  } else if (report.gaps > 0) {
    notProven.push(
      `the export is not contiguous (${report.gaps} gap(s), the first ${firstGap}): it is filtered or lines are missing, so only each entry's own hashes are checked, not the chain between them`
    );
  }
  if (!cp) {
    notProven.push(
      'no signed checkpoint ends the export: a rewrite of entries that also recomputes every later hash would not show'
    );
    return;
  }
  const head = `the checkpoint of ${cp.treeSize} entries (root ${cp.rootHash}, ${cp.timestamp})`;
  if (cp.signature === 'valid') proven.push(`${head} is signed by the key ${cp.keyFingerprint}`);
  else notProven.push(`${head} is not authenticated: no public key was given to check its signature`);
  if (cp.root === 'match') {
    proven.push(
      `the first ${cp.treeSize} entries hash to the checkpoint root: they are the entries that were signed, none altered, added, removed or reordered`
    );
    if (report.lastSeq !== null && report.lastSeq >= cp.treeSize) {
      notProven.push(
        `seq ${cp.treeSize}..${report.lastSeq} came after the checkpoint: linked by the hash chain, not covered by the signature`
      );
    }
  } else {
    notProven.push(
      `the checkpoint root is not recomputed: the export does not hold seq 0..${cp.treeSize - 1} without gaps (filtered, or not that far)`
    );
  }
}

/**
 * The checkpoint trailer of an export file, read from its end; undefined when the last line is not one (a
 * malformed trailer is then reported by the line-by-line pass).
 */
export async function readTrailer(filePath: string): Promise<CheckpointTrailer | undefined> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    const lines = tail.toString('utf8').replace(/[\r\n]+$/, '');
    const start = lines.lastIndexOf('\n');
    if (start === -1 && length < size) return undefined; // the last line is longer than any trailer
    return trailerOf(lines.slice(start + 1));
  } finally {
    await handle.close();
  }
}

function trailerOf(line: string): CheckpointTrailer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const trailer = parseCheckpointTrailer(value);
  return typeof trailer === 'string' ? undefined : trailer;
}

export interface ExportFileOptions {
  publicKey?: KeyObject;
  /** Called every few megabytes with the bytes read and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Verifies an export file: the trailer is read from its end first, then every line streamed once. */
export async function verifyExportFile(filePath: string, options: ExportFileOptions = {}): Promise<ExportVerifyReport> {
  const total = (await stat(filePath)).size;
  const verifier = new ExportVerifier({ publicKey: options.publicKey, checkpoint: await readTrailer(filePath) });
  const input = createReadStream(filePath, { highWaterMark: 1 << 16 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let reported = 0;
  try {
    for await (const line of lines) {
      if (!verifier.push(line)) break;
      if (options.onProgress && input.bytesRead - reported >= 1 << 22) {
        reported = input.bytesRead;
        options.onProgress(reported, total);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
  options.onProgress?.(total, total);
  return verifier.result();
}

/** Verifies an export held in memory (tests, small exports). */
export function verifyExportText(
  text: string,
  options: Omit<ExportVerifyOptions, 'checkpoint'> = {}
): ExportVerifyReport {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const verifier = new ExportVerifier({ ...options, checkpoint: trailerOf(lines.at(-1) ?? '') });
  for (const line of lines) if (!verifier.push(line)) break;
  return verifier.result();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equality of parsed JSON values; member order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  );
}

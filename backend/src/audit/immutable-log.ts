/**
 * ImmutableLog: the audit trail as an append-only JSONL file, for hosts that must keep a local copy. Entries are
 * built with the same `buildEntry` and hashed with the same chain and RFC 6962 rules as the database trail
 * (docs/audit-format.md), one line each: {"seq","leafHash","hashPrev","hashCurrent","canonical"}. Opening
 * re-verifies the whole file; only a torn last line (an append cut short by a crash, never acknowledged) is
 * cut, with a warning. Reads stream line by line, so memory stays constant however long the file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, open, readFile, rename, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEventDetail } from '../schemas/audit-read';
import { ChainVerifier, GENESIS_HASH, chainHash } from './chain';
import { buildEntry, entryBytes, type AuditEventInput, AuditInputError } from './entry';
import { ExportEntryError, exportDetail, formatExport, type ExportFormat } from './export';
import { isHashHex } from './hash';
import { leafHash } from './merkle';
import { MerkleTreeBuilder } from './merkle-builder';
import { nodeKey, planInclusion } from './merkle-store';
import { DEFAULT_REDACTED_FIELDS } from './redact';

/** A line longer than this is refused rather than buffered: entries are far smaller (request bodies are capped). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** An unreadable lock file younger than this may be one another process is still writing. */
const UNREADABLE_LOCK_GRACE_MS = 5000;
const LINE_KEYS = ['seq', 'leafHash', 'hashPrev', 'hashCurrent', 'canonical'] as const;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NEWLINE = 0x0a;

export interface ImmutableLogOptions {
  filePath: string;
  /** Field names redacted before hashing (default: DEFAULT_REDACTED_FIELDS). */
  redactFields?: readonly string[];
  /** fsync after every append before it resolves (default true): an acknowledged entry survives a power cut. */
  fsync?: boolean;
}

/** One line of the file, as written. */
export interface ImmutableLogLine {
  seq: number;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
  /** Base64 of the RFC 8785 entry bytes that were hashed. */
  canonical: string;
}

/** What an append wrote for one input. */
export interface AppendedEntry {
  seq: number;
  id: string;
  leafHash: string;
  hashCurrent: string;
}

export interface OpenResult {
  treeSize: number;
  rootHash: string;
  headHash: string;
  /** Non-fatal findings, e.g. the torn last line that was cut. */
  warnings: string[];
}

/** A tree head recorded elsewhere (signed checkpoint, previous run): the file must still reproduce it. */
export interface KnownHead {
  treeSize: number;
  rootHash?: string;
  /** hashCurrent of entry treeSize - 1. */
  headHash?: string;
}

export interface LogVerifyOptions {
  knownHeads?: readonly KnownHead[];
  /** Called every few thousand lines with the bytes read and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface LogVerifyReport {
  valid: boolean;
  /** Entries that verified, from seq 0. */
  checked: number;
  /** RFC 6962 root over the entries that verified. */
  rootHash: string;
  /** hashCurrent of the last entry that verified (the genesis hash when none did). */
  headHash: string;
  firstInvalid?: { seq: number; line: number; reason: string };
  warnings: string[];
}

export interface LogInclusionProof {
  seq: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  /** PATH(seq, D[treeSize]) of RFC 6962 §2.1.1, lowercase hex. */
  proof: string[];
}

/** The file is not a valid log: `line` is 1-based, `seq` the entry expected there. */
export class ImmutableLogCorruptError extends Error {
  override name = 'ImmutableLogCorruptError';
  constructor(
    readonly filePath: string,
    readonly line: number,
    readonly seq: number,
    readonly reason: string
  ) {
    super(`${filePath}, line ${line} (seq ${seq}): ${reason}`);
  }
}

export class ImmutableLogLockedError extends Error {
  override name = 'ImmutableLogLockedError';
  constructor(
    readonly lockPath: string,
    readonly pid: number | undefined
  ) {
    super(
      pid === undefined
        ? `${lockPath} is held by another writer (its pid is unreadable)`
        : `${lockPath} is held by process ${pid}; remove the lock file only if no such process uses this log`
    );
  }
}

type ScanEvent =
  | { kind: 'entry'; line: number; end: number; row: ImmutableLogLine; bytes: Buffer; entry: Record<string, unknown> }
  | { kind: 'invalid'; line: number; seq: number; reason: string }
  | { kind: 'torn'; line: number; offset: number; bytes: number };

class LineTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_BYTES} bytes`);
  }
}

interface RawLine {
  text: Buffer;
  line: number;
  /** Byte offset just after this line (and its newline). */
  end: number;
  terminated: boolean;
}

async function* readLines(filePath: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  let offset = 0;
  let read = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    onBytes?.(read);
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const text = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      line += 1;
      offset += text.length + 1;
      yield { text, line, end: offset, terminated: true };
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) throw new LineTooLongError(line + 1);
    }
  }
  if (pendingBytes > 0)
    yield { text: Buffer.concat(pending), line: line + 1, end: offset + pendingBytes, terminated: false };
}

/** Every line re-verified from genesis; stops after the first invalid line. A torn last line is reported, not judged. */
async function* scanLog(filePath: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<ScanEvent> {
  const chain = new ChainVerifier();
  let seq = 0;
  const lines = readLines(filePath, onBytes);
  try {
    for await (const raw of lines) {
      if (!raw.terminated) {
        yield { kind: 'torn', line: raw.line, offset: raw.end - raw.text.length, bytes: raw.text.length };
        return;
      }
      const parsed = parseLine(raw.text, seq);
      if ('reason' in parsed) {
        yield { kind: 'invalid', line: raw.line, seq, reason: parsed.reason };
        return;
      }
      const { row, bytes, entry } = parsed;
      if (
        !chain.push({
          seq: row.seq,
          entry: bytes,
          hashPrev: row.hashPrev,
          hashCurrent: row.hashCurrent,
          leafHash: row.leafHash,
        })
      ) {
        const result = chain.result();
        yield { kind: 'invalid', line: raw.line, seq, reason: result.valid ? 'chain broken' : result.reason };
        return;
      }
      yield { kind: 'entry', line: raw.line, end: raw.end, row, bytes, entry };
      seq += 1;
    }
  } catch (err) {
    if (!(err instanceof LineTooLongError)) throw err;
    yield { kind: 'invalid', line: err.line, seq, reason: err.message };
  }
}

function parseLine(
  text: Buffer,
  expectedSeq: number
): { row: ImmutableLogLine; bytes: Buffer; entry: Record<string, unknown> } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch {
    return { reason: 'not a JSON line' };
  }
  if (!isRecord(value)) return { reason: 'not a JSON object' };
  const keys = Object.keys(value);
  // Exactly these members: anything else would be data that no hash covers.
  if (keys.length !== LINE_KEYS.length || !LINE_KEYS.every((key) => key in value)) {
    return { reason: `members must be exactly ${LINE_KEYS.join(', ')}` };
  }
  const { seq, leafHash: leaf, hashPrev, hashCurrent, canonical } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return { reason: 'seq is not a whole number' };
  if (seq !== expectedSeq) {
    return {
      reason:
        seq > expectedSeq
          ? `seq ${expectedSeq} is missing (this line has seq ${seq})`
          : `seq ${seq} is repeated or out of order (expected ${expectedSeq})`,
    };
  }
  if (!isHashHex(leaf) || !isHashHex(hashPrev) || !isHashHex(hashCurrent)) {
    return { reason: 'leafHash, hashPrev and hashCurrent must be 64 lowercase hex characters' };
  }
  if (typeof canonical !== 'string' || !BASE64.test(canonical)) return { reason: 'canonical is not base64' };
  const bytes = Buffer.from(canonical, 'base64');
  let entry: unknown;
  try {
    entry = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { reason: 'canonical bytes are not JSON' };
  }
  // The seq inside the hashed entry fixes its position: a line moved elsewhere with its hashes recomputed shows.
  if (!isRecord(entry) || entry.seq !== seq) return { reason: `canonical entry does not carry seq ${seq}` };
  return { row: { seq, leafHash: leaf, hashPrev, hashCurrent, canonical }, bytes, entry };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Re-verifies a log file without opening it for writing (no lock): safe on a file another process appends to. */
export async function verifyLogFile(filePath: string, options: LogVerifyOptions = {}): Promise<LogVerifyReport> {
  const heads = [...(options.knownHeads ?? [])].sort((a, b) => a.treeSize - b.treeSize);
  const total = (await stat(filePath)).size;
  let lastProgress = 0;
  const onBytes = options.onProgress
    ? (read: number) => {
        if (read - lastProgress >= 1 << 22 || read === total) {
          lastProgress = read;
          options.onProgress?.(read, total);
        }
      }
    : undefined;
  const tree = new MerkleTreeBuilder();
  let headHash = GENESIS_HASH;
  let next = 0;
  let matched = 0;
  const warnings: string[] = [];
  const report = (firstInvalid?: LogVerifyReport['firstInvalid']): LogVerifyReport => ({
    valid: firstInvalid === undefined,
    checked: tree.size,
    rootHash: tree.root().toString('hex'),
    headHash,
    ...(firstInvalid ? { firstInvalid } : {}),
    warnings,
  });
  const checkHeads = (): LogVerifyReport['firstInvalid'] => {
    for (let head = heads[next]; head !== undefined && head.treeSize === tree.size; head = heads[++next]) {
      const rootOk = head.rootHash === undefined || head.rootHash === tree.root().toString('hex');
      const headOk = head.headHash === undefined || head.headHash === headHash;
      if (!rootOk || !headOk) {
        const reason = `the first ${head.treeSize} entries do not reproduce the known ${rootOk ? 'head hash' : 'root'}: entries before it were rewritten`;
        return { seq: matched, line: matched + 1, reason };
      }
      matched = head.treeSize;
    }
    return undefined;
  };

  let problem = checkHeads();
  if (problem) return report(problem);
  for await (const event of scanLog(filePath, onBytes)) {
    if (event.kind === 'invalid') return report({ seq: event.seq, line: event.line, reason: event.reason });
    if (event.kind === 'torn') {
      warnings.push(tornWarning(event));
      break;
    }
    tree.append(Buffer.from(event.row.leafHash, 'hex'));
    headHash = event.row.hashCurrent;
    problem = checkHeads();
    if (problem) return report(problem);
  }
  const missing = heads[next];
  if (missing) {
    return report({
      seq: tree.size,
      line: tree.size + 1,
      reason: `the file ends after ${tree.size} entries, but a known head covers ${missing.treeSize}: entries were removed from the end`,
    });
  }
  return report();
}

function tornWarning(event: Extract<ScanEvent, { kind: 'torn' }>): string {
  return `line ${event.line} is incomplete (${event.bytes} bytes, no newline): an append interrupted by a crash, never acknowledged`;
}

/** Takes `lockPath` for this process, or throws ImmutableLogLockedError naming the live holder. */
async function acquireLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLockPid(lockPath);
    if (holder === null) continue; // released in between
    if (holder !== undefined && isAlive(holder)) throw new ImmutableLogLockedError(lockPath, holder);
    if (holder === undefined && !(await olderThan(lockPath, UNREADABLE_LOCK_GRACE_MS))) {
      throw new ImmutableLogLockedError(lockPath, undefined);
    }
    await takeOverStaleLock(lockPath);
  }
  throw new ImmutableLogLockedError(lockPath, undefined);
}

/**
 * Moves a stale lock aside with an atomic rename, then checks what was moved: if another process replaced the
 * stale lock with its own in the meantime, that live lock is put back (link fails rather than overwrite).
 */
async function takeOverStaleLock(lockPath: string): Promise<void> {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readLockPid(aside);
  if (typeof moved === 'number' && isAlive(moved)) {
    await link(aside, lockPath).catch(() => undefined);
    await unlink(aside);
    throw new ImmutableLogLockedError(lockPath, moved);
  }
  await unlink(aside);
}

/** The pid in a lock file; undefined when unreadable, null when the file is gone. */
async function readLockPid(lockPath: string): Promise<number | undefined | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return /^\d+\n?$/.test(text) ? Number(text.trim()) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return true;
  }
}

async function releaseLock(lockPath: string): Promise<void> {
  if ((await readLockPid(lockPath)) === process.pid) await unlink(lockPath);
}

export class ImmutableLog {
  readonly filePath: string;
  readonly lockPath: string;
  private readonly redactFields: readonly string[];
  private readonly fsync: boolean;
  private handle: FileHandle | undefined;
  private state: 'new' | 'open' | 'failed' | 'closed' = 'new';
  private failure: Error | undefined;
  private tree = new MerkleTreeBuilder();
  private head = GENESIS_HASH;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly openWarnings: string[] = [];

  constructor(options: ImmutableLogOptions) {
    this.filePath = path.resolve(options.filePath);
    this.lockPath = `${this.filePath}.lock`;
    this.redactFields = options.redactFields ?? DEFAULT_REDACTED_FIELDS;
    this.fsync = options.fsync ?? true;
  }

  /** Entries in the log (the next seq). */
  get size(): number {
    return this.tree.size;
  }

  /** Warnings recorded by `open`, e.g. a torn last line that was cut. */
  get warnings(): readonly string[] {
    return this.openWarnings;
  }

  /** The current tree head, e.g. to sign it or record it elsewhere for `verify({ knownHeads })`. */
  treeHead(): { treeSize: number; rootHash: string; headHash: string } {
    return { treeSize: this.tree.size, rootHash: this.tree.root().toString('hex'), headHash: this.head };
  }

  /**
   * Locks the file for this process, re-verifies every line and recovers the head. Throws
   * ImmutableLogCorruptError (line and reason) for anything invalid but a torn last line, which is cut.
   */
  async open(): Promise<OpenResult> {
    if (this.state !== 'new') throw new Error(`the log is ${this.state}; open it once`);
    await acquireLock(this.lockPath);
    try {
      let created = false;
      try {
        await stat(this.filePath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        created = true;
      }
      this.handle = await open(this.filePath, 'a', 0o600);
      if (created) await syncDirectory(path.dirname(this.filePath));
      for await (const event of scanLog(this.filePath)) {
        if (event.kind === 'invalid') {
          throw new ImmutableLogCorruptError(this.filePath, event.line, event.seq, event.reason);
        }
        if (event.kind === 'torn') {
          await truncate(this.filePath, event.offset);
          await this.handle.sync();
          this.openWarnings.push(`${tornWarning(event)}; it was cut`);
          break;
        }
        this.tree.append(Buffer.from(event.row.leafHash, 'hex'));
        this.head = event.row.hashCurrent;
      }
      this.state = 'open';
      return { ...this.treeHead(), warnings: [...this.openWarnings] };
    } catch (err) {
      await this.handle?.close();
      this.handle = undefined;
      await releaseLock(this.lockPath);
      throw err;
    }
  }

  /**
   * Appends the inputs as consecutive entries, one line each, in one write. Appends run one after another in
   * call order; with fsync on, the promise resolves once the lines are on disk. Invalid input (AuditInputError,
   * located by index) rejects the whole batch before anything is written.
   */
  append(inputs: readonly AuditEventInput[]): Promise<AppendedEntry[]> {
    const run = this.queue.then(() => this.write(inputs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(inputs: readonly AuditEventInput[]): Promise<AppendedEntry[]> {
    const handle = this.writable();
    const appended: AppendedEntry[] = [];
    const leaves: Buffer[] = [];
    const lines: string[] = [];
    let prev = this.head;
    for (const [i, input] of inputs.entries()) {
      const seq = this.tree.size + i;
      let bytes: Buffer;
      let id: string;
      try {
        const entry = buildEntry(seq, input, this.redactFields);
        bytes = entryBytes(entry);
        id = entry.id;
      } catch (err) {
        throw err instanceof AuditInputError ? err.at(i) : err;
      }
      const leaf = leafHash(bytes);
      const current = chainHash(prev, bytes);
      const line: ImmutableLogLine = {
        seq,
        leafHash: leaf.toString('hex'),
        hashPrev: prev,
        hashCurrent: current,
        canonical: bytes.toString('base64'),
      };
      lines.push(`${JSON.stringify(line)}\n`);
      leaves.push(leaf);
      appended.push({ seq, id, leafHash: line.leafHash, hashCurrent: current });
      prev = current;
    }
    if (lines.length === 0) return appended;
    const data = Buffer.from(lines.join(''), 'utf8');
    try {
      for (let written = 0; written < data.length;) {
        written += (await handle.write(data, written, data.length - written)).bytesWritten;
      }
      if (this.fsync) await handle.sync();
    } catch (err) {
      // Part of the batch may be in the file: refuse further appends until a reopen re-verifies (and cuts) it.
      this.state = 'failed';
      this.failure = err as Error;
      throw err;
    }
    for (const leaf of leaves) this.tree.append(leaf);
    this.head = prev;
    return appended;
  }

  private writable(): FileHandle {
    if (this.state === 'failed') {
      throw new Error(`an earlier append failed (${this.failure?.message}); reopen the log to recover`);
    }
    if (this.state !== 'open' || !this.handle) throw new Error(`the log is ${this.state}, not open`);
    return this.handle;
  }

  /**
   * Re-reads the file from disk and re-verifies every line, with constant memory. Besides `knownHeads`, the file
   * must still reproduce the head this instance wrote: lines removed from the end are caught too.
   */
  async verify(options: LogVerifyOptions = {}): Promise<LogVerifyReport> {
    const own: KnownHead = {
      treeSize: this.tree.size,
      headHash: this.head,
      rootHash: this.tree.root().toString('hex'),
    };
    return verifyLogFile(this.filePath, { ...options, knownHeads: [...(options.knownHeads ?? []), own] });
  }

  /**
   * RFC 6962 inclusion proof of entry `seq` in the tree of the first `treeSize` entries (default: all), from the
   * leaves in the file, re-verified on the way. Streams: only the O(log n) subtree roots of the proof are kept.
   */
  async inclusionProof(seq: number, treeSize: number = this.tree.size): Promise<LogInclusionProof> {
    if (!Number.isSafeInteger(treeSize) || treeSize < 1 || treeSize > this.tree.size) {
      throw new RangeError(`tree size ${treeSize} is not between 1 and ${this.tree.size}`);
    }
    const plan = planInclusion(seq, treeSize);
    const nodes = [...plan.nodes].sort((a, b) => a.index * 2 ** a.level - b.index * 2 ** b.level);
    const hashes = new Map<string, Buffer>();
    const root = new MerkleTreeBuilder();
    let node = 0;
    let subtree = new MerkleTreeBuilder();
    let leaf: string | undefined;
    for await (const event of scanLog(this.filePath)) {
      if (event.kind !== 'entry') {
        const reason = event.kind === 'torn' ? 'the file ends inside the tree' : event.reason;
        throw new ImmutableLogCorruptError(this.filePath, event.line, root.size, reason);
      }
      const hash = Buffer.from(event.row.leafHash, 'hex');
      root.append(hash);
      if (event.row.seq === seq) leaf = event.row.leafHash;
      const current = nodes[node];
      if (current && event.row.seq >= current.index * 2 ** current.level) {
        subtree.append(hash);
        if (subtree.size === 2 ** current.level) {
          hashes.set(nodeKey(current), subtree.root());
          subtree = new MerkleTreeBuilder();
          node += 1;
        }
      }
      if (root.size === treeSize) break;
    }
    if (root.size < treeSize || leaf === undefined) {
      throw new ImmutableLogCorruptError(
        this.filePath,
        root.size + 1,
        root.size,
        `the file holds fewer than ${treeSize} entries`
      );
    }
    const proof = plan.assemble((id) => hashes.get(nodeKey(id)));
    return {
      seq,
      treeSize,
      leafHash: leaf,
      rootHash: root.root().toString('hex'),
      proof: proof.map((p) => p.toString('hex')),
    };
  }

  /**
   * The log in the API's export formats (export.ts), oldest first, re-verified while it is read: the same fields,
   * hashes and canonical bytes, so `audit verify-export` checks a jsonl export of this file too.
   */
  export(format: ExportFormat): AsyncIterable<string> {
    return formatExport(this.details(), format);
  }

  private async *details(): AsyncGenerator<AuditEventDetail> {
    for await (const event of scanLog(this.filePath)) {
      if (event.kind === 'torn') return; // an append in flight, or cut at the next open
      if (event.kind === 'invalid')
        throw new ImmutableLogCorruptError(this.filePath, event.line, event.seq, event.reason);
      let detail: AuditEventDetail;
      try {
        detail = exportDetail(event.entry, event.row);
      } catch (err) {
        if (!(err instanceof ExportEntryError)) throw err;
        throw new ImmutableLogCorruptError(this.filePath, event.line, event.row.seq, err.message);
      }
      yield detail;
    }
  }

  /** Waits for pending appends, closes the file and releases the lock. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'new') return;
    await this.queue;
    this.state = 'closed';
    await this.handle?.close();
    this.handle = undefined;
    await releaseLock(this.lockPath);
  }
}

/** Makes a new file's directory entry durable too (POSIX needs an fsync of the directory). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms and file systems cannot fsync a directory (EINVAL, EISDIR, EPERM); the data fsync still holds.
    if (!['EINVAL', 'EISDIR', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Archive files (docs/audit-retention.md): JSONL entries in seq order, then a trailer signed with the audit key.
 * Reading one re-hashes every entry and checks the links between them, the file hash and the signature.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { AuditEventDetail } from '../schemas/audit-read';
import { canonicalBytes } from './canonical-json';
import { chainHash } from './chain';
import { publicKeyFingerprint } from './checkpoint';
import { isHashHex } from './hash';
import { leafHash } from './merkle';
import type { SigningKey } from './signing-key';

/** The last line of an archive file. `signature` is Ed25519 over the RFC 8785 bytes of every other member. */
export interface ArchiveTrailer {
  type: 'archive';
  fromSeq: number;
  toSeq: number;
  count: number;
  /** SHA-256 (hex) of every byte before the trailer line: the entry lines with their newlines. */
  fileSha256: string;
  createdAt: string;
  keyFingerprint: string;
  signature: string;
}

/** One archived entry as a verifier needs it (hashes in hex), after its own hashes were recomputed. */
export interface ArchivedHashes {
  seq: number;
  leafHash: string;
  hashPrev: string;
  hashCurrent: string;
}

/** An archive file that does not verify: where, and why. */
export class ArchiveFileError extends Error {
  override name = 'ArchiveFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly seq?: number
  ) {
    super(`${file}, line ${line}: ${reason}`);
  }
}

export type UnsignedTrailer = Omit<ArchiveTrailer, 'signature'>;

/** The exact bytes that are signed: the RFC 8785 canonical JSON of the trailer without `signature`. */
export function trailerBytes(trailer: UnsignedTrailer): Buffer {
  const { type, fromSeq, toSeq, count, fileSha256, createdAt, keyFingerprint } = trailer;
  return canonicalBytes({ type, fromSeq, toSeq, count, fileSha256, createdAt, keyFingerprint });
}

export function signTrailer(trailer: UnsignedTrailer, privateKey: KeyObject): ArchiveTrailer {
  return { ...trailer, signature: sign(null, trailerBytes(trailer), privateKey).toString('base64') };
}

/** Why a parsed trailer line is not a well-formed, correctly signed trailer for `publicKey`; undefined if it is. */
function trailerProblem(value: unknown, publicKey: KeyObject): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the last line is not an archive trailer';
  const t = value as Partial<Record<keyof ArchiveTrailer, unknown>>;
  if (t.type !== 'archive') return 'the last line is not an archive trailer';
  const counts = [t.fromSeq, t.toSeq, t.count];
  if (!counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return 'the trailer counts are not integers';
  if (!isHashHex(t.fileSha256)) return 'the trailer fileSha256 is not a SHA-256 in hex';
  if (typeof t.createdAt !== 'string' || typeof t.keyFingerprint !== 'string' || typeof t.signature !== 'string') {
    return 'the trailer is incomplete';
  }
  const fingerprint = publicKeyFingerprint(publicKey);
  if (t.keyFingerprint !== fingerprint) {
    return `the archive is signed by another key (${t.keyFingerprint}, expected ${fingerprint})`;
  }
  const signature = Buffer.from(t.signature, 'base64');
  if (signature.length !== 64 || !verify(null, trailerBytes(t as ArchiveTrailer), publicKey, signature)) {
    return 'the trailer signature is invalid';
  }
  return undefined;
}

/**
 * Reads an archive file and checks everything it can prove on its own: each entry's leaf and chain hashes
 * recomputed from its canonical bytes, the links between consecutive seqs, the file hash, and the trailer's
 * signature by `key`. Yields the verified entries in file order; returns the trailer (nothing when stopped early);
 * throws ArchiveFileError.
 */
export async function* readArchive(
  file: string,
  key: Pick<SigningKey, 'publicKey'>
): AsyncGenerator<ArchivedHashes, ArchiveTrailer | undefined> {
  const digest = createHash('sha256');
  let held: Buffer | undefined; // the last complete line: the trailer if nothing follows it
  let lineNo = 0;
  let previous: ArchivedHashes | undefined;
  let first: number | undefined;
  let count = 0;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file)) {
    let data = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10)) {
      const line = data.subarray(0, nl + 1);
      data = data.subarray(nl + 1);
      if (held) {
        digest.update(held);
        lineNo += 1;
        const entry = checkEntryLine(file, lineNo, held, previous);
        first ??= entry.seq;
        count += 1;
        previous = entry;
        yield entry;
      }
      held = Buffer.from(line);
    }
    rest = data;
  }
  // Problems of the whole file are located at its first entry.
  const fail = (line: number, reason: string) => new ArchiveFileError(file, line, reason, first);
  if (rest.length > 0) throw fail(lineNo + 2, 'the file does not end with a newline');
  if (!held) throw fail(1, 'the file is empty');
  let trailer: unknown;
  try {
    trailer = JSON.parse(held.toString('utf8'));
  } catch {
    throw fail(lineNo + 1, 'the last line is not an archive trailer');
  }
  const problem = trailerProblem(trailer, key.publicKey);
  if (problem) throw fail(lineNo + 1, problem);
  const t = trailer as ArchiveTrailer;
  if (t.fileSha256 !== digest.digest('hex')) {
    throw fail(lineNo + 1, 'the file hash does not match its entries: the file was changed');
  }
  if (t.count !== count || (count > 0 && (t.fromSeq !== first || t.toSeq !== previous?.seq))) {
    throw fail(lineNo + 1, 'the trailer does not describe the entries of the file');
  }
  return t;
}

/** One entry line: re-hashed from its canonical bytes, and linked to the previous entry when seqs are adjacent. */
function checkEntryLine(file: string, lineNo: number, line: Buffer, previous?: ArchivedHashes): ArchivedHashes {
  const fail = (reason: string, seq?: number): never => {
    throw new ArchiveFileError(file, lineNo, reason, seq);
  };
  let value: Partial<Record<keyof AuditEventDetail, unknown>>;
  try {
    value = JSON.parse(line.toString('utf8')) as typeof value;
  } catch {
    return fail('not a JSON line');
  }
  const { seq, leafHash: leaf, hashPrev, hashCurrent, canonical } = value;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return fail('seq is not a non-negative integer');
  const at = seq as number;
  if (!isHashHex(leaf) || !isHashHex(hashPrev) || !isHashHex(hashCurrent))
    return fail('a hash is not 64 hex digits', at);
  if (typeof canonical !== 'string' || canonical === '') return fail('the entry has no canonical bytes', at);
  if (previous && at <= previous.seq) return fail(`seq ${at} does not follow seq ${previous.seq}`, at);
  const bytes = Buffer.from(canonical, 'base64');
  if (leafHash(bytes).toString('hex') !== leaf) return fail(`seq ${at}: leafHash does not match the entry`, at);
  if (chainHash(hashPrev, bytes) !== hashCurrent) return fail(`seq ${at}: hashCurrent does not match the entry`, at);
  if (previous && previous.seq === at - 1 && previous.hashCurrent !== hashPrev) {
    return fail(`seq ${at}: hashPrev does not equal the hashCurrent of seq ${previous.seq}`, at);
  }
  return { seq: at, leafHash: leaf, hashPrev, hashCurrent };
}

/** Offline check of one archive file (see readArchive): its trailer when valid, else throws ArchiveFileError. */
export async function verifyArchiveFile(file: string, key: Pick<SigningKey, 'publicKey'>): Promise<ArchiveTrailer> {
  const entries = readArchive(file, key);
  for (;;) {
    const next = await entries.next();
    if (next.done) return next.value as ArchiveTrailer; // read to its end, so it returned the trailer
  }
}

/** The entries of several archive files merged in ascending seq (each file is in seq order), with their file. */
export async function* mergeArchives(
  files: readonly string[],
  key: Pick<SigningKey, 'publicKey'>
): AsyncGenerator<ArchivedHashes & { file: string }> {
  const heads = await Promise.all(
    files.map(async (file) => {
      const entries = readArchive(file, key);
      return { file, entries, next: await entries.next() };
    })
  );
  try {
    for (;;) {
      let best: (typeof heads)[number] | undefined;
      for (const head of heads) {
        if (head.next.done) continue;
        if (!best || head.next.value.seq < (best.next.value as ArchivedHashes).seq) best = head;
      }
      if (!best) return;
      yield { ...(best.next.value as ArchivedHashes), file: best.file };
      best.next = await best.entries.next();
    }
  } finally {
    // Closes the files of archives not read to their end (when the caller stops early or one is invalid).
    await Promise.all(heads.map((head) => head.entries.return(undefined)));
  }
}

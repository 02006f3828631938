/** Options and results of the append-only file log (log.ts), shared by its readers and verifier. */

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

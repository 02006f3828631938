/** The report of an export verification, and the plain statements of what it proves and leaves open. */

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

/** Fills `proven` and `notProven` of a valid report. */
export function describeReport(report: ExportVerifyReport, firstGap: string | undefined): void {
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

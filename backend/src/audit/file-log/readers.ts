/**
 * Streaming reads of a log file that re-verify it on the way: the entries as export details, and inclusion
 * proofs. Only the O(log n) subtree roots of a proof are kept in memory.
 */
import type { AuditEventDetail } from '../../schemas/audit-read';
import { ExportEntryError, exportDetail } from '../export';
import { MerkleTreeBuilder } from '../merkle-builder';
import { nodeKey, planInclusion } from '../merkle-store';
import { ImmutableLogCorruptError } from './errors';
import { scanLog } from './scanner';
import type { LogInclusionProof } from './types';

/** The entries of the file as the API's export details, oldest first; stops before a torn last line. */
export async function* readExportDetails(filePath: string): AsyncGenerator<AuditEventDetail> {
  for await (const event of scanLog(filePath)) {
    if (event.kind === 'torn') return; // an append in flight, or cut at the next open
    if (event.kind === 'invalid') throw new ImmutableLogCorruptError(filePath, event.line, event.seq, event.reason);
    let detail: AuditEventDetail;
    try {
      detail = exportDetail(event.entry, event.row);
    } catch (err) {
      if (!(err instanceof ExportEntryError)) throw err;
      throw new ImmutableLogCorruptError(filePath, event.line, event.row.seq, err.message);
    }
    yield detail;
  }
}

/** RFC 6962 inclusion proof of entry `seq` in the tree of the first `treeSize` entries of the file. */
export async function readInclusionProof(filePath: string, seq: number, treeSize: number): Promise<LogInclusionProof> {
  const plan = planInclusion(seq, treeSize);
  const nodes = [...plan.nodes].sort((a, b) => a.index * 2 ** a.level - b.index * 2 ** b.level);
  const hashes = new Map<string, Buffer>();
  const root = new MerkleTreeBuilder();
  let node = 0;
  let subtree = new MerkleTreeBuilder();
  let leaf: string | undefined;
  for await (const event of scanLog(filePath)) {
    if (event.kind !== 'entry') {
      const reason = event.kind === 'torn' ? 'the file ends inside the tree' : event.reason;
      throw new ImmutableLogCorruptError(filePath, event.line, root.size, reason);
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
      filePath,
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

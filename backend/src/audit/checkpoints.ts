/** Signed tree heads: created from the stored Merkle nodes, kept in `audit_checkpoints`. */
import type { Database, Queryable } from '../db';
import { toHex } from './hash';
import { signTreeHead, verifyTreeHead, type TreeHead } from './checkpoint';
import { planRoot } from './merkle-store';
import type { SigningKey } from './signing-key';
import { fetchNodes } from './store';

export interface Checkpoint extends TreeHead {
  signature: string;
  keyFingerprint: string;
}

interface CheckpointRow {
  tree_size: number;
  root_hash: Buffer;
  timestamp: string;
  signature: string;
  key_fingerprint: string;
}

const toCheckpoint = (row: CheckpointRow): Checkpoint => ({
  treeSize: row.tree_size,
  rootHash: toHex(row.root_hash),
  timestamp: row.timestamp,
  signature: row.signature,
  keyFingerprint: row.key_fingerprint,
});

/** MTH of the first `treeSize` entries, from the stored nodes. */
export async function rootAt(db: Queryable, treeSize: number): Promise<Buffer> {
  const plan = planRoot(treeSize);
  return plan.assemble(await fetchNodes(db, plan.nodes));
}

const CHECKPOINT_COLUMNS = 'tree_size, root_hash, "timestamp", signature, key_fingerprint';

export async function latestCheckpoint(db: Queryable): Promise<Checkpoint | undefined> {
  const rows = await db.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1`
  );
  return rows.rows[0] && toCheckpoint(rows.rows[0]);
}

/** Every checkpoint, smallest tree first. */
export async function listCheckpoints(db: Queryable): Promise<Checkpoint[]> {
  const rows = await db.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size`);
  return rows.rows.map(toCheckpoint);
}

/**
 * Signs the current tree head and stores it; returns the existing checkpoint when the tree has not grown.
 * The head is read without a lock: the Merkle nodes of a committed size were committed with it or before, and
 * are never changed (WORM), so the root of that size can be read while writers go on appending. (A lock here
 * would stop every writer for as long as a root is read and signed, at every checkpoint.)
 */
export async function createCheckpoint(db: Database, key: SigningKey): Promise<Checkpoint> {
  return db.transaction(async (tx) => {
    const head = await tx.query<{ tree_size: number }>('SELECT tree_size FROM audit_head');
    const treeSize = head.rows[0]?.tree_size ?? 0;
    const existing = await tx.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size = $1`,
      [treeSize]
    );
    if (existing.rows[0]) return toCheckpoint(existing.rows[0]);
    const treeHead: TreeHead = {
      treeSize,
      rootHash: (await rootAt(tx, treeSize)).toString('hex'),
      timestamp: new Date().toISOString(),
    };
    const checkpoint = {
      ...treeHead,
      signature: signTreeHead(treeHead, key.privateKey),
      keyFingerprint: key.fingerprint,
    };
    // Another request or process may sign the same size at the same moment: the first one stored wins, and
    // this call answers with it (a new statement sees the other transaction's row once it committed).
    const inserted = await tx.query(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, "timestamp", signature, key_fingerprint)
       VALUES ($1, decode($2, 'hex'), $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING RETURNING tree_size`,
      [checkpoint.treeSize, checkpoint.rootHash, checkpoint.timestamp, checkpoint.signature, checkpoint.keyFingerprint]
    );
    if (inserted.rows.length === 1) return checkpoint;
    const winner = await tx.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size = $1`,
      [treeSize]
    );
    if (!winner.rows[0]) throw new Error(`the checkpoint of ${treeSize} entries vanished while being signed`);
    return toCheckpoint(winner.rows[0]);
  });
}

export function checkpointSignatureValid(checkpoint: Checkpoint, key: Pick<SigningKey, 'publicKey'>): boolean {
  const { treeSize, rootHash, timestamp } = checkpoint;
  return verifyTreeHead({ treeSize, rootHash, timestamp }, checkpoint.signature, key.publicKey);
}

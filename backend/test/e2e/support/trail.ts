/** The stored audit trail read back from PostgreSQL, and every property it must satisfy after a load. */
import type pg from 'pg';
import { ACTION, type Ack, type Batch } from './load';

export interface StoredRow {
  seq: number;
  action: string;
  resource_id: string | null;
  method: string | null;
  path: string | null;
}

export async function readTrail(pool: pg.Pool, schema: string): Promise<{ rows: StoredRow[]; treeSize: number }> {
  const rows = await pool.query<StoredRow>(
    `SELECT seq::int AS seq, action, resource_id, method, path FROM ${schema}.audit_log ORDER BY seq`
  );
  const head = await pool.query<{ tree_size: number }>(`SELECT tree_size::int AS tree_size FROM ${schema}.audit_head`);
  return { rows: rows.rows, treeSize: head.rows[0]?.tree_size ?? -1 };
}

/**
 * Everything the trail must satisfy, as a list of problems (empty when sound): seqs exactly 0..N-1 and the
 * head at N; acknowledged ranges disjoint, each holding its batch in order; every batch stored whole or not at
 * all; every other entry is a request's own entry. Also counts the entries of POST /api/audit/events requests.
 */
export function checkTrail(
  trail: { rows: StoredRow[]; treeSize: number },
  sent: Batch[],
  acks: Ack[]
): { problems: string[]; captured: number } {
  const problems: string[] = [];
  const { rows, treeSize } = trail;
  const gap = rows.findIndex((row, i) => row.seq !== i);
  if (gap !== -1) problems.push(`seq ${gap} is missing (found ${rows[gap]?.seq} at position ${gap})`);
  if (treeSize !== rows.length) problems.push(`audit_head.tree_size is ${treeSize}, audit_log holds ${rows.length}`);

  const sorted = [...acks].sort((a, b) => a.response.firstSeq - b.response.firstSeq);
  sorted.forEach(({ batch, response }, i) => {
    const previous = sorted[i - 1];
    if (previous && response.firstSeq <= previous.response.lastSeq) {
      problems.push(`ranges of ${previous.batch.marker} and ${batch.marker} overlap`);
    }
    if (response.accepted !== batch.size || response.lastSeq - response.firstSeq + 1 !== batch.size) {
      problems.push(`${batch.marker} (${batch.size} events) was answered ${JSON.stringify(response)}`);
    }
    for (let j = 0; j < batch.size; j += 1) {
      const found = rows[response.firstSeq + j];
      if (found?.seq !== response.firstSeq + j || found.resource_id !== `${batch.marker}:${j}`) {
        problems.push(
          `acknowledged ${batch.marker} [${response.firstSeq}, ${response.lastSeq}]: seq ${response.firstSeq + j} holds ${found ? `${found.action} ${found.resource_id}` : 'nothing'}`
        );
        break;
      }
    }
  });

  const stored = new Map<string, number[]>(); // marker -> seqs of its entries, in seq order
  let captured = 0;
  for (const row of rows) {
    if (row.action === ACTION && row.resource_id !== null) {
      const marker = row.resource_id.slice(0, row.resource_id.lastIndexOf(':'));
      stored.set(marker, [...(stored.get(marker) ?? []), row.seq]);
    } else if (row.method === 'POST' && row.path === '/api/audit/events') {
      captured += 1;
    } else if (row.method === null || !row.path?.startsWith('/api/audit/')) {
      problems.push(`seq ${row.seq} is neither a posted event nor a request entry: ${JSON.stringify(row)}`);
    }
  }
  const sizes = new Map(sent.map((batch) => [batch.marker, batch.size]));
  for (const [marker, seqs] of stored) {
    const size = sizes.get(marker);
    const contiguous = seqs.every((seq, j) => seq === (seqs[0] as number) + j);
    const ordered = seqs.every((seq, j) => rows[seq]?.resource_id === `${marker}:${j}`);
    if (seqs.length !== size || !contiguous || !ordered) {
      problems.push(`${marker} (${size} events) is stored partially or out of order at seqs ${seqs.join(',')}`);
    }
  }
  const shown = problems.length > 20 ? [...problems.slice(0, 20), `and ${problems.length - 20} more`] : problems;
  return { problems: shown, captured };
}

/** Concurrent clients posting audit event batches to running servers, with every acknowledgement recorded. */
import type { IngestResponse } from '../../../src/schemas/audit';
import { INGEST_TOKEN } from './server';

/** Cycled through by the clients: single events, one-statement appends (< 64 entries) and COPY (>= 64). */
export const BATCH_SIZES = [1, 3, 500, 12, 63, 64, 1, 250, 7, 100, 2, 499, 65, 30];
export const ACTION = 'e2e.durability';

export interface Batch {
  marker: string;
  size: number;
}
export interface Ack {
  batch: Batch;
  url: string;
  response: IngestResponse;
}
export interface Load {
  sent: Batch[];
  acks: Ack[];
  failures: string[];
}

function events(batch: Batch): unknown[] {
  return Array.from({ length: batch.size }, (_, i) => ({
    action: ACTION,
    resource: 'durability',
    resourceId: `${batch.marker}:${i}`,
    status: i % 5 === 4 ? 'failure' : 'success',
    metadata: { index: i },
  }));
}

/**
 * `clients` concurrent clients, each posting one batch after another (client c, round k to urls[(c + k) %
 * n]) until `stop(k)`. Every 201 whose body arrived is an acknowledgement, whenever it arrived. `result`
 * fills in as responses come; `done` resolves once every client stopped.
 */
export function startLoad(
  tag: string,
  clients: number,
  urls: string[],
  stop: (round: number) => boolean
): { result: Load; done: Promise<Load> } {
  const result: Load = { sent: [], acks: [], failures: [] };
  const client = async (c: number): Promise<void> => {
    for (let k = 0; !stop(k); k += 1) {
      const batch = { marker: `${tag}-c${c}-b${k}`, size: BATCH_SIZES[(c * 5 + k) % BATCH_SIZES.length] as number };
      const url = urls[(c + k) % urls.length] as string;
      result.sent.push(batch);
      try {
        const res = await fetch(`${url}/api/audit/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(events(batch)),
        });
        const text = await res.text();
        if (res.status === 201) result.acks.push({ batch, url, response: JSON.parse(text) as IngestResponse });
        else result.failures.push(`${batch.marker}: ${res.status} ${text}`);
      } catch (err) {
        result.failures.push(`${batch.marker}: ${(err as Error).message}`);
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, c) => client(c))).then(() => result);
  return { result, done };
}

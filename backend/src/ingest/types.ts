/** What file ingestion hands out (batches to the pipeline) and reports (status, logs). */
import type { SecurityEvent } from '../soar/event';

export { TailerState, type FileStatus, type IngestStatus } from '../schemas/ingest';

/** Where a batch comes from, for the pipeline's logs and audit entries. */
export interface IngestBatchMeta {
  source: 'file';
  /** The configured path of the log. */
  path: string;
}

/**
 * The security pipeline: resolves once the batch is committed (durable), rejects to have it retried. Positions
 * are saved only after it resolves, so a batch is never skipped; it may be handed twice across a crash between
 * its commit and the position's save (at-least-once).
 */
export type IngestSink = (events: SecurityEvent[], meta: IngestBatchMeta) => Promise<void>;

/** pino's signature, which Fastify's logger and pino itself both satisfy. */
export interface IngestLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

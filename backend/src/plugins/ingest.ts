import fp from 'fastify-plugin';
import { FileIngester } from '../ingest/ingester';
import type { IngestSink, IngestStatus } from '../ingest/types';

declare module 'fastify' {
  interface FastifyInstance {
    /** File ingestion's state, for the status route. */
    ingest: { status(): Promise<IngestStatus> };
  }
}

export interface IngestPluginOptions {
  /** The security pipeline; required when `ingest.files` lists any file. */
  sink?: IngestSink;
}

const DISABLED: IngestStatus = { enabled: false, stateFile: null, files: [] };

/**
 * Tails the logs of `ingest.files` (docs/ingest.md) into the pipeline once the app is ready, and stops on close
 * after the batches being committed. Register it after the pipeline's own plugin, so that it closes first.
 */
export default fp<IngestPluginOptions>(
  async (app, opts) => {
    const config = app.config.ingest;
    if (config.files.length === 0) {
      app.decorate('ingest', { status: async () => DISABLED });
      return;
    }
    if (opts.sink === undefined) {
      throw new Error('ingest.files lists files but no pipeline was given to the ingest plugin (option sink)');
    }
    const log = app.log.child({ component: 'ingest' });
    const ingester = await FileIngester.open(config, { sink: opts.sink, log, registry: app.metrics.registry });
    app.decorate('ingest', ingester);
    app.addHook('onReady', async () => {
      ingester.start();
      for (const file of config.files) log.info({ file: file.path, jail: file.jail, from: file.from }, 'tailing');
    });
    app.addHook('onClose', async () => {
      await ingester.close();
      for (const file of (await ingester.status()).files) {
        log.info({ file: file.path, events: file.events, rejected: file.rejected, files: file.files }, 'stopped');
      }
    });
  },
  { name: 'ingest', dependencies: ['metrics'] }
);

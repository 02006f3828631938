/** File ingestion as a whole: one tailer per configured log, one position store, the metrics. */
import type { Registry } from 'prom-client';
import type { IngestConfig } from './config';
import { createIngestMetrics } from './metrics';
import { PositionStore } from './positions';
import { FileTailer } from './tailer';
import type { IngestLogger, IngestSink, IngestStatus } from './types';

export interface FileIngesterOptions {
  sink: IngestSink;
  log: IngestLogger;
  /** Registers the ingest_* metrics on it. */
  registry?: Registry;
}

export class FileIngester {
  private constructor(
    private readonly config: IngestConfig,
    private readonly tailers: FileTailer[]
  ) {}

  /** Loads the saved positions; `start` then follows every configured file. */
  static async open(config: IngestConfig, options: FileIngesterOptions): Promise<FileIngester> {
    const { log } = options;
    const paths = config.files.map((f) => f.path);
    const store = await PositionStore.open(config.stateFile, (err) =>
      log.warn({ stateFile: config.stateFile, err }, 'ingest: unreadable state file moved aside; positions start over')
    );
    store.retain(new Set(paths));
    const tailers: FileTailer[] = [];
    const ingester = new FileIngester(config, tailers);
    const metrics = options.registry && createIngestMetrics(options.registry, paths, () => ingester.fileStatuses());
    for (const file of config.files) {
      const { pollIntervalMs, batchSize, maxLineBytes, rotateWaitMs } = config;
      const tailer = new FileTailer({
        file,
        sink: options.sink,
        store,
        pollIntervalMs,
        batchSize,
        maxLineBytes,
        rotateWaitMs,
        log,
        metrics,
      });
      tailers.push(tailer);
    }
    return ingester;
  }

  start(): void {
    for (const tailer of this.tailers) tailer.start();
  }

  async status(): Promise<IngestStatus> {
    return { enabled: true, stateFile: this.config.stateFile, files: await this.fileStatuses() };
  }

  /** Stops every tailer; batches being committed are waited for and their positions saved. */
  async close(): Promise<void> {
    await Promise.all(this.tailers.map((t) => t.stop()));
  }

  private fileStatuses() {
    return Promise.all(this.tailers.map((t) => t.status()));
  }
}

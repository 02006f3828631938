/**
 * Ingestion metrics, on the app's own registry. Every series carries the configured path as `file`, so the label
 * set is bounded by the configuration; `reason` is one of the validator's few refusal reasons.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FileStatus } from './types';

export interface IngestMetrics {
  lines: Counter<'file'>;
  events: Counter<'file'>;
  rejected: Counter<'file' | 'reason'>;
  rotations: Counter<'file'>;
  truncations: Counter<'file'>;
  sinkFailures: Counter<'file'>;
}

/** `statuses` is read at scrape time for the gauges. */
export function createIngestMetrics(
  registry: Registry,
  files: readonly string[],
  statuses: () => Promise<FileStatus[]>
): IngestMetrics {
  const registers = [registry];
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['file'], registers });
  const metrics: IngestMetrics = {
    lines: counter('ingest_lines_total', 'Whole lines read from tailed logs, valid or not'),
    events: counter('ingest_events_total', 'Valid events read from tailed logs and committed by the pipeline'),
    rejected: new Counter({
      name: 'ingest_lines_rejected_total',
      help: 'Lines of tailed logs that are not valid events, by reason (too_long, invalid_utf8, invalid_json, invalid_<field>, blank)',
      labelNames: ['file', 'reason'],
      registers,
    }),
    rotations: counter('ingest_rotations_total', 'Times the path of a tailed log moved on to a new file'),
    truncations: counter('ingest_truncations_total', 'Times a tailed log was truncated or rewritten in place'),
    sinkFailures: counter('ingest_sink_failures_total', 'Batches the pipeline refused (each is retried)'),
  };
  for (const file of files) {
    for (const c of [metrics.lines, metrics.events, metrics.rotations, metrics.truncations, metrics.sinkFailures]) {
      c.inc({ file }, 0);
    }
  }
  let reading: Promise<FileStatus[]> | null = null;
  // Both gauges are set by one status read per scrape.
  const current = () => {
    reading ??= statuses().finally(() => setImmediate(() => (reading = null)));
    return reading;
  };
  new Gauge({
    name: 'ingest_bytes_behind',
    help: 'Bytes written to a tailed log (its rotated files included) and not committed yet',
    labelNames: ['file'],
    registers,
    async collect() {
      for (const s of await current()) this.set({ file: s.path }, s.bytesBehind);
    },
  });
  new Gauge({
    name: 'ingest_lag_seconds',
    help: 'Seconds since every complete line of a tailed log was last committed; 0 when caught up',
    labelNames: ['file'],
    registers,
    async collect() {
      for (const s of await current()) this.set({ file: s.path }, s.lagSeconds);
    },
  });
  return metrics;
}

import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { parseIngestConfig, type IngestConfig } from '../../src/ingest/config';
import { FileIngester } from '../../src/ingest/ingester';
import type { FileStatus, IngestBatchMeta, IngestLogger, IngestSink } from '../../src/ingest/types';
import type { SecurityEvent } from '../../src/soar/event';

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'secops-ingest-'));
}

/** A valid event line numbered `n` (carried in `msg`), newline included. */
export function line(n: number, extra: Record<string, unknown> = {}): string {
  const time = new Date(Date.UTC(2026, 2, 1, 12, 0, 0) + n * 1000).toISOString();
  return `${JSON.stringify({ time, event: 'auth.login.failed', ip: '198.51.100.7', msg: String(n), ...extra })}\n`;
}

export function lines(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n++) text += line(n);
  return text;
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

export function append(file: string, text: string | Buffer): void {
  appendFileSync(file, text);
}

/** Polls `condition` every 5 ms; a timeout names what was awaited. Loaded machines get 20 s. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const quietLog: IngestLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A logger that keeps what it is told. */
export function recordingLog(): IngestLogger & { messages: string[] } {
  const messages: string[] = [];
  const keep = (_obj: object, msg: string) => void messages.push(msg);
  return { messages, info: keep, warn: keep, error: keep };
}

/** A sink that records every committed event; `gate` (when set) is awaited before committing. */
export class RecordingSink {
  readonly events: SecurityEvent[] = [];
  readonly batches: { size: number; meta: IngestBatchMeta }[] = [];
  calls = 0;
  gate: ((events: SecurityEvent[]) => Promise<void>) | null = null;

  readonly sink: IngestSink = async (events, meta) => {
    this.calls++;
    if (this.gate) await this.gate(events);
    this.batches.push({ size: events.length, meta });
    this.events.push(...events);
  };

  /** The numbers (msg) of the committed events, in order. */
  get numbers(): number[] {
    return this.events.map((e) => Number(e.msg));
  }
}

export interface Harness {
  dir: string;
  config: IngestConfig;
  sink: RecordingSink;
  ingester: FileIngester;
  registry: Registry;
  status(file?: number): Promise<FileStatus>;
  /** Every path has a file, and every open file is read to its end and committed. */
  caughtUp(): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts ingestion of `section` (an `ingest` YAML section, with short test intervals) in `dir`. */
export async function startIngest(
  dir: string,
  section: Record<string, unknown>,
  options: { sink?: RecordingSink; log?: IngestLogger } = {}
): Promise<Harness> {
  const config = parseIngestConfig({ pollIntervalMs: 20, rotateWaitMs: 100, ...section }, 'ingest', dir, dir);
  const sink = options.sink ?? new RecordingSink();
  const registry = new Registry();
  const ingester = await FileIngester.open(config, { sink: sink.sink, log: options.log ?? quietLog, registry });
  ingester.start();
  const status = async (file = 0) => (await ingester.status()).files[file] as FileStatus;
  return {
    dir,
    config,
    sink,
    ingester,
    registry,
    status,
    caughtUp: async () =>
      (await ingester.status()).files.every(
        (f) => f.files.length > 0 && f.files.every((o) => o.readOffset === o.size && o.offset === o.size)
      ),
    close: () => ingester.close(),
  };
}

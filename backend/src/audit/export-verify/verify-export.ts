/** Verification of a whole jsonl export, from a file (streamed once) or from text held in memory. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { ExportVerifyReport } from './report';
import { readTrailer, trailerOf } from './trailer';
import { ExportVerifier, type ExportVerifyOptions } from './verifier';

export interface ExportFileOptions {
  publicKey?: KeyObject;
  /** Called every few megabytes with the bytes read and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Verifies an export file: the trailer is read from its end first, then every line streamed once. */
export async function verifyExportFile(filePath: string, options: ExportFileOptions = {}): Promise<ExportVerifyReport> {
  const total = (await stat(filePath)).size;
  const verifier = new ExportVerifier({ publicKey: options.publicKey, checkpoint: await readTrailer(filePath) });
  const input = createReadStream(filePath, { highWaterMark: 1 << 16 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let reported = 0;
  try {
    for await (const line of lines) {
      if (!verifier.push(line)) break;
      if (options.onProgress && input.bytesRead - reported >= 1 << 22) {
        reported = input.bytesRead;
        options.onProgress(reported, total);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
  options.onProgress?.(total, total);
  return verifier.result();
}

/** Verifies an export held in memory (tests, small exports). */
export function verifyExportText(
  text: string,
  options: Omit<ExportVerifyOptions, 'checkpoint'> = {}
): ExportVerifyReport {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const verifier = new ExportVerifier({ ...options, checkpoint: trailerOf(lines.at(-1) ?? '') });
  for (const line of lines) if (!verifier.push(line)) break;
  return verifier.result();
}

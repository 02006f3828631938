/**
 * `audit verify-export` and `audit verify-file`: verification without the database or the server, from an export
 * or a local file log and a public key. Exit codes as for `audit verify`: 0 valid, 1 invalid; errors are
 * thrown for the caller to map (ConfigError → 78, anything else → 2).
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { loadVerifyKey } from '../audit/checkpoint';
import { verifyExportFile, type ExportVerifyReport } from '../audit/export-verify';
import { isHashHex } from '../audit/hash';
import { verifyLogFile, type KnownHead, type LogVerifyReport } from '../audit/immutable-log';
import { ConfigError } from '../config';
import { formatDuration, Progress } from './progress';

/** Below this size a file verifies in well under a second: no progress lines. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

interface VerifyExportOptions {
  publicKey?: string;
  requireCheckpoint?: boolean;
  json?: boolean;
}

interface VerifyFileOptions {
  treeSize?: string;
  rootHash?: string;
  json?: boolean;
}

export function registerOfflineAuditCommands(audit: Command): void {
  audit
    .command('verify-export')
    .description(
      'verify a jsonl export offline: re-hash every entry, check its fields, the chain and the signed checkpoint; exit code 0 when valid, 1 when not'
    )
    .argument('<file>', 'export from GET /api/audit/export?format=jsonl')
    .option(
      '--public-key <pem-file>',
      'Ed25519 public key (PEM) that signed the checkpoint (GET /api/audit/public-key)'
    )
    .option('--require-checkpoint', 'also exit 1 unless the signed checkpoint was verified and its root recomputed')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: VerifyExportOptions) => {
      process.exitCode = await verifyExportCommand(file, options);
    });

  audit
    .command('verify-file')
    .description(
      'verify a local append-only audit file (ImmutableLog) without locking it; exit code 0 when valid, 1 when not'
    )
    .argument('<file>', 'the JSONL file log')
    .option('--tree-size <n>', 'size of a tree head recorded elsewhere, which the file must still reproduce')
    .option('--root-hash <hex>', 'root of that tree head (with --tree-size)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: VerifyFileOptions) => {
      process.exitCode = await verifyFileCommand(file, options);
    });
}

function readPublicKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--public-key', `cannot be read: ${(err as Error).message}`);
  }
  try {
    return loadVerifyKey(pem);
  } catch (err) {
    throw new ConfigError('--public-key', `is not an Ed25519 PEM key: ${(err as Error).message}`);
  }
}

/** A Progress on stderr for files big enough to take a while. */
async function progressFor(file: string, label: string): Promise<Progress | undefined> {
  return (await stat(file)).size >= PROGRESS_MIN_BYTES ? new Progress({ label, unit: 'bytes' }) : undefined;
}

async function verifyExportCommand(file: string, options: VerifyExportOptions): Promise<number> {
  const publicKey = options.publicKey === undefined ? undefined : readPublicKey(options.publicKey);
  const progress = await progressFor(file, 'verify-export');
  const report = await verifyExportFile(file, {
    publicKey,
    onProgress: progress && ((done, total) => progress.update(done, total)),
  });
  const ms = progress?.done();
  const complete = report.coverage === 'checkpoint';
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(exportSummary(report, ms));
    if (report.valid && options.requireCheckpoint && !complete) {
      process.stdout.write('INVALID for --require-checkpoint: the signed checkpoint was not verified in full\n');
    }
  }
  return report.valid && (complete || !options.requireCheckpoint) ? 0 : 1;
}

function exportSummary(report: ExportVerifyReport, ms: number | undefined): string {
  const took = ms === undefined ? '' : ` in ${formatDuration(ms / 1000)}`;
  const key = report.publicKeyFingerprint ? `public key: ${report.publicKeyFingerprint}\n` : '';
  if (!report.valid) {
    const at = report.firstInvalid;
    const seq = at?.seq === null || at?.seq === undefined ? '' : ` (seq ${at.seq})`;
    return `${key}INVALID at line ${at?.line}${seq}: ${at?.reason}\n`;
  }
  const order = report.order === 'desc' ? ', newest first' : report.order === 'asc' ? ', oldest first' : '';
  const span = report.entries > 0 ? ` (seq ${report.firstSeq}..${report.lastSeq}${order})` : '';
  const lines = [
    `${key}valid: ${report.entries} entries${span} checked${took}; verified up to: ${report.coverage}`,
    ...report.proven.map((line) => `  proven: ${line}`),
    ...report.notProven.map((line) => `  not proven: ${line}`),
  ];
  return `${lines.join('\n')}\n`;
}

function knownHead(options: VerifyFileOptions): KnownHead | undefined {
  if (options.treeSize === undefined && options.rootHash === undefined) return undefined;
  if (options.treeSize === undefined || !/^\d+$/.test(options.treeSize)) {
    throw new ConfigError(
      '--tree-size',
      `must be a non-negative integer given with --root-hash (got "${options.treeSize ?? ''}")`
    );
  }
  if (!isHashHex(options.rootHash)) {
    throw new ConfigError('--root-hash', 'must be 64 lowercase hex characters given with --tree-size');
  }
  return { treeSize: Number(options.treeSize), rootHash: options.rootHash };
}

async function verifyFileCommand(file: string, options: VerifyFileOptions): Promise<number> {
  const head = knownHead(options);
  const progress = await progressFor(file, 'verify-file');
  const report = await verifyLogFile(file, {
    knownHeads: head ? [head] : [],
    onProgress: progress && ((done, total) => progress.update(done, total)),
  });
  const ms = progress?.done();
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(fileSummary(report, head, ms));
  return report.valid ? 0 : 1;
}

function fileSummary(report: LogVerifyReport, head: KnownHead | undefined, ms: number | undefined): string {
  const warnings = report.warnings.map((warning) => `warning: ${warning}\n`).join('');
  if (!report.valid) {
    const at = report.firstInvalid;
    return `${warnings}INVALID at line ${at?.line} (seq ${at?.seq}): ${at?.reason} (${report.checked} entries verified before it)\n`;
  }
  const took = ms === undefined ? '' : ` in ${formatDuration(ms / 1000)}`;
  const matched = head ? `; the known head of ${head.treeSize} entries matches` : '';
  return (
    `${warnings}valid: ${report.checked} entries checked${took}; tree size ${report.checked}, root ${report.rootHash}, head ${report.headHash}${matched}\n` +
    (head
      ? ''
      : '  not proven: that no entries were removed from the end or rewritten with every later hash; compare the root with a head recorded elsewhere (--tree-size, --root-hash)\n')
  );
}

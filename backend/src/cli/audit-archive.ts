/**
 * `cartae-secops audit archive`: moves the payload of entries past retention into a signed archive file and
 * clears it in the database, hashes kept (docs/audit-retention.md); `audit verify-archive` checks such files
 * offline. Errors are thrown for the caller's exit code: ConfigError (78) for options and configuration, any
 * other error (2) when archiving fails.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { archiveAuditEntries, ArchiveFileError, verifyArchiveFile, type ArchiveRun } from '../audit/archive';
import { readVerifyKey, resolveSigningKey, signingKeyFile } from '../audit/signing-key';
import { ConfigError, loadConfig, type Config, type Env } from '../config';
import { openDatabase } from '../db';
import { migrationStatus } from '../db/migrate';
import { Progress } from './progress';

type CommonOptions = { config?: string; dataDir?: string };
type ArchiveOptions = CommonOptions & { before: string; out?: string; dryRun?: boolean };
type VerifyArchiveOptions = CommonOptions & { publicKey?: string };

const CONFIG_FLAGS = ['-c, --config <file>', 'YAML configuration file (env SOAR_CONFIG)'] as const;
const DATA_DIR_FLAGS = ['-d, --data-dir <dir>', 'data folder for PGlite and generated secrets (env DATA_DIR)'] as const;

/** Adds `archive` and `verify-archive` to the `audit` command. */
export function registerArchiveCommand(audit: Command): void {
  audit
    .command('archive')
    .description(
      'write the entries older than --before to a signed archive file, then clear their payload in the database; ' +
        'their hashes stay, so the chain, checkpoints and proofs still verify'
    )
    .requiredOption(
      '--before <date>',
      'archive entries before this instant (2019-01-01 or 2019-01-01T00:00:00Z); it must be past the retention period'
    )
    .option('--out <file>', 'archive file to create (default: a new file in <data dir>/archives)')
    .option('--dry-run', 'only show what would be archived')
    .option(...CONFIG_FLAGS)
    .option(...DATA_DIR_FLAGS)
    .action(async (options: ArchiveOptions) => {
      process.exitCode = await archiveCommand(configFrom(options), options);
    });

  audit
    .command('verify-archive')
    .description(
      'check archive files offline: every entry re-hashed, the links between entries, the file hash and the ' +
        'signature; exit code 0 when all are valid, 1 when one is not'
    )
    .argument('<files...>', 'archive files written by audit archive')
    .option('--public-key <file>', 'PEM key that verifies the signature (default: the configured or stored key)')
    .option(...CONFIG_FLAGS)
    .option(...DATA_DIR_FLAGS)
    .action(async (files: string[], options: VerifyArchiveOptions) => {
      process.exitCode = await verifyArchiveCommand(configFrom(options), files, options);
    });
}

function configFrom(options: CommonOptions): Config {
  const env: Record<string, string | undefined> = { ...process.env };
  if (options.config !== undefined) env.SOAR_CONFIG = options.config;
  if (options.dataDir !== undefined) env.DATA_DIR = options.dataDir;
  return loadConfig(env as Env);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339 with a zone: a zone-less time would be read in this host's time zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** `--before`: a UTC date or an RFC 3339 date-time with a zone. */
export function parseBefore(value: string): Date {
  const text = DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value;
  const date = new Date(text);
  if (!DATE_TIME.test(text) || Number.isNaN(date.getTime())) {
    throw new ConfigError('--before', `must be a date such as 2019-01-01 or 2019-01-01T00:00:00Z (got "${value}")`);
  }
  return date;
}

const compact = (date: Date) => date.toISOString().replace(/[-:]|\.\d{3}/g, '');

async function archiveCommand(config: Config, options: ArchiveOptions): Promise<number> {
  const before = parseBefore(options.before);
  if (config.audit.signingKey === undefined && !existsSync(signingKeyFile(config.dataDir))) {
    throw new ConfigError(
      'AUDIT_SIGNING_KEY',
      `is needed to sign archives: set it, or start the server once so that it stores its key in ${config.dataDir}`
    );
  }
  const key = resolveSigningKey(config.audit.signingKey, config.dataDir);
  const out =
    options.out ??
    path.join(config.dataDir, 'archives', `audit-before-${compact(before)}-${compact(new Date())}.jsonl`);
  const db = await openDatabase(config);
  try {
    const status = await migrationStatus(db);
    if (status.pending.length > 0) {
      throw new Error(`the database has ${status.pending.length} pending migration(s): run cartae-secops migrate`);
    }
    const { stdout, stderr } = process;
    stderr.write(`database: ${db.location}\nsigning key: ${key.fingerprint} (${key.source})\n`);
    stderr.write(`retention: ${config.audit.retentionDays} days; archiving entries before ${before.toISOString()}\n`);
    const progress = new Progress({ label: 'archive', unit: 'entries' });
    const result = await archiveAuditEntries(db, key, {
      before,
      out,
      retentionDays: config.audit.retentionDays,
      dryRun: options.dryRun === true,
      onProgress: (written, total) => progress.update(written, total),
    });
    progress.done();
    const range = (run: ArchiveRun) => `${run.count} entries (seq ${run.fromSeq}..${run.toSeq})`;
    if (result.resumed) {
      stdout.write(
        result.dryRun
          ? `an interrupted run would be finished first: ${range(result.resumed)} to ${result.resumed.file}\n`
          : `finished an interrupted run: ${range(result.resumed)} archived to ${result.resumed.file}\n`
      );
    }
    const run = result.archived;
    if (!run) stdout.write(`nothing to archive: no entry before ${before.toISOString()} still has its payload\n`);
    else if (result.dryRun) stdout.write(`would archive ${range(run)} to ${run.file}\n`);
    else {
      stdout.write(
        `archived ${range(run)} to ${run.file} (sha256 ${run.fileSha256}); their payload is cleared, their hashes stay\n`
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

async function verifyArchiveCommand(config: Config, files: string[], options: VerifyArchiveOptions): Promise<number> {
  const key = readVerifyKey(config.audit.signingKey, config.dataDir, options.publicKey);
  if (!key) {
    throw new ConfigError(
      '--public-key',
      `is needed: no AUDIT_SIGNING_KEY and no key in ${config.dataDir} to check archive signatures with`
    );
  }
  process.stderr.write(`archive key: ${key.fingerprint} (${key.source})\n`);
  let valid = true;
  for (const file of files) {
    try {
      const trailer = await verifyArchiveFile(file, key);
      process.stdout.write(
        `valid: ${file}: ${trailer.count} entries (seq ${trailer.fromSeq}..${trailer.toSeq}), signed ${trailer.createdAt}\n`
      );
    } catch (err) {
      if (!(err instanceof ArchiveFileError)) throw err;
      valid = false;
      process.stdout.write(`INVALID: ${err.message}\n`);
    }
  }
  return valid ? 0 : 1;
}

#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Env } from '../config';
import { openDatabase } from '../db';
import { migrate, migrationStatus } from '../db/migrate';
import { createLogger } from '../logging';
import { packageVersion } from '../package-info';
import { closeOnSignals, startServer } from '../server';
import { readVerifyKey } from '../audit/signing-key';
import { verifyAuditLog } from '../audit/verify';
import { recordVerification } from '../audit/verifications';
import { hostname, userInfo } from 'node:os';
import { formatDuration, formatRate, Progress } from './progress';
import { registerOfflineAuditCommands } from './audit-offline';
import { registerArchiveCommand } from './audit-archive';
import { registerDemoCommand } from './demo';
import { registerReplayCommand } from './replay';
import { syncRetentionDays } from '../audit/archive';

/** Command-line options override the matching environment variables. */
function configFrom(
  options: Record<string, string | undefined>,
  names: Record<string, string>
): ReturnType<typeof loadConfig> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [option, variable] of Object.entries(names)) {
    const value = options[option];
    if (value !== undefined) env[variable] = value;
  }
  return loadConfig(env as Env);
}

const configOption = new Option('-c, --config <file>', 'YAML configuration file (env SOAR_CONFIG)');
const dataDirOption = new Option('-d, --data-dir <dir>', 'data folder for PGlite and generated secrets (env DATA_DIR)');

export function buildCli(): Command {
  const program = new Command('cartae-secops')
    .description('Cartae Security Ops API: tamper-evident audit trail, SOAR, Fail2ban control and playbooks')
    .version(packageVersion())
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the API server (applies pending migrations first)')
    .option('-H, --host <address>', 'listen address (env HOST, default 127.0.0.1)')
    .option('-p, --port <port>', 'listen port (env PORT, default 3010)')
    .addOption(configOption)
    .addOption(dataDirOption)
    .action(async (options: Record<string, string | undefined>) => {
      const config = configFrom(options, { host: 'HOST', port: 'PORT', config: 'SOAR_CONFIG', dataDir: 'DATA_DIR' });
      const log = createLogger(config.logLevel);
      const server = await startServer(config, { logger: log });
      closeOnSignals(server, log);
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit (a no-op when none are pending)')
    .option('--status', 'only list applied and pending migrations')
    .addOption(configOption)
    .addOption(dataDirOption)
    .action(async (options: Record<string, string | undefined> & { status?: boolean }) => {
      const config = configFrom(options, { config: 'SOAR_CONFIG', dataDir: 'DATA_DIR' });
      const db = await openDatabase(config);
      try {
        const out = process.stdout;
        out.write(`database: ${db.location}\n`);
        if (options.status) {
          const status = await migrationStatus(db);
          for (const m of status.applied) {
            out.write(`applied  ${String(m.version).padStart(4, '0')}_${m.name}  ${m.appliedAt.toISOString()}\n`);
          }
          for (const m of status.pending) out.write(`pending  ${String(m.version).padStart(4, '0')}_${m.name}\n`);
          out.write(`${status.applied.length} applied, ${status.pending.length} pending\n`);
        } else {
          const applied = await migrate(db);
          await syncRetentionDays(db, config.audit.retentionDays);
          for (const m of applied) out.write(`applied  ${String(m.version).padStart(4, '0')}_${m.name}\n`);
          out.write(applied.length === 0 ? 'schema is up to date\n' : `${applied.length} migration(s) applied\n`);
        }
      } finally {
        await db.close();
      }
    });

  const audit = program
    .command('audit')
    .description('audit trail: verify it in the database, verify an export or a file log offline');
  audit
    .command('verify')
    .description(
      're-hash every stored entry and check the chain, seq continuity and the signed checkpoints; exit code 0 when valid, 1 when not'
    )
    .option('--from-seq <n>', 'first seq to check (default 0)')
    .option('--to-seq <n>', 'last seq to check (default: the last entry)')
    .option(
      '--public-key <file>',
      'PEM key that verifies checkpoint signatures (default: the configured or stored key)'
    )
    .option('--json', 'print the report as JSON')
    .option('--no-record', 'do not record the run in the database (by default it counts for the integrity status)')
    .option(
      '--archive <file>',
      'archive file written by audit archive: its entries are re-hashed too (repeat for several)',
      (value: string, previous: string[] = []) => [...previous, value]
    )
    .addOption(configOption)
    .addOption(dataDirOption)
    .action(async (options: VerifyCliOptions) => {
      const config = configFrom(options, { config: 'SOAR_CONFIG', dataDir: 'DATA_DIR' });
      process.exitCode = await verifyCommand(config, options);
    });
  registerOfflineAuditCommands(audit);
  registerArchiveCommand(audit);
  registerReplayCommand(program);
  registerDemoCommand(program);

  return program;
}

function seqOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a non-negative integer (got "${value}")`);
  return Number(value);
}

type VerifyCliOptions = Record<string, string | undefined> & { json?: boolean; archive?: string[]; record?: boolean };

async function verifyCommand(config: ReturnType<typeof loadConfig>, options: VerifyCliOptions): Promise<number> {
  const fromSeq = seqOption('--from-seq', options.fromSeq);
  const toSeq = seqOption('--to-seq', options.toSeq);
  const key = readVerifyKey(config.audit.signingKey, config.dataDir, options.publicKey);
  if (!key) {
    throw new ConfigError(
      '--public-key',
      `is needed: no AUDIT_SIGNING_KEY and no key in ${config.dataDir} to check checkpoint signatures with`
    );
  }
  const db = await openDatabase(config);
  try {
    const status = await migrationStatus(db);
    if (status.pending.length > 0) {
      throw new Error(`the database has ${status.pending.length} pending migration(s): run cartae-secops migrate`);
    }
    const progress = new Progress({ label: 'verify', unit: 'entries' });
    process.stderr.write(`database: ${db.location}\ncheckpoint key: ${key.fingerprint} (${key.source})\n`);
    const verifyOptions = {
      fromSeq,
      toSeq,
      archives: options.archive,
      onProgress: (checked: number, total: number) => progress.update(checked, total),
    };
    const startedAt = new Date();
    const report = await verifyAuditLog(db, key, verifyOptions);
    if (options.record !== false) {
      await recordVerification(
        db,
        { source: 'cli', actor: cliActor() },
        verifyOptions,
        report,
        startedAt,
        new Date()
      ).catch((err: unknown) =>
        process.stderr.write(
          `warning: the run could not be recorded (${(err as Error).message}); it does not count for the integrity status\n`
        )
      );
    }
    const ms = progress.done();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...report, durationMs: ms })}\n`);
    } else {
      const rate = ms > 0 ? `, ${formatRate((report.checked * 1000) / ms)} entries/s` : '';
      process.stdout.write(
        report.valid
          ? `valid: ${report.checked} entries checked in ${formatDuration(ms / 1000)}${rate}; tree size ${report.treeSize}, root ${report.rootHash}; ${report.checkpointsChecked} signed checkpoint(s) match${archivedNote(report)}\n`
          : `INVALID at seq ${report.firstInvalid?.seq}: ${report.firstInvalid?.reason} (${report.checked} entries verified before it)\n`
      );
    }
    return report.valid ? 0 : 1;
  } finally {
    await db.close();
  }
}

/** The operating-system user who ran the CLI, as recorded with a verification. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}@${hostname()}`;
  } catch {
    return `cli:@${hostname()}`;
  }
}

function archivedNote(report: { archived?: number; archivedRehashed?: number }): string {
  if (!report.archived) return '';
  const rehashed =
    report.archivedRehashed === undefined
      ? 'pass --archive <file> to re-hash them'
      : `${report.archivedRehashed} re-hashed from archive files`;
  return `; ${report.archived} archived (linked by their stored hashes; ${rehashed})`;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`;
    process.stderr.write(`cartae-secops: ${message}\n`);
    // 78 = EX_CONFIG (sysexits.h); 2 for other errors, since `audit verify` exits 1 for an invalid trail.
    process.exitCode = err instanceof ConfigError ? 78 : 2;
  }
}

if (require.main === module) void main();

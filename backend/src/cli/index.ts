#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Env } from '../config';
import { openDatabase } from '../db';
import { migrate, migrationStatus } from '../db/migrate';
import { createLogger } from '../logging';
import { packageVersion } from '../package-info';
import { closeOnSignals, startServer } from '../server';

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
          for (const m of applied) out.write(`applied  ${String(m.version).padStart(4, '0')}_${m.name}\n`);
          out.write(applied.length === 0 ? 'schema is up to date\n' : `${applied.length} migration(s) applied\n`);
        }
      } finally {
        await db.close();
      }
    });

  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`;
    process.stderr.write(`cartae-secops: ${message}\n`);
    process.exitCode = err instanceof ConfigError ? 78 : 1; // 78 = EX_CONFIG (sysexits.h)
  }
}

if (require.main === module) void main();

/**
 * `cartae-secops demo [--url] [--duration] [--rate]`: drives realistic traffic and attacks at a running backend
 * through its real API (demo/), printing progress and a summary. Tokens come from the backend's own variables
 * (SECOPS_VIEWER_TOKEN, SECOPS_ADMIN_TOKEN, SECOPS_INGEST_TOKEN, or their _FILE forms), else from the files the
 * backend generates in its data folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ROLES } from '../auth/roles';
import { tokenEnvName, tokenFile, type Tokens } from '../auth/tokens';
import { ConfigError } from '../config/errors';
import { envSecret, envString, type Env } from '../config/env';
import { formatSummary, MAX_DURATION_SECONDS, runDemo } from '../demo/run';

interface DemoCliOptions {
  url: string;
  duration: string;
  rate: string;
  dataDir?: string;
}

function intOption(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('--url', `is not a URL (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('--url', `must be an http or https URL (got "${value}")`);
  }
  return url;
}

/** Each role's token: its variable (or _FILE), else the file the backend generated in `dataDir`. */
export function demoTokens(env: Env, dataDir: string): Tokens {
  const tokens = {} as Tokens;
  for (const role of ROLES) {
    const configured = envSecret(env, tokenEnvName(role));
    const file = tokenFile(dataDir, role);
    if (configured !== undefined) tokens[role] = configured;
    else if (existsSync(file)) tokens[role] = readFileSync(file, 'utf8').trim();
    else {
      throw new ConfigError(
        tokenEnvName(role),
        `is not set and ${file} does not exist: give the backend's ${role} token (or --data-dir of the backend)`
      );
    }
  }
  return tokens;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'drive realistic traffic and attacks (brute force, admin probing, a flood, a port scan, Fail2ban reports) at a running backend through its API, then print a summary'
    )
    .option('-u, --url <url>', 'the backend', 'http://127.0.0.1:3010')
    .option('--duration <seconds>', `how long to run (1 to ${MAX_DURATION_SECONDS})`, '60')
    .option('--rate <n>', 'ordinary authenticated reads per second (1 to 100)', '5')
    .option(
      '-d, --data-dir <dir>',
      'the backend’s data folder, for the tokens it generated when no SECOPS_*_TOKEN is set (env DATA_DIR, default ./data)'
    )
    .action(async (options: DemoCliOptions) => {
      const env = process.env;
      // npm runs workspace scripts in the workspace folder; ./data means the folder the command was typed in.
      const cwd = envString(env, 'INIT_CWD') ?? process.cwd();
      const dataDir = path.resolve(cwd, options.dataDir ?? envString(env, 'DATA_DIR') ?? 'data');
      const url = parseUrl(options.url);
      const durationSeconds = intOption('--duration', options.duration, 1, MAX_DURATION_SECONDS);
      const rate = intOption('--rate', options.rate, 1, 100);
      const tokens = demoTokens(env, dataDir);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const log = (line: string) => process.stdout.write(`${line}\n`);
      log(`demo: ${durationSeconds} s of traffic and attacks at ${url.origin}`);
      try {
        const summary = await runDemo({ url, tokens, durationSeconds, rate, out: log, signal: controller.signal });
        log(formatSummary(summary));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

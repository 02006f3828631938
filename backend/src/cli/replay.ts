/**
 * `cartae-secops replay [--config <soar-config.yml>] <log.jsonl> [--stats]`: the auto-blocker's rules over a log
 * file at event time, without a database. One JSON line per decision on stdout; with --stats, per-rule counts,
 * rejected lines by reason and throughput on stderr. Configuration errors throw ConfigError (exit 78), others
 * Error (exit 2); a malformed line never stops the run.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import { loadAutoBlockerConfig } from '../soar/config-file';
import { RuleEngine, type Decision } from '../soar/engine';
import { formatDecision, LogReplay } from '../soar/replay';
import { formatRate, Progress } from './progress';

interface ReplayOptions {
  config?: string;
  stats?: boolean;
}

/** Reads in large chunks: the per-chunk work (UTF-8 check, output flush) is then negligible. */
const CHUNK_BYTES = 1 << 20;
/** Files at least this big show progress on a terminal. */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'run the auto-blocker rules over a JSON-lines log at event time, without a database; prints one JSON line per decision: {"ip","ruleId","at","duration","banNumber"} (duration -1 = permanent)'
    )
    .argument('<log>', 'JSON-lines log of security events ("-" for standard input)')
    .option(
      '-c, --config <file>',
      'YAML configuration with the autoBlocker section (env SOAR_CONFIG; else built-in rules)'
    )
    .option('--stats', 'print per-rule matches and decisions, rejected lines by reason and lines/s on stderr')
    .action(async (log: string, options: ReplayOptions) => {
      await replayCommand(log, options);
    });
}

async function replayCommand(log: string, options: ReplayOptions): Promise<void> {
  const { config } = loadAutoBlockerConfig(options.config);
  const decisions = { bans: 0, permanent: 0, alerts: 0 };
  let out = '';
  const onDecision = (d: Decision) => {
    if (d.action === 'alert') decisions.alerts++;
    else if (d.duration === -1) decisions.permanent++;
    else decisions.bans++;
    out += formatDecision(d);
  };
  const replay = new LogReplay(new RuleEngine(config, { onDecision }));
  let closed = false;
  let outputError: Error | undefined;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    closed = true; // EPIPE: the reader went away (`| head`), stop quietly
    if (err.code !== 'EPIPE') outputError = err;
  });
  const flush = async () => {
    if (out === '' || closed) return;
    const ok = process.stdout.write(out);
    out = '';
    if (!ok) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'error')]);
  };

  const started = process.hrtime.bigint();
  const size = log === '-' ? 0 : (await stat(log)).size; // first: a missing file fails here with a plain error
  const input = log === '-' ? process.stdin : createReadStream(log, { highWaterMark: CHUNK_BYTES });
  const progress =
    process.stderr.isTTY && size >= PROGRESS_MIN_BYTES ? new Progress({ label: 'replay', unit: 'bytes' }) : undefined;
  let read = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    replay.push(chunk);
    read += chunk.length;
    progress?.update(read, size);
    await flush();
    if (closed) break;
  }
  replay.end();
  await flush();
  progress?.done();
  if (outputError) throw outputError;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (options.stats) process.stderr.write(formatReplayStats(replay, decisions, seconds));
}

export function formatReplayStats(
  replay: LogReplay,
  decisions: { bans: number; permanent: number; alerts: number },
  seconds: number
): string {
  const engine = replay.engine;
  const rate = seconds > 0 ? formatRate(replay.lines / seconds) : '?';
  const rules = engine.ruleStats();
  const width = Math.max(4, ...rules.map((r) => r.id.length));
  const rejected = [...replay.rejected].sort((a, b) => b[1] - a[1]);
  return [
    `lines: ${replay.lines} in ${seconds.toFixed(2)} s (${rate} lines/s): ${replay.events} events, ${replay.rejectedCount} rejected`,
    `events: ${engine.whitelisted} whitelisted, ${engine.blocked} blocked (IP banned)`,
    `decisions: ${decisions.bans} temporary bans, ${decisions.permanent} permanent bans, ${decisions.alerts} alerts`,
    `${'rule'.padEnd(width)}  ${'matched'.padStart(10)}  ${'decisions'.padStart(10)}`,
    ...rules.map(
      (r) => `${r.id.padEnd(width)}  ${String(r.matched).padStart(10)}  ${String(r.decisions).padStart(10)}`
    ),
    `rejected: ${rejected.length === 0 ? 'none' : rejected.map(([reason, n]) => `${reason} ${n}`).join(', ')}`,
    '',
  ].join('\n');
}

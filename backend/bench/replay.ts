/**
 * `cartae-secops replay` against `fail2ban-regex`, side by side on the same generated log (1,000,000 lines by
 * default, deterministic): lines/s of each, end to end as processes (replay: the median of three runs;
 * fail2ban-regex, far slower, runs once), their ratio (target: replay ≥ 7×), the
 * rule engine alone in-process, and a check that the IPs the api-auth rule bans are exactly those a Fail2ban
 * jail with the same maxretry/findtime bans given fail2ban-regex's matches. Prints a markdown table.
 *
 *   npm run build && node dist/bench/replay.js
 *   BENCH_REPLAY_LINES=200000 node dist/bench/replay.js
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadAutoBlockerConfig } from '../src/soar/config-file';
import { RuleEngine } from '../src/soar/engine';
import type { RuleInput } from '../src/soar/event';
import { EventScanner } from '../src/soar/event-scanner';
import { jailBans, runFail2banRegex, writeAuthFilter } from './fail2ban-jail';
import { generateReplayLog } from './replay-log';

/** backend/, whether this runs from bench/ (tsx) or dist/bench/ (built). */
const BACKEND = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
const BIN = path.join(BACKEND, 'bin/cartae-secops.js');
const SHIPPED_CONFIG = path.resolve(BACKEND, '../provisioning/soar/soar-config.yml');
const AUTH_RULE = 'api-auth';
export const REPLAY_TARGET_RATIO = 7;

export interface ReplayBenchRow {
  case: string;
  lines: number;
  seconds: number;
  result: string;
}

export interface ReplayBenchResult {
  rows: ReplayBenchRow[];
  /** replay lines/s over fail2ban-regex lines/s (both end to end). */
  ratio: number;
  replayBans: string[];
  jailBans: string[];
  equal: boolean;
}

interface ReplayRun {
  seconds: number;
  decisions: { ip: string; ruleId: string; duration: number }[];
}

function replay(log: string, config: string): Promise<ReplayRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, 'replay', '--config', config, log, '--stats']);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`replay exited with ${code}: ${err}`));
      const decisions = out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ReplayRun['decisions'][number]);
      resolve({ seconds, decisions });
    });
  });
}

/**
 * The engine alone: events scanned beforehand (with the address slots the log reader hands the engine), then
 * timed through RuleEngine#process with a fresh engine per pass; the best of three passes (the first warms up).
 */
function engineAlone(log: string, configFile: string): { events: number; seconds: number } {
  const buf = readFileSync(log);
  const scanner = new EventScanner();
  const events: RuleInput[] = [];
  for (let start = 0; start < buf.length;) {
    const end = buf.indexOf(10, start);
    const stop = end < 0 ? buf.length : end;
    if (scanner.scan(buf, start, stop)) {
      const { timeMs, event, ip, method, status, path, slot } = scanner;
      events.push({ timeMs, event, ip, method, status, path, slot });
    }
    start = stop + 1;
  }
  const config = loadAutoBlockerConfig(configFile).config;
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const engine = new RuleEngine(config);
    const started = process.hrtime.bigint();
    for (const event of events) engine.process(event);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return { events: events.length, seconds: best };
}

function crowdsecVersion(): string | null {
  const run = spawnSync('crowdsec', ['-version'], { encoding: 'utf8' });
  return run.error ? null : (run.stdout || run.stderr).split('\n')[0] || 'installed';
}

export async function runReplayBench(options: {
  lines: number;
  log?: (line: string) => void;
}): Promise<ReplayBenchResult> {
  const say = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = mkdtempSync(path.join(tmpdir(), 'replay-bench-'));
  try {
    const log = path.join(dir, 'api.jsonl');
    const generated = generateReplayLog(log, options.lines);
    say(
      `generated ${generated.lines} lines (${generated.attackLines} from attackers, ${generated.malformed} malformed), ${(statSync(log).size / 1e6).toFixed(0)} MB`
    );
    const { config } = loadAutoBlockerConfig(SHIPPED_CONFIG);
    const auth = config.rules.find((rule) => rule.id === AUTH_RULE);
    if (!auth) throw new Error(`the shipped configuration has no ${AUTH_RULE} rule`);
    const authConfig = path.join(dir, 'auth-only.yml');
    writeFileSync(authConfig, stringify({ autoBlocker: { ...config, rules: [auth] } }));
    const filter = path.join(dir, 'cartae-api-auth.conf');
    writeAuthFilter(filter);

    say('replay, all rules (3 runs)…');
    const runs = [
      await replay(log, SHIPPED_CONFIG),
      await replay(log, SHIPPED_CONFIG),
      await replay(log, SHIPPED_CONFIG),
    ];
    const full = runs.sort((a, b) => a.seconds - b.seconds)[1] as ReplayRun; // the median: this machine is shared
    say('replay, api-auth only…');
    const authOnly = await replay(log, authConfig);
    say('rule engine alone…');
    const alone = engineAlone(log, SHIPPED_CONFIG);
    say('fail2ban-regex…');
    const f2b = await runFail2banRegex(log, filter);
    const jail = jailBans(f2b.matchedLines, {
      maxretry: auth.threshold,
      findtimeMs: auth.windowMs,
      bantimeMs: auth.duration * 1000,
      ignoreip: config.whitelist,
    });
    const replayBans = [...new Set(authOnly.decisions.map((d) => d.ip))].sort();
    const jailSorted = [...jail].sort();
    const bans = full.decisions.filter((d) => d.duration !== 0);
    const crowdsec = crowdsecVersion();
    const rows: ReplayBenchRow[] = [
      {
        case: 'replay, all rules (process, end to end, median of 3)',
        lines: generated.lines,
        seconds: full.seconds,
        result: `${bans.length} bans (${bans.filter((d) => d.duration === -1).length} permanent)`,
      },
      {
        case: `replay, ${AUTH_RULE} only (process, end to end)`,
        lines: generated.lines,
        seconds: authOnly.seconds,
        result: `${replayBans.length} IPs banned`,
      },
      {
        case: 'rule engine alone (in-process, all rules, best of 3)',
        lines: alone.events,
        seconds: alone.seconds,
        result: '',
      },
      {
        case: 'fail2ban-regex, equivalent auth filter',
        lines: f2b.lines,
        seconds: f2b.seconds,
        result: `${f2b.matched} lines matched`,
      },
      {
        case: `Fail2ban jail on those matches (maxretry ${auth.threshold}, findtime ${auth.windowMs / 1000} s)`,
        lines: f2b.matched,
        seconds: 0,
        result: `${jailSorted.length} IPs banned`,
      },
      {
        case: 'CrowdSec',
        lines: 0,
        seconds: 0,
        result: crowdsec === null ? 'not installed' : `${crowdsec} (not benchmarked)`,
      },
    ];
    const ratio = generated.lines / full.seconds / (f2b.lines / f2b.seconds);
    const equal = replayBans.length === jailSorted.length && replayBans.every((ip, i) => ip === jailSorted[i]);
    return { rows, ratio, replayBans, jailBans: jailSorted, equal };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatReplayBenchTable(result: ReplayBenchResult): string {
  const rate = (r: ReplayBenchRow) => (r.seconds > 0 ? Math.round(r.lines / r.seconds).toLocaleString('en-US') : '');
  const mismatch = result.replayBans.filter((ip) => !result.jailBans.includes(ip));
  const missing = result.jailBans.filter((ip) => !result.replayBans.includes(ip));
  return [
    '| case | lines | time (s) | lines/s | result |',
    '| --- | ---: | ---: | ---: | --- |',
    ...result.rows.map(
      (r) =>
        `| ${r.case} | ${r.lines || ''} | ${r.seconds > 0 ? r.seconds.toFixed(2) : ''} | ${rate(r)} | ${r.result} |`
    ),
    '',
    `replay / fail2ban-regex: ${result.ratio.toFixed(1)}× (target ≥ ${REPLAY_TARGET_RATIO}×)`,
    result.equal
      ? `banned IPs: the same ${result.replayBans.length} for the ${AUTH_RULE} rule and the Fail2ban jail`
      : `banned IPs DIFFER: only replay ${mismatch.join(' ') || '-'}; only the jail ${missing.join(' ') || '-'}`,
  ].join('\n');
}

export async function main(): Promise<ReplayBenchResult> {
  const lines = Number(process.env.BENCH_REPLAY_LINES ?? 1_000_000);
  if (!Number.isSafeInteger(lines) || lines < 1000) throw new Error('BENCH_REPLAY_LINES must be an integer ≥ 1000');
  const result = await runReplayBench({ lines });
  process.stdout.write(`\n${formatReplayBenchTable(result)}\n`);
  if (!result.equal) process.exitCode = 1;
  return result;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`replay bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}

import { execFile } from 'node:child_process';
import path from 'node:path';
import { findExecutable } from './server';

export const PROVISIONING_DIR = path.resolve(__dirname, '../../../provisioning/fail2ban');
export const FIXTURES_DIR = path.join(__dirname, 'fixtures');
export const hasFail2banRegex = findExecutable('fail2ban-regex') !== undefined;

/** The "Lines:" and "Failregex:" lines of fail2ban-regex's report (CONTRACTS §1.5). */
export interface RegexSummary {
  lines: number;
  ignored: number;
  matched: number;
  missed: number;
  failregexHits: number;
}

/** One failure found: the address Fail2ban would ban, the time it read (epoch seconds) and the log line. */
export interface RegexMatch {
  ip: string;
  time: number;
  line: string;
}

function run(args: readonly string[], timeZone: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'fail2ban-regex',
      args,
      { env: { ...process.env, TZ: timeZone }, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        // fail2ban-regex exits 255 only on errors; zero matches still exits 0 (CONTRACTS §1.5).
        if (error) reject(new Error(`fail2ban-regex ${args.join(' ')} failed: ${stderr || stdout}`));
        else resolve(stdout);
      }
    );
  });
}

export function parseSummary(report: string): RegexSummary {
  const lines = /^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/m.exec(report);
  const hits = /^Failregex: (\d+) total/m.exec(report);
  if (!lines || !hits) throw new Error(`no summary in fail2ban-regex output:\n${report}`);
  const [tested, ignored, matched, missed] = lines.slice(1).map(Number) as [number, number, number, number];
  return { lines: tested, ignored, matched, missed, failregexHits: Number(hits[1]) };
}

/**
 * Runs the real fail2ban-regex twice on `log` with `filter` (a filter file, optionally `file[option=value]`):
 * once for its report, once with `-o` for each failure's address, time and line. Zone-less syslog times are
 * read in `timeZone` (the process's TZ): UTC by default, wherever the tests run.
 */
export async function fail2banRegex(
  log: string,
  filter: string,
  timeZone = 'UTC'
): Promise<{ summary: RegexSummary; matches: RegexMatch[] }> {
  const [report, rows] = await Promise.all([
    run([log, filter], timeZone),
    run(['-o', '<ip>\t<time>\t<msg>', log, filter], timeZone),
  ]);
  const matches = rows
    .split('\n')
    .filter((row) => row !== '')
    .map((row) => {
      const [ip, time, ...line] = row.split('\t');
      return { ip: ip as string, time: Number(time), line: line.join('\t') };
    });
  return { summary: parseSummary(report), matches };
}

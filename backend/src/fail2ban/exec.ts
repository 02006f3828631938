import { execFile, type ExecFileException } from 'node:child_process';
import {
  Fail2banCommandError,
  Fail2banErrorCode,
  Fail2banUnavailableError,
  UnknownJailError,
  type Fail2banError,
} from './errors';

export interface ExecSettings {
  /** Executable and leading arguments, e.g. ['fail2ban-client'] or ['sudo', '-n', '/usr/bin/fail2ban-client']. */
  command: readonly [string, ...string[]];
  socketPath?: string;
  configDir?: string;
  timeoutMs: number;
}

/** Enough for the status of jails holding a few hundred thousand banned addresses. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Runs fail2ban-client with an argument array, never through a shell (CONTRACTS §1.1), and resolves with its
 * standard output. It exits 255 on any failure and says why in its output: that text picks the error.
 */
export function runFail2banClient(settings: ExecSettings, args: readonly string[]): Promise<string> {
  const [file, ...lead] = settings.command;
  const argv = [
    ...lead,
    ...(settings.socketPath !== undefined ? ['-s', settings.socketPath] : []),
    ...(settings.configDir !== undefined ? ['-c', settings.configDir] : []),
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      {
        timeout: settings.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
        windowsHide: true,
        env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
      },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(classify(settings, error, `${stdout}\n${stderr}`));
      }
    );
  });
}

function classify(settings: ExecSettings, error: ExecFileException, output: string): Fail2banError {
  const file = settings.command[0];
  const socket = (found?: string) => found ?? settings.socketPath ?? 'the socket set in fail2ban.conf';
  if (error.code === 'ENOENT' || /: command not found/.test(output)) {
    return new Fail2banUnavailableError(
      Fail2banErrorCode.notInstalled,
      `fail2ban-client is not installed (cannot run ${file})`
    );
  }
  if (error.code === 'EACCES' || /a password is required|is not in the sudoers|not allowed to execute/.test(output)) {
    return new Fail2banUnavailableError(Fail2banErrorCode.permissionDenied, `permission denied: cannot run ${file}`);
  }
  if (error.killed === true) {
    return new Fail2banUnavailableError(
      Fail2banErrorCode.timeout,
      `Fail2ban did not answer within ${settings.timeoutMs} ms at ${socket()}`
    );
  }
  const unknownJail = /Sorry but the jail '([^'\n]*)' does not exist/.exec(output);
  if (unknownJail) return new UnknownJailError(unknownJail[1] as string);
  const denied = /Permission denied to socket: (.+?), \(you must be root\)/.exec(output);
  if (denied) {
    return new Fail2banUnavailableError(
      Fail2banErrorCode.permissionDenied,
      `permission denied on the Fail2ban socket ${denied[1] as string}: fail2ban-client must run as root (or through sudo)`
    );
  }
  const missing = /Failed to access socket path: (.+?)\. Is fail2ban running\?/.exec(output);
  // A stale socket file (server killed): "[Errno 111] Connection refused"; also reset and broken pipe.
  if (missing || /Unable to contact server|\[Errno (?:32|104|111)\]/.test(output)) {
    return new Fail2banUnavailableError(
      Fail2banErrorCode.unreachable,
      `Fail2ban is not reachable at ${socket(missing?.[1])} (is fail2ban-server running?)`
    );
  }
  const configDir = /Base configuration directory (.+?) does not exist/.exec(output);
  if (configDir) {
    return new Fail2banCommandError(
      `Fail2ban configuration directory ${configDir[1] as string} does not exist`,
      output
    );
  }
  if (error.signal) return new Fail2banCommandError(`fail2ban-client was killed by ${error.signal}`, output);
  const lastLine = output.trim().split('\n').pop() ?? '';
  const reason = lastLine.replace(/^.*?(ERROR|NOK:)\s+/, '').slice(0, 200);
  return new Fail2banCommandError(`fail2ban-client failed (exit ${String(error.code)}): ${reason}`, output);
}

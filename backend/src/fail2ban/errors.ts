/** Why a Fail2ban command failed; `statusCode` is the HTTP answer a route gives for it. */
export const Fail2banErrorCode = {
  /** The fail2ban-client executable is missing. */
  notInstalled: 'not_installed',
  /** No server answers on the socket (not running, stale socket, wrong path). */
  unreachable: 'unreachable',
  /** fail2ban-client did not finish in time. */
  timeout: 'timeout',
  /** The socket (or the executable) may not be used by this process. */
  permissionDenied: 'permission_denied',
  /** The server has no jail of that name. */
  unknownJail: 'unknown_jail',
  /** A jail name or address that is not valid; nothing was run. */
  invalidArgument: 'invalid_argument',
  /** Any other failure, or output this client does not understand. */
  commandFailed: 'command_failed',
} as const;
export type Fail2banErrorCode = (typeof Fail2banErrorCode)[keyof typeof Fail2banErrorCode];

export class Fail2banError extends Error {
  constructor(
    readonly code: Fail2banErrorCode,
    message: string,
    readonly statusCode: number
  ) {
    super(message);
    this.name = 'Fail2banError';
  }
}

export type Fail2banUnavailableCode =
  | typeof Fail2banErrorCode.notInstalled
  | typeof Fail2banErrorCode.unreachable
  | typeof Fail2banErrorCode.timeout
  | typeof Fail2banErrorCode.permissionDenied;

/**
 * Fail2ban cannot be used right now (not installed, not running, too slow, no permission): the routes answer
 * 503 with this message, which says what to fix and never depends on client input.
 */
export class Fail2banUnavailableError extends Fail2banError {
  constructor(code: Fail2banUnavailableCode, message: string) {
    super(code, message, 503);
    this.name = 'Fail2banUnavailableError';
  }
}

export class UnknownJailError extends Fail2banError {
  constructor(readonly jail: string) {
    super(Fail2banErrorCode.unknownJail, `Fail2ban has no jail named ${jail}`, 404);
    this.name = 'UnknownJailError';
  }
}

export class InvalidFail2banArgumentError extends Fail2banError {
  constructor(message: string) {
    super(Fail2banErrorCode.invalidArgument, message, 400);
    this.name = 'InvalidFail2banArgumentError';
  }
}

/** fail2ban-client failed in a way not covered above; `output` is what it printed (for the log, not for clients). */
export class Fail2banCommandError extends Fail2banError {
  constructor(
    message: string,
    readonly output: string
  ) {
    super(Fail2banErrorCode.commandFailed, message, 502);
    this.name = 'Fail2banCommandError';
  }
}

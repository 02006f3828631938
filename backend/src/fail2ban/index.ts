export { createFail2banClient, DEFAULT_FAIL2BAN_TIMEOUT_MS } from './client';
export type { BanResult, Fail2banClient, Fail2banClientOptions } from './client';
export {
  Fail2banCommandError,
  Fail2banError,
  Fail2banErrorCode,
  Fail2banUnavailableError,
  InvalidFail2banArgumentError,
  UnknownJailError,
} from './errors';
export type { Fail2banUnavailableCode } from './errors';
export type { JailStatus } from './parse';
export { JAIL_NAME_PATTERN, checkIp, checkJailName } from './validate';

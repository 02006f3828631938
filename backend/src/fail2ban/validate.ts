import { normalizeIp } from '../net/ip';
import { InvalidFail2banArgumentError } from './errors';

/**
 * A jail name this API accepts (CONTRACTS §1.1, plus: no leading "-" or ".", at most 64 characters), as a
 * pattern string for route schemas. It covers Fail2ban's own jails (sshd, nginx-http-auth, cartae-api-auth…).
 */
export const JAIL_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$';
const JAIL_NAME = new RegExp(JAIL_NAME_PATTERN);

/** Longest text an IPv6 address can be written as (with an IPv4 tail and brackets). */
const MAX_ADDRESS_LENGTH = 47;

/** Quoted and shortened, so that a message repeating client input stays one short line. */
const quote = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);

export function checkJailName(jail: string): string {
  if (!JAIL_NAME.test(jail)) {
    throw new InvalidFail2banArgumentError(
      `invalid jail name ${quote(jail)}: letters, digits, "_", "." and "-", at most 64, not starting with "-" or "."`
    );
  }
  return jail;
}

/** The address in the API's canonical form (IPv4-mapped IPv6 as IPv4, RFC 5952 IPv6), which Fail2ban also uses. */
export function checkIp(ip: string): string {
  const address = ip.length <= MAX_ADDRESS_LENGTH ? normalizeIp(ip) : null;
  if (address === null) throw new InvalidFail2banArgumentError(`not an IP address: ${quote(ip)}`);
  return address;
}

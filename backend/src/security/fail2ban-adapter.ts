/**
 * Enforcement in a Fail2ban jail (`fail2ban-client set <jail> banip|unbanip`, CONTRACTS §1.2). The jail should keep
 * bans until told otherwise (`bantime = -1`): this API unbans at the ban's end, escalation included, which a jail's
 * own bantime does not know. Fail2ban bans addresses, not blocks: a CIDR ban is skipped here.
 */
import {
  Fail2banUnavailableError,
  InvalidFail2banArgumentError,
  UnknownJailError,
  type Fail2banClient,
} from '../fail2ban';
import { isSingleAddress } from './cidr';
import { EnforcementRejected, EnforcementSkipped, EnforcerUnavailable, type EnforcementAdapter } from './enforcement';

export const FAIL2BAN_ADAPTER = 'fail2ban';

export function fail2banAdapter(client: Fail2banClient, jail: string): EnforcementAdapter {
  const run = async (ip: string, call: () => Promise<unknown>): Promise<void> => {
    if (!isSingleAddress(ip)) throw new EnforcementSkipped('Fail2ban bans single addresses, not CIDR blocks');
    try {
      await call();
    } catch (err) {
      if (err instanceof Fail2banUnavailableError) throw new EnforcerUnavailable(err.message);
      if (err instanceof InvalidFail2banArgumentError) throw new EnforcementRejected(err.message);
      // A missing jail may appear with the next reload of Fail2ban: retried like any other failure.
      if (err instanceof UnknownJailError) throw new Error(`${err.message} (security.enforcement.fail2ban.jail)`);
      throw err;
    }
  };
  return {
    name: FAIL2BAN_ADAPTER,
    ban: (ip) => run(ip, () => client.ban(jail, ip)),
    unban: (ip) => run(ip, () => client.unban(jail, ip)),
  };
}

import { ApiError, request } from './client';
import type { Fail2banStatus, JailBanResponse } from './types';

/** The jails of the backend's Fail2ban, or why the backend cannot use Fail2ban (disabled, not running). */
export type Fail2banAvailability =
  { isAvailable: true; jails: Fail2banStatus['jails'] } | { isAvailable: false; reason: string };

/**
 * Every jail's failures and bans. The backend answers 503 with the reason when Fail2ban is disabled or cannot be
 * reached: that is a state of the host to show, not a failure of the page.
 */
export async function getFail2banStatus(): Promise<Fail2banAvailability> {
  try {
    const { jails } = await request<Fail2banStatus>({ path: 'api/fail2ban/status' });
    return { isAvailable: true, jails };
  } catch (err) {
    if (err instanceof ApiError && err.status === 503) {
      return { isAvailable: false, reason: err.message };
    }
    throw err;
  }
}

/** Admin: `fail2ban-client set <jail> banip <ip>`, audited with the reason. */
export function banInJail(jail: string, ip: string, reason: string): Promise<JailBanResponse> {
  return request<JailBanResponse>({
    path: `admin/fail2ban/jails/${encodeURIComponent(jail)}/ban`,
    method: 'POST',
    data: { ip, reason },
  });
}

/** Admin: `fail2ban-client set <jail> unbanip <ip>`, audited with the reason. */
export function unbanInJail(jail: string, ip: string, reason: string): Promise<JailBanResponse> {
  return request<JailBanResponse>({
    path: `admin/fail2ban/jails/${encodeURIComponent(jail)}/ban/${encodeURIComponent(ip)}`,
    method: 'DELETE',
    data: { reason },
  });
}

import { request } from './client';
import type {
  Ban,
  BanState,
  BansResponse,
  LiftResponse,
  ManualBanBody,
  WhitelistAddBody,
  WhitelistAddResponse,
  WhitelistEntry,
  WhitelistResponse,
} from './types';

export interface BansFilter {
  state: BanState;
  /** Bans of this address or inside this block. */
  ip?: string;
}

/** Bans of the auto-blocker and manual ones, newest first, one keyset page at a time. */
export function listBans({ state, ip }: BansFilter, cursor?: string, limit = 100): Promise<BansResponse> {
  return request<BansResponse>({ path: 'api/soar/bans', params: { state, ip, cursor, limit } });
}

/** Admin: ban an address or CIDR block for `duration` seconds, or for good with `permanent: true`. */
export function banAddress(body: ManualBanBody): Promise<Ban> {
  return request<Ban>({ path: 'admin/security/ban', method: 'POST', data: body });
}

/**
 * Admin: lift the ban in force of an address or block. The target travels in the body: a block's "/" in the path
 * would reach the backend decoded by Grafana's proxy.
 */
export function unbanAddress(ip: string, reason: string): Promise<LiftResponse> {
  return request<LiftResponse>({ path: 'admin/security/ban', method: 'DELETE', data: { ip, reason } });
}

/** The configuration file entries, then those added through the API. */
export async function listWhitelist(): Promise<WhitelistEntry[]> {
  return (await request<WhitelistResponse>({ path: 'api/soar/whitelist' })).entries;
}

/** Admin: whitelist an address or block (bans in force inside it are lifted), optionally for `ttlSeconds`. */
export function addWhitelistEntry(body: WhitelistAddBody): Promise<WhitelistAddResponse> {
  return request<WhitelistAddResponse>({ path: 'admin/soar/whitelist', method: 'POST', data: body });
}

/** Admin: remove an entry added through the API. */
export function removeWhitelistEntry(ip: string, reason: string): Promise<WhitelistEntry> {
  return request<WhitelistEntry>({ path: 'admin/soar/whitelist', method: 'DELETE', data: { ip, reason } });
}

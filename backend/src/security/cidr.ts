/**
 * Addresses and blocks as the security API stores and compares them: one canonical text per address or block
 * (normalized address, host bits of a block cleared, /32 and /128 written as the bare address), and the CIDR bans
 * the rule engine does not know about (it keys bans by exact address).
 */
import { normalizeCidr, normalizeIp } from '../net/ip';
import { Whitelist } from '../soar/whitelist';

/** `192.0.2.7/24` → `192.0.2.0/24`, `2001:DB8::1/128` → `2001:db8::1`; null when not an address or block. */
export function canonicalBlock(value: string): string | null {
  const normalized = value.length <= 64 ? normalizeCidr(value.trim()) : null;
  if (normalized === null) return null;
  const slash = normalized.indexOf('/');
  if (slash === -1) return normalized;
  const address = normalized.slice(0, slash);
  const prefix = Number(normalized.slice(slash + 1));
  const v6 = address.includes(':');
  if (prefix === (v6 ? 128 : 32)) return address;
  return `${v6 ? maskV6(address, prefix) : maskV4(address, prefix)}/${prefix}`;
}

/** Whether a canonical block names one address. */
export const isSingleAddress = (block: string): boolean => !block.includes('/');

function maskV4(address: string, prefix: number): string {
  const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const network = (value & mask) >>> 0;
  return [network >>> 24, (network >>> 16) & 255, (network >>> 8) & 255, network & 255].join('.');
}

function maskV6(address: string, prefix: number): string {
  // normalizeIp writes IPv6 in hex groups only (no dotted tail), with at most one "::".
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  let value = groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
  const hostBits = BigInt(128 - prefix);
  value = (value >> hostBits) << hostBits;
  const out: string[] = [];
  for (let i = 7; i >= 0; i--) out.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return normalizeIp(out.join(':')) as string;
}

export interface CidrBan {
  id: string;
  block: string;
  /** Infinity when permanent. */
  untilMs: number;
}

/** Bans of CIDR blocks in force (few: manual ones only), checked before the rule engine. */
export class CidrBans {
  private readonly bans = new Map<string, CidrBan & { matcher: Whitelist }>();

  get size(): number {
    return this.bans.size;
  }

  add(ban: CidrBan): void {
    // A newer ban of the same block replaces the older one.
    for (const [id, other] of this.bans) if (other.block === ban.block) this.bans.delete(id);
    this.bans.set(ban.id, { ...ban, matcher: new Whitelist([ban.block]) });
  }

  remove(id: string): boolean {
    return this.bans.delete(id);
  }

  /** The end of the longest ban in force at `t` whose block holds `ip`, or 0. */
  bannedUntil(ip: string, t: number): number {
    let until = 0;
    for (const ban of this.bans.values()) {
      if (t < ban.untilMs && ban.untilMs > until && ban.matcher.has(ip)) until = ban.untilMs;
    }
    return until;
  }

  /** Forgets bans that ended by `now`. */
  expire(now: number): void {
    for (const [id, ban] of this.bans) if (ban.untilMs <= now) this.bans.delete(id);
  }
}

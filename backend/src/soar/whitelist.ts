/**
 * Addresses and CIDR blocks (v4 and v6) that the auto-blocker never counts nor bans. IPv4 is checked by
 * arithmetic (the engine asks for every new address); IPv6 through node:net's BlockList.
 */
import { BlockList } from 'node:net';
import { normalizeCidr } from '../net/ip';

export class Whitelist {
  /** Normalized entries. */
  readonly entries: readonly string[];
  private readonly v4: { network: number; mask: number }[] = [];
  private readonly v6 = new BlockList();
  private hasV6 = false;

  /** Entries must be valid (parseAutoBlockerConfig checked them); an invalid one throws. */
  constructor(entries: readonly string[]) {
    this.entries = entries.map((entry) => {
      const normalized = normalizeCidr(entry);
      if (normalized === null) throw new Error(`not an address or CIDR block: ${entry}`);
      return normalized;
    });
    for (const entry of this.entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      if (address.includes(':')) {
        this.hasV6 = true;
        if (bits === undefined) this.v6.addAddress(address, 'ipv6');
        else this.v6.addSubnet(address, Number(bits), 'ipv6');
      } else {
        const prefix = bits === undefined ? 32 : Number(bits);
        const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
        this.v4.push({ network: (ipv4ToInt(address) & mask) >>> 0, mask });
      }
    }
  }

  /** `ip` must be normalized (IPv4-mapped IPv6 written as IPv4), as events carry it. */
  has(ip: string): boolean {
    if (ip.includes(':')) return this.hasV6 && this.v6.check(ip, 'ipv6');
    const value = ipv4ToInt(ip);
    for (const { network, mask } of this.v4) if ((value & mask) >>> 0 === network) return true;
    return false;
  }
}

/** A dotted-quad IPv4 address as an unsigned 32-bit integer. */
function ipv4ToInt(ip: string): number {
  let value = 0;
  let octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 0x2e) {
      value = value * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + c - 0x30;
    }
  }
  return value * 256 + octet;
}

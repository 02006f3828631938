import { isIP } from 'node:net';

/**
 * One host, one key: IPv4 in dotted decimal, IPv4-mapped IPv6 (::ffff:a.b.c.d) as IPv4, other IPv6 in
 * RFC 5952 form (lower case, longest zero run compressed). Returns null for anything that is not an address,
 * and for IPv6 with a zone id.
 */
export function normalizeIp(value: string): string | null {
  const trimmed = value.trim();
  const bare = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  const family = isIP(bare);
  if (family === 4)
    return bare
      .split('.')
      .map((octet) => String(Number(octet)))
      .join('.');
  // A zone id ("fe80::1%eth0") names an interface of this host, not a peer; URL parsing rejects it too.
  if (family !== 6 || bare.includes('%')) return null;
  // The WHATWG URL serializer writes IPv6 hosts exactly as RFC 5952 §4 recommends.
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const high = parseInt(mapped[1] as string, 16);
    const low = parseInt(mapped[2] as string, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return canonical;
}

/** An address or a CIDR block (`192.0.2.0/24`, `2001:db8::/32`), normalized; null when invalid. */
export function normalizeCidr(value: string): string | null {
  const slash = value.indexOf('/');
  if (slash === -1) return normalizeIp(value);
  const address = normalizeIp(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (address === null || !/^\d{1,3}$/.test(bits)) return null;
  const max = address.includes(':') ? 128 : 32;
  return Number(bits) <= max ? `${address}/${Number(bits)}` : null;
}

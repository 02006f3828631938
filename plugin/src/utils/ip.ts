/**
 * IP address or CIDR block validation in the browser, so a typo is shown next to the field instead of coming back
 * as a 400. The backend normalizes and checks again (backend/src/net/ip.ts).
 */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

function isIPv6(value: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(value) || value.split('::').length > 2) {
    return false;
  }
  let groups = value.split(':');
  const last = groups[groups.length - 1];
  let max = 8;
  if (last.includes('.')) {
    if (!isIPv4(last)) {
      return false;
    }
    groups = groups.slice(0, -1);
    max = 6;
  }
  const hasGap = value.includes('::');
  const filled = groups.filter((g) => g !== '');
  if (!filled.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) {
    return false;
  }
  if (hasGap) {
    return filled.length < max;
  }
  return filled.length === max && groups.length === max;
}

/** An error message, or undefined when `value` is empty, an address or a CIDR block. */
export function validateIpOrCidr(value: string): string | undefined {
  if (value === '') {
    return undefined;
  }
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0) {
    return 'Not an IP address or CIDR block';
  }
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) {
    return 'Not an IP address or CIDR block';
  }
  if (prefix !== undefined) {
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (v4 ? 32 : 128)) {
      return `The prefix length must be 0 to ${v4 ? 32 : 128}`;
    }
  }
  return undefined;
}

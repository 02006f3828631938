/** Byte-level pieces of the event scanner: field names and indexes, addresses and integers read from bytes. */
import type { AddressSlot } from './event';
import { EVENT_FIELDS, EVENT_TEXT_LIMITS, EVENT_TYPE_PATTERN, METHOD_PATTERN } from './event';

/** Indexes in EVENT_FIELDS. */
export const Field = {
  time: 0,
  event: 1,
  ip: 2,
  user: 3,
  method: 4,
  path: 5,
  status: 6,
  userAgent: 7,
  bytes: 8,
  msg: 9,
  jail: 10,
} as const;

const NAMES = EVENT_FIELDS.map((name) => Buffer.from(name, 'latin1'));
/** Records an invalid address. */
export const NO_SLOT: AddressSlot = { ip: '', owner: null, state: null };

export function addressSlot(ip: string | null): AddressSlot {
  return ip === null ? NO_SLOT : { ip, owner: null, state: null };
}

export function validEventType(value: string): string | null {
  return value.length <= EVENT_TEXT_LIMITS.event && EVENT_TYPE_PATTERN.test(value) ? value : null;
}

export function upperMethod(value: string): string | null {
  return METHOD_PATTERN.test(value) ? value.toUpperCase() : null;
}

/** Dotted-quad IPv4 as normalizeIp writes it: four decimal octets ≤ 255 without leading zeros. */
export function isCanonicalIpv4(b: Uint8Array, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  while (i < end && parts < 4) {
    const first = i;
    let octet = 0;
    while (i < end && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39 && i - first < 3) {
      octet = octet * 10 + (b[i] as number) - 0x30;
      i++;
    }
    if (i === first || octet > 255 || (i - first > 1 && b[first] === 0x30)) return false;
    parts++;
    if (parts < 4) {
      if (b[i] !== 0x2e || i >= end) return false;
      i++;
    }
  }
  return parts === 4 && i === end;
}

/** The value of an integer literal (`-?digits`); beyond 2^53 it is approximate, which range checks tolerate. */
export function integerAt(b: Uint8Array, start: number, end: number): number {
  const negative = b[start] === 0x2d;
  let value = 0;
  for (let i = negative ? start + 1 : start; i < end; i++) value = value * 10 + (b[i] as number) - 0x30;
  return negative ? -value : value;
}

/** Index of the known field named by `b[start, end)`, or -1: by length and first byte, then the whole name. */
export function fieldOf(b: Uint8Array, start: number, end: number): number {
  let f: number;
  switch (end - start) {
    case 2:
      f = Field.ip;
      break;
    case 3:
      f = Field.msg;
      break;
    case 4:
      f = b[start] === 0x74 ? Field.time : b[start] === 0x75 ? Field.user : b[start] === 0x70 ? Field.path : Field.jail;
      break;
    case 5:
      f = b[start] === 0x65 ? Field.event : Field.bytes;
      break;
    case 6:
      f = b[start] === 0x6d ? Field.method : Field.status;
      break;
    case 9:
      f = Field.userAgent;
      break;
    default:
      return -1;
  }
  const name = NAMES[f] as Buffer;
  for (let k = 0; k < name.length; k++) if (name[k] !== b[start + k]) return -1;
  return f;
}

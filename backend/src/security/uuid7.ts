/**
 * UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Time-ordered, so the primary key indexes
 * of security_events and bans grow at their end instead of splitting pages all over (a random UUIDv4 would).
 */
import { randomUUID } from 'node:crypto';

let lastMs = -1;
let lastPrefix = '';

/** A UUIDv7 for the instant `ms` (default now). Ids made in the same millisecond are ordered by chance only. */
export function uuidv7(ms: number = Date.now()): string {
  if (ms !== lastMs) {
    const hex = Math.min(0xffffffffffff, Math.max(0, Math.floor(ms)))
      .toString(16)
      .padStart(12, '0');
    lastMs = ms;
    lastPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
  }
  // randomUUID (v4) already holds 122 random bits and the RFC variant; its version digit (index 14) is replaced.
  return lastPrefix + randomUUID().slice(15);
}

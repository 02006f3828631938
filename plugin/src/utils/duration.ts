/** Durations as an SRE reads them in a table: the two largest units, e.g. "2d 4h", "5m 30s", "45s". */
const UNITS: Array<[string, number]> = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const first = UNITS.findIndex(([, size]) => seconds >= size);
  if (first === -1) {
    return '0s';
  }
  const [unit, size] = UNITS[first];
  const parts = [`${Math.floor(seconds / size)}${unit}`];
  const next = UNITS[first + 1];
  if (next) {
    const count = Math.floor((seconds % size) / next[1]);
    if (count > 0) {
      parts.push(`${count}${next[0]}`);
    }
  }
  return parts.join(' ');
}

/** What is left of a ban ending at `until` (ISO), seen at `nowMs`: "expired" once it has passed. */
export function timeLeft(until: string, nowMs: number): string {
  const left = (Date.parse(until) - nowMs) / 1000;
  return left <= 0 ? 'expired' : formatDuration(left);
}

/** Ban lengths offered in the forms, in seconds; `permanent` bans until someone lifts it. */
export const BAN_DURATIONS = [
  { label: '15 min', value: '900' },
  { label: '1 hour', value: '3600' },
  { label: '24 hours', value: '86400' },
  { label: '7 days', value: '604800' },
  { label: '30 days', value: '2592000' },
  { label: 'Permanent', value: 'permanent' },
];

/** Whitelist lifetimes, in seconds; `never` keeps the entry until it is removed. */
export const WHITELIST_EXPIRIES = [
  { label: 'Never', value: 'never' },
  { label: '1 hour', value: '3600' },
  { label: '24 hours', value: '86400' },
  { label: '7 days', value: '604800' },
  { label: '30 days', value: '2592000' },
];
